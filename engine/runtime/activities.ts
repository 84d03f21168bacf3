import { ApplicationFailure, Context } from "@temporalio/activity";
import type { ActionEvent } from "../journey/action-event.js";
import type { Fact } from "../journey/account-facts.js";
import type { Destination } from "../journey/route-action.js";
import type {
  DeliveryResult,
  EncodedPlans,
  PlanHint,
  PlanSetRef,
  ResolvePlansRequest,
} from "../messages/account-messages.js";
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

export interface ActivityDeps {
  /** The `default` destination: the action log, and the webhook when configured. */
  readonly sinks: readonly ActionSink[];
  /** The sink of a destination destinations.yaml declares; throws when its variables are unset. */
  readonly destinationSink?: (destination: Destination) => ActionSink;
  readonly plans: PlanRegistry;
  /** Announces a deployed set to the accounts (a batch operation). */
  readonly announce?: (set: PlanSetRef) => Promise<string>;
  /** Where facts are stored (the analytics database); without one, facts are counted and dropped. */
  readonly facts?: FactSink;
  /** Brings `plans` to a deployment newer than the one it serves, when a workflow asks for it. */
  readonly catchUp?: (hint: PlanHint | undefined) => Promise<void>;
}

/** The account and deployments workflows' activities, bound to the sinks and the worker's plans. */
/** Stores facts once by id (engine/analytics/fact-store.ts), or sends them on as CloudEvents. */
export interface FactSink {
  record(facts: readonly Fact[]): Promise<number>;
}

export function createActivities({
  sinks,
  destinationSink,
  plans: registry,
  announce,
  catchUp,
  facts: factSink,
}: ActivityDeps) {
  /** A routed destination's sink; without a way to make one (a test), a failure Temporal retries. */
  const sinkOf = (destination: Destination): ActionSink => {
    if (destinationSink === undefined) throw new Error(`this worker cannot deliver to ${destination.name}`);
    return destinationSink(destination);
  };
  return {
    /**
     * Delivers actions in order, each to every sink of `destination` (`default` when absent). A
     * receiver's refusal (a 4xx) fails that action and the next goes on; anything else throws, so
     * Temporal retries, and the retry resumes after the actions already delivered (kept in the
     * heartbeat), so none goes twice.
     */
    async deliverActions(actions: readonly ActionEvent[], destination?: Destination): Promise<DeliveryResult[]> {
      const context = Context.current();
      const targets = destination === undefined || destination.kind === "default" ? sinks : [sinkOf(destination)];
      const progress = context.info.heartbeatDetails as DeliveryProgress | undefined;
      const done: DeliveryResult[] = [...(progress?.done ?? [])];
      for (const action of actions.slice(done.length)) {
        // Paused while the action was on its way: held back here at once; the account keeps it.
        const set = registry.setIfLoaded;
        const playbook = (action.data.playbook as { id?: string } | undefined)?.id;
        if (set !== undefined && playbook !== undefined && set.controls?.[playbook] === "paused") {
          done.push({ id: action.id, heldBy: { id: set.id, loadedAt: set.loadedAt } });
          continue;
        }
        let error: string | undefined;
        for (const sink of targets) {
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
    /**
     * Tells the accounts not on `set` that it is deployed (one batch operation). Without a way to
     * announce (the time-skipping test server has no batch operations) accounts take the set with
     * their next input.
     */
    async announcePlanSet(set: PlanSetRef): Promise<string> {
      return announce === undefined ? "not announced: no batch operations here" : announce(set);
    },
    /** Stores an account's facts for the reports; returns how many were new (a retry stores none twice). */
    async recordFacts(facts: readonly Fact[]): Promise<number> {
      return factSink === undefined ? 0 : factSink.record(facts);
    },
    /** The deployed plan set, and the plan bodies the workflow lacks (a local activity), as JSON bytes. */
    async resolvePlans(request: ResolvePlansRequest): Promise<EncodedPlans> {
      // A worker that lacks the announced set reads the record first; one that has no set yet
      // throws NoPlanSetYet, and the local activity is retried.
      await catchUp?.(request.want);
      return registry.resolveEncoded(request);
    },
  };
}

/** The activity interface the workflow proxies. */
export type Activities = ReturnType<typeof createActivities>;
