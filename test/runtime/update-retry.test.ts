// An update whose call timed out is sent again with the same update id, so the server applies it once.
import { WorkflowUpdateRPCTimeoutOrCancelledError } from "@temporalio/client";
import { describe, expect, it } from "vitest";
import { withUpdateRetry } from "../../engine/runtime/update-retry.js";

const timeout = () =>
  new WorkflowUpdateRPCTimeoutOrCancelledError("context deadline exceeded", {
    cause: new Error("4 DEADLINE_EXCEEDED"),
  });

describe("withUpdateRetry", () => {
  it("sends again after a timed-out call, with the same update id", async () => {
    const ids: string[] = [];
    const result = await withUpdateRetry((updateId) => {
      ids.push(updateId);
      if (ids.length < 3) throw timeout();
      return Promise.resolve({ changed: true });
    });
    expect(result).toEqual({ changed: true });
    expect(ids).toHaveLength(3);
    expect(new Set(ids).size).toBe(1);
  });

  it("gives up after five timed-out calls, and never retries another error", async () => {
    let calls = 0;
    await expect(
      withUpdateRetry(() => {
        calls++;
        throw timeout();
      }),
    ).rejects.toThrow("context deadline exceeded");
    expect(calls).toBe(5);
    calls = 0;
    await expect(
      withUpdateRetry(() => {
        calls++;
        throw new Error("workflow not found");
      }),
    ).rejects.toThrow("workflow not found");
    expect(calls).toBe(1);
  });

  it("uses a new update id for each update", async () => {
    const ids = await Promise.all([1, 2].map(() => withUpdateRetry((id) => Promise.resolve(id))));
    expect(ids[0]).not.toBe(ids[1]);
  });
});
