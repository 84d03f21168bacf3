import { ApplicationFailure, Context } from "@temporalio/activity";
import type { ActionEvent } from "../journey/action-event.js";
import type { DeliveryResult, EncodedPlans, ResolvePlansRequest } from "../messages/account-messages.js";
import { DELIVERY_REJECTED, type ActionSink } from "./action-sinks.js";
import type { PlanRegistry } from "./plan-registry.js";

/** Pauses before a sink is tried again inside one attempt: a blip does not hold up the actions behind it. */
const QUICK_RETRIES_MS = [1000, 2000];

/** Delivers to one sink, trying again quickly on a retryable error before leaving it to Temporal's retries. */
async function deliverTo(
  sink: ActionSink,
  action: ActionEvent,
  context: Context,
  progress: DeliveryProgress,
): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    context.heartbeat(progress);
    try {
      return await sink.deliver(action);
    } catch (failure) {
      const pause = QUICK_RETRIES_MS[attempt];
      if ((failure instanceof ApplicationFailure && failure.nonRetryable) || pause === undefined) throw failure;
      await context.sleep(pause);
    }
  }
}

/** Where a retried delivery resumes: the actions already delivered and their results. */
interface DeliveryProgress {
  readonly done: readonly DeliveryResult[];
}

/** The account workflow's activities, bound to the action sinks and the worker's plans. */
export function createActivities(sinks: readonly ActionSink[], registry: PlanRegistry) {
  return {
    /**
     * Delivers actions in order, each to every sink. A receiver's refusal (a 4xx) fails that
     * action and the next goes on; anything else throws, so Temporal retries, and the retry
     * resumes after the actions already delivered (kept in the heartbeat), so none goes twice.
     */
    async deliverActions(actions: readonly ActionEvent[]): Promise<DeliveryResult[]> {
      const context = Context.current();
      const progress = context.info.heartbeatDetails as DeliveryProgress | undefined;
      const done: DeliveryResult[] = [...(progress?.done ?? [])];
      for (const action of actions.slice(done.length)) {
        let error: string | undefined;
        for (const sink of sinks) {
          try {
            await deliverTo(sink, action, context, { done });
          } catch (failure) {
            if (!(failure instanceof ApplicationFailure && failure.type === DELIVERY_REJECTED)) throw failure;
            error = failure.message;
            break;
          }
        }
        done.push({ id: action.id, ...(error === undefined ? {} : { error }) });
        context.heartbeat({ done } satisfies DeliveryProgress);
      }
      return done;
    },
    /** The deployed plan set, and the plan bodies the workflow lacks (a local activity), as JSON bytes. */
    async resolvePlans(request: ResolvePlansRequest): Promise<EncodedPlans> {
      return registry.resolveEncoded(request);
    },
  };
}

/** The activity interface the workflow proxies. */
export type Activities = ReturnType<typeof createActivities>;
