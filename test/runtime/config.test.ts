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
