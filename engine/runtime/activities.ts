import { Context } from "@temporalio/activity";
import type { ActionEvent } from "../journey/action-event.js";
import type { ResolvePlansRequest, ResolvePlansResult } from "../messages/account-messages.js";
import type { ActionSink } from "./action-sinks.js";
import type { PlanRegistry } from "./plan-registry.js";

/** The account workflow's activities, bound to the action sinks and the worker's plans. */
export function createActivities(sinks: readonly ActionSink[], registry: PlanRegistry) {
  return {
    /** Delivers one action to every sink; throws (and so retries) until each has taken it. */
    async deliverAction(event: ActionEvent): Promise<void> {
      for (const sink of sinks) {
        Context.current().heartbeat(sink.name);
        await sink.deliver(event);
      }
    },
    /** The deployed plan set, and the plan bodies the workflow lacks (a local activity). */
    async resolvePlans(request: ResolvePlansRequest): Promise<ResolvePlansResult> {
      return registry.resolve(request);
    },
  };
}

/** The activity interface the workflow proxies. */
export type Activities = ReturnType<typeof createActivities>;
