// One entity workflow per account runs every play of that account on the deterministic journey
// core. This file only knows Temporal: it turns Updates, timers and activity results into core
// inputs, and the core's commands into activities, a timer and search attributes.
import type { SearchAttributeUpdatePair } from "@temporalio/common";
import * as wf from "@temporalio/workflow";
import type { CompiledPlan } from "../engine/compile/plan.js";
import { canonicalJson } from "../engine/compile/canonical-json.js";
import { applyInput, hasSeenEvent, newAccountState } from "../engine/journey/advance-account.js";
import { accountStanding } from "../engine/journey/account-standing.js";
import { accountDetails, accountView, type AccountView } from "../engine/journey/account-view.js";
import { deliveryReport } from "../engine/journey/delivery-report.js";
import type {
  AccountCoreState,
  CoreCommand,
  CoreContext,
  CoreInput,
  DeliverCommand,
  SearchAttributeValues,
} from "../engine/journey/core-types.js";
import type { Fact } from "../engine/journey/account-facts.js";
import { DEFAULT_DESTINATION, type Destination } from "../engine/journey/route-action.js";
import {
  decodePlans,
  deploySignal,
  eventUpdate,
  isNewerSet,
  stateQuery,
  standingQuery,
  upsertUpdate,
  type AccountWorkflowInput,
  type DeliveryResult,
  type PlanHint,
  type PlanSetRef,
} from "../engine/messages/account-messages.js";
import { SEARCH_ATTRIBUTES } from "../engine/messages/search-attributes.js";
import type { Activities } from "../engine/runtime/activities.js";

const { deliverActions } = wf.proxyActivities<Activities>({
  startToCloseTimeout: "1 minute",
  // A worker that dies mid-delivery stops heartbeating: the delivery moves to another within seconds.
  heartbeatTimeout: "15 seconds",
  // Retried with backoff for up to three days, then the action fails visibly in the play.
  scheduleToCloseTimeout: "3 days",
  retry: {
    initialInterval: "2 seconds",
    backoffCoefficient: 2,
    maximumInterval: "10 minutes",
    nonRetryableErrorTypes: ["DeliveryRejected"],
  },
});

/** The actions bound for one destination, and whether an activity is delivering them. */
interface DeliveryLane {
  readonly key: string;
  readonly destination: Destination | undefined;
  readonly queue: DeliverCommand[];
  busy: boolean;
}

/** `default` named in a route beside others: reported as such, held and resent to it alone. */
const DEFAULT_ROUTE: Destination = { name: DEFAULT_DESTINATION, kind: "default" };

/** Facts for the reports: stored once by id, so a retry adds nothing; retried for as long as deliveries. */
const { recordFacts } = wf.proxyActivities<Activities>({
  startToCloseTimeout: "1 minute",
  scheduleToCloseTimeout: "3 days",
  retry: { initialInterval: "2 seconds", backoffCoefficient: 2, maximumInterval: "10 minutes" },
});

/** The patch that added facts: histories recorded before it replay without the activity. */
export const FACTS_PATCH = "record-facts";

const { resolvePlans } = wf.proxyLocalActivities<Activities>({ startToCloseTimeout: "10 seconds" });

/**
 * The score's attributes: set while a scorecard is deployed, unset once it is not (`scored` holds
 * the band last sent). Accounts that never had a score upsert exactly what they did before.
 */
function scoreUpdates(values: SearchAttributeValues, scored: { band?: string }): SearchAttributeUpdatePair[] {
  const { ExpansionScore, ScoreBand } = SEARCH_ATTRIBUTES;
  if (values.ExpansionScore !== undefined && values.ScoreBand !== undefined) {
    scored.band = values.ScoreBand;
    return [
      { key: ExpansionScore, value: values.ExpansionScore },
      { key: ScoreBand, value: values.ScoreBand },
    ];
  }
  if (scored.band === undefined) return [];
  scored.band = undefined;
  return [
    { key: ExpansionScore, value: null },
    { key: ScoreBand, value: null },
  ];
}

