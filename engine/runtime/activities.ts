import { Context } from "@temporalio/activity";
import type { ActionEvent } from "../journey/action-event.js";
import type { ActionSink } from "./action-sinks.js";

/** The journey workflow's activities, bound to the configured action sinks. */
export function createActivities(sinks: readonly ActionSink[]) {
  return {
    /** Delivers one action to every sink; throws (and so retries) until each has taken it. */
    async deliverAction(event: ActionEvent): Promise<void> {
      for (const sink of sinks) {
        Context.current().heartbeat(sink.name);
        await sink.deliver(event);
      }
    },
  };
}

/** The activity interface the workflow proxies. */
export type Activities = ReturnType<typeof createActivities>;
