import { createHmac, timingSafeEqual } from "node:crypto";

/** Decodes a Standard Webhooks secret (`whsec_` + base64) to its key bytes. */
export function webhookKey(secret: string): Buffer {
  const encoded = secret.startsWith("whsec_") ? secret.slice("whsec_".length) : secret;
  const key = Buffer.from(encoded, "base64");
  if (key.length < 16)
    throw new Error("PLAYLOOP_WEBHOOK_SECRET must be `whsec_` followed by at least 16 base64-encoded bytes");
  return key;
}

/** The Standard Webhooks signature header value: `v1,<base64 HMAC-SHA256 of id.timestamp.body>`. */
export function signWebhook(key: Buffer, id: string, timestamp: number, body: string): string {
  return `v1,${createHmac("sha256", key).update(`${id}.${timestamp}.${body}`).digest("base64")}`;
}

/** Verifies a Standard Webhooks signature header (which may list several signatures). */
export function verifyWebhook(key: Buffer, id: string, timestamp: number, body: string, header: string): boolean {
  const expected = Buffer.from(signWebhook(key, id, timestamp, body));
  return header.split(" ").some((candidate) => {
    const given = Buffer.from(candidate);
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}