/** Search attribute values as Temporal's typed updates; `paused` is the Paused value last sent, `scored` the band. */
function attributeUpdates(
  values: SearchAttributeValues,
  paused: { value?: string },
  scored: { band?: string },
): SearchAttributeUpdatePair[] {
  const { Plays, Stages, Holdouts, LastSuppression, Paused } = SEARCH_ATTRIBUTES;
  return [
    { key: Plays, value: [...values.Plays] },
    { key: Stages, value: [...values.Stages] },
    { key: Holdouts, value: [...values.Holdouts] },
    ...(values.LastSuppression === undefined ? [] : [{ key: LastSuppression, value: values.LastSuppression }]),
    ...(paused.value === values.Paused ? [] : [{ key: Paused, value: (paused.value = values.Paused) ?? null }]),
    ...scoreUpdates(values, scored),
  ];
}

/** Runs every play of one account. */
export async function account(input: AccountWorkflowInput): Promise<void> {
  const carried = input.carried;
  const plans = new Map<string, CompiledPlan>((carried?.pinned ?? []).map((plan) => [plan.version, plan]));
  let set: PlanSetRef | undefined = carried?.set;
  let core: AccountCoreState | undefined = carried?.core;
  const inputs: CoreInput[] = [];
  /**
   * Actions the core asked for, in order, until their delivery is reported back: one lane per
   * destination, each with its own activities, so a failing destination holds up only its own.
   * Lane "" is `default` (the worker's action log and webhook).
   */
  const lanes = new Map<string, DeliveryLane>();
  /** Facts the core recorded, until the activity has stored them. */
  const facts: { queue: Fact[]; busy: boolean } = { queue: [], busy: false };
  const deliveriesIdle = (): boolean =>
    [...lanes.values()].every((lane) => lane.queue.length === 0 && !lane.busy) &&
    facts.queue.length === 0 &&
    !facts.busy;
  let timer: { readonly at: number; readonly scope: wf.CancellationScope } | undefined;

  const lookup = (version: string): CompiledPlan | undefined => plans.get(version);
  const view = (): AccountView => accountView(core ?? newAccountState(input.accountId), lookup, set?.controls);
  /** The snapshot the account will have once queued inputs are applied: an upsert changes it or not. */
  const latestSnapshot = (): unknown =>
    inputs.findLast((queued) => queued.kind === "snapshot")?.account ?? core?.account;

  /** True for a plan set other than the account's and loaded later: the only kind it moves to. */
  const newer = (ref: PlanHint): boolean => set === undefined || isNewerSet(ref, set);

  wf.setHandler(stateQuery, view);
  wf.setHandler(standingQuery, () => (core === undefined ? null : accountStanding(core)));
  /** A sender's plan set newer than the account's: load the worker's set before the next input. */
  let hinted: PlanHint | undefined;
  const noteHint = (hint: PlanHint | undefined): void => {
    if (hint !== undefined && set !== undefined && newer(hint)) hinted = hint;
  };
  wf.setHandler(
    upsertUpdate,
    (snapshot, hint?) => {
      noteHint(hint);
      const changed = canonicalJson(snapshot) !== canonicalJson(latestSnapshot());
      if (changed) inputs.push({ kind: "snapshot", account: snapshot });
      return { changed };
    },
    {
      validator: (snapshot, _hint?) => {
        if (snapshot.id !== input.accountId) throw new Error(`snapshot for ${snapshot.id} sent to ${input.accountId}`);
      },
    },
  );
  wf.setHandler(
    eventUpdate,
    (event, hint?) => {
      noteHint(hint);
      const duplicate =
        (core !== undefined && hasSeenEvent(core, event.id)) ||
        inputs.some((queued) => queued.kind === "event" && queued.event.id === event.id);
      if (!duplicate) inputs.push({ kind: "event", event });
      return { duplicate };
    },
    {
      validator: (_event, _hint?) => {
        if (core === undefined && !inputs.some((queued) => queued.kind === "snapshot"))
          throw new Error(`account ${input.accountId} has no snapshot yet`);
      },
    },
  );

  /**
   * Loads the worker's plan set and the bodies the workflow lacks (a local activity, recorded in
   * history): when a run starts and when a deploy announces a newer set. An account only moves to
   * a set loaded later than the one it follows, so two workers with different folders cannot make
   * it flap.
   */
  async function loadPlans(want?: PlanHint): Promise<void> {
    const request = { setId: set?.id, have: [...plans.keys()], ...(want === undefined ? {} : { want }) };
    const result = decodePlans(await resolvePlans(request));
    for (const plan of result.plans) plans.set(plan.version, plan);
    if (!newer(result.set)) return;
    const moved = set !== undefined;
    set = result.set;
    planSetChanged = true;
    if (moved && core !== undefined) inputs.unshift({ kind: "plans" });
  }
  /** The Paused search attribute as last sent (it is unset, not left behind, when a play resumes). */
  const pausedSent: { value?: string } =
    core?.attributes?.Paused === undefined ? {} : { value: core.attributes.Paused };
  /** The ScoreBand search attribute as last sent (both score attributes are unset when the scorecard goes). */
  const scoreSent: { band?: string } =
    core?.attributes?.ScoreBand === undefined ? {} : { band: core.attributes.ScoreBand };
  /** The PlanSet search attribute is due: sent with the core's next attributes, or alone. */
  let planSetChanged = false;
  /** A deploy announced a set newer than the account's: load it before the next input. */
  let announced: PlanSetRef | undefined;
  /** A newer set announced or hinted that the answering worker did not have yet. */
  let wanted: PlanHint | undefined;
  wf.setHandler(deploySignal, (next) => {
    if (newer(next)) announced = next;
  });

  function armTimer(at: number, summary: string): void {
    timer?.scope.cancel();
    const scope = new wf.CancellationScope();
    timer = { at, scope };
    scope
      .run(() => wf.sleep(Math.max(1, at - Date.now()), { summary }))
      .then(
        () => {
          if (timer?.scope !== scope) return;
          timer = undefined;
          inputs.push({ kind: "timer" });
        },
        () => undefined,
      );
  }

  /** Queues an action on the lane of each destination it is routed to. */
  function enqueue(delivery: DeliverCommand): void {
    for (const destination of delivery.destinations ?? [undefined]) {
      const key = destination === undefined || destination.kind === "default" ? "" : destination.name;
      let lane = lanes.get(key);
      if (lane === undefined) lanes.set(key, (lane = { key, destination, queue: [], busy: false }));
      lane.queue.push(delivery);
    }
  }

  /** Delivers one lane's actions in order, a batch per activity; each result goes back to the core. */
  async function pump(lane: DeliveryLane): Promise<void> {
    if (lane.busy) return;
    lane.busy = true;
    const routed = lane.key === "" ? undefined : lane.destination;
    const via = routed === undefined ? "" : ` via ${routed.name}`;
    while (lane.queue.length > 0) {
      const batch = lane.queue.slice(0, 20);
      const steps = batch.map((d) => d.step).join(", ");
      let results: readonly DeliveryResult[];
      try {
        const actions = batch.map((d) => d.action);
        results = await deliverActions.executeWithOptions(
          {
            summary: `Deliver ${batch.length === 1 ? batch[0]?.summary.replace(/^Deliver /, "") : `${batch.length} actions (${steps}) to ${input.accountId}${via}`}`,
          },
          // An unrouted action goes out exactly as before routing existed, so old histories replay.
          routed === undefined ? [actions] : [actions, routed],
        );
      } catch (failure) {
        const error =
          failure instanceof wf.ActivityFailure && failure.cause instanceof Error
            ? failure.cause.message
            : String(failure);
        results = batch.map((d) => ({ id: d.action.id, error }));
      }
      lane.queue.splice(0, batch.length);
      batch.forEach((delivery, index) => {
        const result = results[index];
        // Routed deliveries report (and, when held, go out again) per destination.
        const destination = delivery.destinations === undefined ? undefined : (lane.destination ?? DEFAULT_ROUTE);
        // Held by a worker that knows the play is paused: the core keeps it, and the set is loaded.
        if (result?.heldBy !== undefined) {
          noteHint(result.heldBy);
          inputs.push({
            kind: "held",
            delivery: destination === undefined ? delivery : { ...delivery, destinations: [destination] },
          });
        } else inputs.push(deliveryReport(delivery, result?.error, destination?.name));
      });
    }
    lane.busy = false;
  }

  /** Stores the facts in order, up to 200 an activity; a failure is retried by Temporal, never dropped. */
  async function pumpFacts(): Promise<void> {
    if (facts.busy) return;
    facts.busy = true;
    while (facts.queue.length > 0) {
      const batch = facts.queue.slice(0, 200);
      try {
        await recordFacts.executeWithOptions({ summary: `Record ${batch.length} facts of ${input.accountId}` }, [
          batch,
        ]);
      } catch (failure) {
        // Out of retries (three days): the facts are logged, so an operator can load them by hand.
        wf.log.error(`facts not recorded: ${String(failure)}`, { account: input.accountId, facts: batch });
      }
      facts.queue.splice(0, batch.length);
    }
    facts.busy = false;
  }

  function planSetUpdate(): SearchAttributeUpdatePair[] {
    if (!planSetChanged || set === undefined) return [];
    planSetChanged = false;
    return [{ key: SEARCH_ATTRIBUTES.PlanSet, value: set.id }];
  }

  /** Carries out the core's commands; the actions of one input go out together, in one activity. */
  function perform(commands: readonly CoreCommand[]): void {
    for (const command of commands) {
      switch (command.kind) {
        case "deliver":
          enqueue(command);
          break;
        case "set_timer":
          armTimer(command.at, command.summary);
          break;
        case "cancel_timer":
          timer?.scope.cancel();
          timer = undefined;
          break;
        case "decision":
          wf.log.info(`${command.decision.kind}: ${command.decision.reason}`, {
            account: input.accountId,
            playbook: command.playbookId,
            stage: command.decision.stage,
            step: command.decision.step,
          });
          break;
        case "search_attributes":
          wf.upsertSearchAttributes([...attributeUpdates(command.values, pausedSent, scoreSent), ...planSetUpdate()]);
          break;
        case "facts":
          if (wf.patched(FACTS_PATCH)) facts.queue.push(...command.facts);
          break;
      }
    }
    if (facts.queue.length > 0) void pumpFacts();
    for (const lane of lanes.values()) if (lane.queue.length > 0) void pump(lane);
  }

  const context = (): CoreContext => ({
    now: Date.now(),
    plan: lookup,
    current: set?.versions ?? {},
    policy: set?.policy ?? { name: "default", equalPriority: "first_come" },
    ...(set?.controls === undefined ? {} : { controls: set.controls }),
  });
  const tooLong = (): boolean =>
    wf.workflowInfo().continueAsNewSuggested || wf.workflowInfo().historyLength > (input.maxHistoryEvents ?? 2000);

  // A continued run loads its plans at once, so its state query shows every wait before any input.
  if (carried !== undefined) await loadPlans();
  if (core?.timer !== undefined) armTimer(core.timer.at, core.timer.summary);
  for (;;) {
    await wf.condition(() => inputs.length > 0 || announced !== undefined || (tooLong() && deliveriesIdle()));
    if (
      set === undefined ||
      announced !== undefined ||
      hinted !== undefined ||
      (wanted !== undefined && inputs.length > 0)
    ) {
      const asked = [announced, hinted, wanted].filter((ref) => ref !== undefined);
      announced = undefined;
      hinted = undefined;
      await loadPlans(asked.find(newer));
      // The worker that answered may not have the announced set yet (a rolling restart): ask again
      // with the next input, until a worker that has it (or a newer one) answers.
      wanted = asked.find(newer);
    }
    if (inputs.length === 0) {
      if (!(tooLong() && deliveriesIdle())) continue;
      await wf.condition(wf.allHandlersFinished);
      if (inputs.length > 0) continue;
      const current = new Set(Object.values(set?.versions ?? {}));
      const pinned = [...new Set(Object.values(core?.plays ?? {}).map((play) => play.version))]
        .filter((version) => !current.has(version))
        .flatMap((version) => plans.get(version) ?? []);
      if (core === undefined || set === undefined) return;
      return wf.continueAsNew<typeof account>({
        accountId: input.accountId,
        carried: { core, set, pinned },
        ...(input.maxHistoryEvents === undefined ? {} : { maxHistoryEvents: input.maxHistoryEvents }),
      });
    }
    for (let next = inputs.shift(); next !== undefined; next = inputs.shift()) {
      if (core === undefined) {
        if (next.kind !== "snapshot") continue;
        core = newAccountState(input.accountId);
      }
      perform(applyInput(core, next, context()).commands);
    }
    if (planSetChanged) wf.upsertSearchAttributes(planSetUpdate());
    // Keep only the plan bodies the account can still use: the deployed set's and those plays follow.
    if (core !== undefined && plans.size > Object.keys(set?.versions ?? {}).length) {
      const used = new Set([...Object.values(set?.versions ?? {}), ...Object.values(core.plays).map((p) => p.version)]);
      for (const version of plans.keys()) if (!used.has(version)) plans.delete(version);
    }
    wf.setCurrentDetails(accountDetails(view()));
  }
}
