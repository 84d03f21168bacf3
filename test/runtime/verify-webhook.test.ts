// verifyWebhook, for receivers written in JS: checked against the Standard Webhooks test vector
// and the reference implementation (the standardwebhooks package) in both directions.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Webhook } from "standardwebhooks";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { verifyWebhook, WebhookVerificationError, type WebhookVerificationReason } from "../../engine/index.js";
import { webhookSink } from "../../engine/runtime/action-sinks.js";
import { signWebhook, webhookKey } from "../../engine/runtime/webhook-signature.js";
import { SAMPLE_ACTION } from "../helpers.js";

// The vector the reference libraries test signing with (standard-webhooks/standard-webhooks,
// libraries/javascript/src/webhook.test.ts, "sign function works").
const VECTOR = {
  secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
  id: "msg_p5jXN8AQM9LWM0D4loKWxJek",
  timestamp: 1614265330,
  payload: '{"test": 2432232314}',
  signature: "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
};

const SECRET = `whsec_${Buffer.from("verify-webhook-test-secret-0123456789").toString("base64")}`;
const OTHER_SECRET = `whsec_${Buffer.from("some-other-secret-0123456789abcd").toString("base64")}`;
const NOW = 1_800_000_000; // a fixed clock, in seconds: Date is faked in every test below
const BODY = JSON.stringify({ id: "seat-upsell:acme:0:orchestrate.4", data: { note: "café ✓" } });

/** Headers for `body` as playloop's sink signs them, `age` seconds before NOW. */
function signed(body: string, age = 0, secret = SECRET): Record<string, string> {
  const timestamp = NOW - age;
  return {
    "webhook-id": "msg_1",
    "webhook-timestamp": String(timestamp),
    "webhook-signature": signWebhook(webhookKey(secret), "msg_1", timestamp, body),
  };
}

function reason(run: () => unknown): WebhookVerificationReason | undefined {
  try {
    run();
  } catch (error) {
    if (error instanceof WebhookVerificationError) return error.reason;
    throw error;
  }
  return undefined;
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(NOW * 1000);
});

afterEach(() => {
  vi.useRealTimers();
});

