// For receivers written in JS: checks a webhook playloop sent (Standard Webhooks) before its
// payload is trusted. Only node:crypto underneath, so it loads without the runtime.
import { verifySignature, webhookKey } from "./webhook-signature.js";

/** Why a webhook was refused. */
export type WebhookVerificationReason =
  "missing_header" | "invalid_timestamp" | "stale_timestamp" | "bad_signature" | "invalid_payload";

/** Thrown by `verifyWebhook` when a webhook must not be trusted; `reason` says why. */
export class WebhookVerificationError extends Error {
  override readonly name = "WebhookVerificationError";
  constructor(
    readonly reason: WebhookVerificationReason,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** The request's headers: a plain object (Node's `req.headers`, Express, ...) or a fetch `Headers`. */
export type WebhookHeaders = Headers | Readonly<Record<string, string | readonly string[] | undefined>>;

/** How `verifyWebhook` judges a webhook. */
export interface VerifyWebhookOptions {
  /** How far `webhook-timestamp` may be from now, before or after, in seconds (default 300). */
  readonly toleranceSeconds?: number;
}

const DEFAULT_TOLERANCE_SECONDS = 5 * 60;

function header(headers: WebhookHeaders, name: string): string | undefined {
  if (headers instanceof Headers) return headers.get(name) ?? undefined;
  for (const [key, value] of Object.entries(headers)) {
    // Node joins repeated headers into one string; other frameworks hand over an array.
    if (key.toLowerCase() === name) return typeof value === "string" ? value : value?.join(" ");
  }
  return undefined;
}

function required(headers: WebhookHeaders, name: string): string {
  const value = header(headers, name);
  if (value === undefined || value === "") throw new WebhookVerificationError("missing_header", `no ${name} header`);
  return value;
}

/**
 * Verifies a webhook signed per Standard Webhooks with `secret` (`whsec_...`, the sender's
 * PLAYLOOP_WEBHOOK_SECRET) and returns its parsed JSON payload. `body` is the raw body as
 * received: a payload parsed and serialised again no longer matches its signature. Throws a
 * WebhookVerificationError for a missing header, a timestamp outside the tolerance (replays),
 * a signature that does not match, or a body that is not JSON.
 */
export function verifyWebhook(
  secret: string,
  headers: WebhookHeaders,
  body: string | Uint8Array,
  options: VerifyWebhookOptions = {},
): unknown {
  const key = webhookKey(secret);
  const id = required(headers, "webhook-id");
  const timestampText = required(headers, "webhook-timestamp");
  const signatures = required(headers, "webhook-signature");
  if (!/^\d{1,15}$/.test(timestampText))
    throw new WebhookVerificationError(
      "invalid_timestamp",
      `webhook-timestamp "${timestampText.slice(0, 40)}" is not a Unix time in seconds`,
    );
  const timestamp = Number(timestampText);
  const tolerance = options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  // NaN would compare false below and let every timestamp through.
  if (!(tolerance >= 0)) throw new RangeError(`toleranceSeconds must be a number of seconds, not ${tolerance}`);
  const skew = Math.floor(Date.now() / 1000) - timestamp;
  if (Math.abs(skew) > tolerance)
    throw new WebhookVerificationError(
      "stale_timestamp",
      `webhook-timestamp is ${Math.abs(skew)} s in the ${skew > 0 ? "past" : "future"}, beyond the ${tolerance} s tolerance`,
    );
  if (!verifySignature(key, id, timestamp, body, signatures))
    throw new WebhookVerificationError("bad_signature", "no webhook-signature matches the body signed with the secret");
  const text = typeof body === "string" ? body : Buffer.from(body).toString("utf8");
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new WebhookVerificationError("invalid_payload", "the signed body is not JSON", { cause: error });
  }
}
