import { randomUUID } from "node:crypto";
import { WorkflowUpdateRPCTimeoutOrCancelledError } from "@temporalio/client";

/** How many times an update whose call timed out is sent again (a loaded server can be slow to answer). */
const UPDATE_ATTEMPTS = 5;

/**
 * Sends an update, and sends it again with the same update id when the call times out: the server
 * applies an update id once, so a retry returns the first outcome instead of applying it twice.
 */
export async function withUpdateRetry<T>(send: (updateId: string) => Promise<T>): Promise<T> {
  const updateId = randomUUID();
  for (let attempt = 1; ; attempt++) {
    try {
      return await send(updateId);
    } catch (error) {
      if (!(error instanceof WorkflowUpdateRPCTimeoutOrCancelledError) || attempt >= UPDATE_ATTEMPTS) throw error;
    }
  }
}
