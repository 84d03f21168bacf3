// Runtime settings come from the environment; a bad value is refused with the variable's name.
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../engine/runtime/config.js";

describe("loadConfig", () => {
  it("reads the worker's workflow cache size, and leaves it to the SDK when unset", () => {
    expect(loadConfig({ PLAYLOOP_MAX_CACHED_WORKFLOWS: "500" }).maxCachedWorkflows).toBe(500);
    expect(loadConfig({}).maxCachedWorkflows).toBeUndefined();
  });

  it.each(["0", "1", "-3", "lots", "2.5"])("refuses PLAYLOOP_MAX_CACHED_WORKFLOWS=%s", (value) => {
    expect(() => loadConfig({ PLAYLOOP_MAX_CACHED_WORKFLOWS: value })).toThrow(
      `PLAYLOOP_MAX_CACHED_WORKFLOWS must be a whole number of at least 2, got "${value}"`,
    );
  });

  it("refuses a webhook URL without its secret", () => {
    expect(() => loadConfig({ PLAYLOOP_WEBHOOK_URL: "http://localhost:9/hook" })).toThrow(/PLAYLOOP_WEBHOOK_SECRET/);
  });
});

describe("loadConfig: the webhook secret", () => {
  const secret = (bytes: number) => `whsec_${Buffer.alloc(bytes, 7).toString("base64")}`;
  const load = (value: string) => () =>
    loadConfig({ PLAYLOOP_WEBHOOK_URL: "https://hooks.example.com/playloop", PLAYLOOP_WEBHOOK_SECRET: value });

  it.each([24, 32, 64])("takes whsec_ and the base64 of %i bytes", (bytes) => {
    expect(load(secret(bytes))().webhookSecret).toBe(secret(bytes));
  });

  it.each([
    ["too short", secret(16), "it decodes to 16 bytes"],
    ["too long", secret(65), "it decodes to 65 bytes"],
    ["without its prefix", Buffer.alloc(32, 7).toString("base64"), 'it does not start with "whsec_"'],
    ["not base64", "whsec_this is not base64 at all!!!!!!!!!!", 'what follows "whsec_" is not base64'],
    ["base64url", `whsec_${Buffer.alloc(32, 251).toString("base64url")}`, 'what follows "whsec_" is not base64'],
    ["empty", "", 'it does not start with "whsec_"'],
  ])("refuses a secret %s, naming the variable and what it expects", (_, value, problem) => {
    expect(load(value)).toThrow(
      `PLAYLOOP_WEBHOOK_SECRET must be "whsec_" followed by the base64 of 24 to 64 random bytes (Standard Webhooks), such as whsec_$(openssl rand -base64 32); ${problem}`,
    );
  });

  it("does not repeat the secret in its error, since errors end up in logs", () => {
    const value = secret(16);
    expect(load(value)).toThrow(/PLAYLOOP_WEBHOOK_SECRET/);
    expect(load(value)).not.toThrow(value.slice("whsec_".length));
  });
});

describe("loadConfig: the HTTP API", () => {
  it("listens on loopback unless PLAYLOOP_API_HOST says otherwise", () => {
    expect(loadConfig({}).apiHost).toBe("127.0.0.1");
    expect(loadConfig({ PLAYLOOP_API_HOST: "" }).apiHost).toBe("127.0.0.1");
    expect(loadConfig({ PLAYLOOP_API_HOST: "0.0.0.0" }).apiHost).toBe("0.0.0.0");
  });

  it("reads the tokens, and leaves them unset when empty", () => {
    const config = loadConfig({
      PLAYLOOP_API_TOKEN: "read-write-token-0123456789",
      PLAYLOOP_API_READ_TOKEN: "read-only-token-0123456789",
    });
    expect([config.apiToken, config.apiReadToken]).toEqual([
      "read-write-token-0123456789",
      "read-only-token-0123456789",
    ]);
    expect(loadConfig({ PLAYLOOP_API_TOKEN: "" }).apiToken).toBeUndefined();
  });

  it.each([
    ["PLAYLOOP_API_TOKEN", "short", "PLAYLOOP_API_TOKEN must be at least 16 characters, got 5"],
    ["PLAYLOOP_API_READ_TOKEN", "has a space in the middle", "PLAYLOOP_API_READ_TOKEN must be visible ASCII"],
    ["PLAYLOOP_API_TOKEN", "tøken-with-non-ascii-0123", "PLAYLOOP_API_TOKEN must be visible ASCII"],
  ])("refuses %s=%s", (name, value, message) => {
    expect(() => loadConfig({ [name]: value })).toThrow(message);
  });

  it("refuses a read token that is the read-write token", () => {
    const token = "the-same-token-0123456789";
    expect(() => loadConfig({ PLAYLOOP_API_TOKEN: token, PLAYLOOP_API_READ_TOKEN: token })).toThrow(
      "PLAYLOOP_API_READ_TOKEN must differ from PLAYLOOP_API_TOKEN",
    );
  });
});
