import { createHmac, timingSafeEqual } from "node:crypto";

const PREFIX = "whsec_";
// The Standard Webhooks spec asks for 24 to 64 random bytes: fewer is guessable, more adds nothing to HMAC-SHA256.
const MIN_BYTES = 24;
const MAX_BYTES = 64;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/**
 * Decodes a Standard Webhooks secret (`whsec_` + base64 of 24 to 64 bytes) to its key bytes.
 * Throws an error that names `variable` and says what is expected; the secret itself is never
 * repeated in it, since errors end up in logs.
 */
export function webhookKey(secret: string, variable = "the webhook secret"): Buffer {
  const fail = (problem: string): never => {
    throw new Error(
      `${variable} must be "${PREFIX}" followed by the base64 of ${MIN_BYTES} to ${MAX_BYTES} random bytes ` +
        `(Standard Webhooks), such as ${PREFIX}$(openssl rand -base64 32); ${problem}`,
    );
  };
  if (!secret.startsWith(PREFIX)) return fail(`it does not start with "${PREFIX}"`);
  const encoded = secret.slice(PREFIX.length);
  const key = Buffer.from(encoded, "base64");
  // Node's decoder skips what it cannot read, so a round trip tells real base64 from any text.
  if (!BASE64.test(encoded) || key.toString("base64").replace(/=+$/, "") !== encoded.replace(/=+$/, ""))
    return fail(`what follows "${PREFIX}" is not base64`);
  if (key.length < MIN_BYTES || key.length > MAX_BYTES) return fail(`it decodes to ${key.length} bytes`);
  return key;
}

/** The Standard Webhooks signature header value: `v1,<base64 HMAC-SHA256 of id.timestamp.body>`. */
export function signWebhook(key: Buffer, id: string, timestamp: number, body: string | Uint8Array): string {
  // The body is hashed as the bytes that were sent: decoding and re-encoding could change them.
  return `v1,${createHmac("sha256", key).update(`${id}.${timestamp}.`).update(body).digest("base64")}`;
}

/** Whether a Standard Webhooks signature header (which may list several signatures) holds a valid `v1` one. */
export function verifySignature(
  key: Buffer,
  id: string,
  timestamp: number,
  body: string | Uint8Array,
  header: string,
): boolean {
  const expected = Buffer.from(signWebhook(key, id, timestamp, body));
  return header.split(" ").some((candidate) => {
    const given = Buffer.from(candidate);
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}