describe("verifyWebhook", () => {
  it("accepts the Standard Webhooks test vector, as the reference implementation does", () => {
    vi.setSystemTime(VECTOR.timestamp * 1000);
    const headers = {
      "webhook-id": VECTOR.id,
      "webhook-timestamp": String(VECTOR.timestamp),
      "webhook-signature": VECTOR.signature,
    };
    expect(verifyWebhook(VECTOR.secret, headers, VECTOR.payload)).toEqual({ test: 2432232314 });
    expect(new Webhook(VECTOR.secret).verify(VECTOR.payload, headers)).toEqual({ test: 2432232314 });
    expect(signWebhook(webhookKey(VECTOR.secret), VECTOR.id, VECTOR.timestamp, VECTOR.payload)).toBe(VECTOR.signature);
  });

  it("verifies what the reference implementation signs", () => {
    const signature = new Webhook(SECRET).sign("msg_2", new Date(NOW * 1000), BODY);
    const headers = { "Webhook-Id": "msg_2", "WEBHOOK-TIMESTAMP": String(NOW), "webhook-signature": signature };
    expect(verifyWebhook(SECRET, headers, BODY)).toEqual(JSON.parse(BODY));
    expect(verifyWebhook(SECRET, new Headers(headers), Buffer.from(BODY))).toEqual(JSON.parse(BODY));
  });

  it("signs what the reference implementation verifies", () => {
    expect(new Webhook(SECRET).verify(BODY, signed(BODY))).toEqual(JSON.parse(BODY));
  });

  it("accepts a header listing several signatures when one matches (a secret being rotated)", () => {
    const headers = signed(BODY);
    const other = signed(BODY, 0, OTHER_SECRET);
    headers["webhook-signature"] = `v1a,c2lnbmF0dXJl ${other["webhook-signature"]} ${headers["webhook-signature"]}`;
    expect(verifyWebhook(SECRET, headers, BODY)).toEqual(JSON.parse(BODY));
  });

  it.each(["webhook-id", "webhook-timestamp", "webhook-signature"])("refuses a webhook without %s", (name) => {
    const headers: Record<string, string> = signed(BODY);
    delete headers[name];
    expect(reason(() => verifyWebhook(SECRET, headers, BODY))).toBe("missing_header");
    expect(() => verifyWebhook(SECRET, headers, BODY)).toThrow(`no ${name} header`);
  });

  it("refuses a timestamp that is not Unix seconds", () => {
    for (const timestamp of ["hello", "1.8e9", "-5", " 1800000000"]) {
      const headers = { ...signed(BODY), "webhook-timestamp": timestamp };
      expect(
        reason(() => verifyWebhook(SECRET, headers, BODY)),
        timestamp,
      ).toBe("invalid_timestamp");
    }
  });

  it("refuses a timestamp more than 5 minutes away, in the past or the future, and takes another tolerance", () => {
    expect(verifyWebhook(SECRET, signed(BODY, 300), BODY)).toEqual(JSON.parse(BODY));
    expect(verifyWebhook(SECRET, signed(BODY, -300), BODY)).toEqual(JSON.parse(BODY));
    expect(reason(() => verifyWebhook(SECRET, signed(BODY, 301), BODY))).toBe("stale_timestamp");
    expect(reason(() => verifyWebhook(SECRET, signed(BODY, -301), BODY))).toBe("stale_timestamp");
    expect(() => verifyWebhook(SECRET, signed(BODY, 301), BODY)).toThrow("301 s in the past, beyond the 300 s");
    expect(() => verifyWebhook(SECRET, signed(BODY, -301), BODY)).toThrow("301 s in the future");
    expect(reason(() => verifyWebhook(SECRET, signed(BODY, 11), BODY, { toleranceSeconds: 10 }))).toBe(
      "stale_timestamp",
    );
    expect(verifyWebhook(SECRET, signed(BODY, 3000), BODY, { toleranceSeconds: 3600 })).toEqual(JSON.parse(BODY));
    expect(() => verifyWebhook(SECRET, signed(BODY), BODY, { toleranceSeconds: Number.NaN })).toThrow(RangeError);
  });

  it("refuses a changed body, another secret, another id, and a cut signature", () => {
    const headers = signed(BODY);
    expect(reason(() => verifyWebhook(SECRET, headers, BODY.replace("café", "cafe")))).toBe("bad_signature");
    expect(reason(() => verifyWebhook(OTHER_SECRET, headers, BODY))).toBe("bad_signature");
    expect(reason(() => verifyWebhook(SECRET, { ...headers, "webhook-id": "msg_9" }, BODY))).toBe("bad_signature");
    for (const cut of ["v1,", headers["webhook-signature"]?.slice(0, 12) ?? "", "v2,abc"])
      expect(
        reason(() => verifyWebhook(SECRET, { ...headers, "webhook-signature": cut }, BODY)),
        cut,
      ).toBe("bad_signature");
  });

  it("refuses a signed body that is not JSON", () => {
    expect(reason(() => verifyWebhook(SECRET, signed("not json"), "not json"))).toBe("invalid_payload");
  });

  it("refuses a secret that is not whsec_ and base64 of 24 to 64 bytes, with an error that is not a verification failure", () => {
    // A receiver answers 400 to a WebhookVerificationError; its own wrong secret is its bug, not the sender's.
    expect(() => verifyWebhook("whsec_c2hvcnQ=", signed(BODY), BODY)).toThrow(/24 to 64 random bytes.*5 bytes/);
    expect(() => reason(() => verifyWebhook("c2hvcnQ=", signed(BODY), BODY))).toThrow(/does not start with "whsec_"/);
  });
});

describe("a receiver using verifyWebhook", () => {
  let server: Server;
  let url: string;
  const outcomes: unknown[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (chunk: Buffer) => chunks.push(chunk));
      req.on("end", () => {
        try {
          outcomes.push(verifyWebhook(SECRET, req.headers, Buffer.concat(chunks)));
          res.writeHead(204).end();
        } catch (error) {
          outcomes.push(error instanceof WebhookVerificationError ? error.reason : error);
          res.writeHead(400).end();
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it("takes the actions playloop's webhook sink sends, and refuses them signed with another secret", async () => {
    const event = { ...SAMPLE_ACTION, data: { ...SAMPLE_ACTION.data, note: "café ✓" } };
    await webhookSink(url, SECRET).deliver(event);
    await expect(webhookSink(url, OTHER_SECRET).deliver(event)).rejects.toThrow(/400/);
    expect(outcomes).toEqual([event, "bad_signature"]);
  });
});
