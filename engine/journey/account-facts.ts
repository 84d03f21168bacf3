// The facts the reports count: what happened to an account and its plays, each with a stable id
// and its business time: for what happened to the account (ARR, deals, churn) the event's `at`, so a
// backfilled CRM history counts at its dates; for what a play did, the engine's time, since the
// play did it then. The core derives them from one input by comparing the account before and
// after it (facts never change what the core decides), so the account workflow and the in-process
// runner emit the same facts for the same inputs, and a replay or a retried write adds nothing.
import type { CompiledPlan } from "../compile/plan.js";
import type { AccountCoreState, CoreCommand, CoreInput, PlayState } from "./core-types.js";
import type { JourneyEvent, OfferRecord } from "./journey-types.js";

/** How long after an offer a won deal for its sku counts for the play, unless the playbook says. */
export const DEFAULT_ATTRIBUTION_MS = 90 * 86_400_000;

/** Decision kinds that count as suppressions in the reports (the play did not reach the account). */
const SUPPRESSIONS = new Set(["suppressed", "skipped", "held", "blocked"]);

/** One thing that happened, as the analytics database keeps it. */
export interface Fact {
  /** Stable: the same input gives the same id, so a fact is stored once however often it is sent. */
  readonly id: string;
  readonly type:
    | "arr.observed"
    | "account.churned"
    | "deal.closed"
    | "play.entered"
    | "play.engaged"
    | "play.suppressed"
    | "play.ended"
    | "offer.proposed"
    | "approval.decided"
    | "experiment.assigned"
    | "score.band_changed";
  readonly account: string;
  /**
   * Business time (ISO 8601). ARR, deal and churn facts: the event's `at` when it gave one, otherwise
   * when the engine saw it. Play facts: when the engine moved the play.
   */
  readonly at: string;
  readonly playbook?: string;
  /** The play's enrollment (1 for the first). */
  readonly run?: number;
  /** Whether the play's run is in the holdout group. */
  readonly holdout?: boolean;
  readonly data: Readonly<Record<string, unknown>>;
}

/** What facts are derived from: the parts of the account an input may change. */
export interface FactBaseline {
  readonly arr: number | undefined;
  readonly plays: ReadonlyMap<string, PlaySummary>;
}

interface PlaySummary {
  readonly run: number;
  readonly status: PlayState["status"];
  readonly engaged: boolean;
  readonly offers: ReadonlyMap<string, OfferRecord["status"]>;
  readonly experiments: ReadonlySet<string>;
}

const offerKey = (offer: OfferRecord): string => `${offer.step}@${offer.at}`;

/** The ARR a snapshot states, when it is a number. */
export function arrOf(account: object): number | undefined {
  const arr = (account as { readonly arr?: unknown }).arr;
  return typeof arr === "number" && Number.isFinite(arr) ? arr : undefined;
}

/** Takes the baseline before an input is applied. */
export function factBaseline(state: AccountCoreState): FactBaseline {
  const plays = new Map<string, PlaySummary>();
  for (const play of Object.values(state.plays))
    plays.set(play.playbookId, {
      run: play.run,
      status: play.status,
      engaged: play.engaged,
      offers: new Map(play.offers.map((offer) => [offerKey(offer), offer.status])),
      experiments: new Set(Object.keys(play.experiments ?? {})),
    });
  return { arr: arrOf(state.account), plays };
}

/** The business time of an input: a valid `at` of its event, else the engine's time. */
export function businessTime(input: CoreInput, now: number): string {
  const at = input.kind === "event" ? Date.parse(input.event.at ?? "") : Number.NaN;
  return new Date(Number.isFinite(at) ? at : now).toISOString();
}

/** What the deal event says, as the reports read it. */
function dealData(event: JourneyEvent): Record<string, unknown> {
  const data = event.data ?? {};
  const outcome = data.outcome === "won" || data.outcome === "closed_won" ? "won" : "lost";
  const amount = typeof data.amount === "number" && Number.isFinite(data.amount) ? data.amount : 0;
  return {
    outcome,
    amount,
    ...(typeof data.sku === "string" ? { sku: data.sku } : {}),
    ...(typeof data.reason === "string" ? { reason: data.reason.slice(0, 200) } : {}),
  };
}

/**
 * The play a deal counts for: the latest offer for the deal's sku (or, for a deal without one, any
 * offer) proposed to the account within its playbook's attribution window before the deal.
 */
export function attributeDeal(
  state: AccountCoreState,
  at: number,
  sku: string | undefined,
  planOf: (play: PlayState) => CompiledPlan | undefined,
): { playbook: string; offeredAt: string; sku?: string } | undefined {
  let best: { playbook: string; offeredAt: string; sku?: string } | undefined;
  let bestTime = Number.NEGATIVE_INFINITY;
  for (const play of Object.values(state.plays)) {
    if (play.holdout) continue;
    const windowMs = planOf(play)?.attributionMs ?? DEFAULT_ATTRIBUTION_MS;
    for (const record of play.offers) {
      if (record.status === "awaiting_approval" || record.status === "rejected" || record.status === "withdrawn")
        continue;
      const offered = Date.parse(record.at);
      const skus = [record.offer.sku, ...(record.offer.bundle ?? [])].filter((s) => s !== undefined);
      if (sku !== undefined && !skus.includes(sku)) continue;
      if (offered > at || at - offered > windowMs) continue;
      if (offered <= bestTime) continue;
      bestTime = offered;
      best = {
        playbook: play.playbookId,
        offeredAt: record.at,
        ...(record.offer.sku === undefined ? {} : { sku: record.offer.sku }),
      };
    }
  }
  return best;
}

/** The facts of one input: the account's ARR and deals, and each play's steps through the funnel. */
export function collectFacts(
  before: FactBaseline,
  state: AccountCoreState,
  input: CoreInput,
  commands: readonly CoreCommand[],
  context: { readonly now: number; readonly planOf: (play: PlayState) => CompiledPlan | undefined },
): Fact[] {
  const facts: Fact[] = [];
  const account = state.accountId;
  const at = businessTime(input, context.now);
  const now = new Date(context.now).toISOString();
  // An input's own key: the event's id, or the time a snapshot or timer arrived.
  const key = input.kind === "event" ? `e:${input.event.id}` : `${input.kind}:${now}`;

  const arr = arrOf(state.account);
  const event = input.kind === "event" ? input.event : undefined;
  const stated = event?.type === "account.updated" ? arrOf(event.data ?? {}) : undefined;
  if (event?.type === "account.churned" || (arr === 0 && (before.arr ?? 0) > 0)) {
    facts.push({ id: `${account}:churn:${key}`, type: "account.churned", account, at, data: { before: before.arr } });
    facts.push({
      id: `${account}:arr:${key}`,
      type: "arr.observed",
      account,
      at,
      data: { arr: 0, before: before.arr },
    });
  } else if (stated !== undefined) {
    // An update that states the ARR is an observation at its time, even a backfilled one older
    // than the snapshot (which keeps the newer value: see applyEvent).
    facts.push({
      id: `${account}:arr:${key}`,
      type: "arr.observed",
      account,
      at,
      data: { arr: stated, before: before.arr },
    });
  } else if (arr !== undefined && arr !== before.arr) {
    facts.push({ id: `${account}:arr:${key}`, type: "arr.observed", account, at, data: { arr, before: before.arr } });
  }
  if (event?.type === "deal.closed") {
    const deal = dealData(event);
    const attributed = attributeDeal(state, Date.parse(at), deal.sku as string | undefined, context.planOf);
    facts.push({
      id: `${account}:deal:${event.id}`,
      type: "deal.closed",
      account,
      at,
      ...(attributed === undefined ? {} : { playbook: attributed.playbook }),
      data: { ...deal, ...(attributed === undefined ? {} : { offered_at: attributed.offeredAt }) },
    });
  }

  for (const play of Object.values(state.plays)) {
    const was = before.plays.get(play.playbookId);
    const sameRun = was !== undefined && was.run === play.run;
    const base = { account, playbook: play.playbookId, run: play.run, holdout: play.holdout };
    const id = (suffix: string): string => `${account}:${play.playbookId}:${play.run}:${suffix}`;
    const variants = play.experiments ?? {};
    const plan = context.planOf(play);
    if (play.status !== "detecting" && (!sameRun || was.status === "detecting"))
      facts.push({
        ...base,
        id: id("entered"),
        type: "play.entered",
        at: now,
        data: {
          version: play.version,
          ...(plan === undefined ? {} : { motion: plan.motion }),
          attribution_ms: plan?.attributionMs ?? DEFAULT_ATTRIBUTION_MS,
          ...(play.event === undefined ? {} : { trigger: play.event.type }),
        },
      });
    for (const [name, variant] of Object.entries(variants))
      if (!sameRun || !was.experiments.has(name))
        facts.push({
          ...base,
          id: id(`experiment:${name}`),
          type: "experiment.assigned",
          at: now,
          data: { experiment: name, variant },
        });
    if (play.engaged && (!sameRun || !was.engaged))
      facts.push({ ...base, id: id("engaged"), type: "play.engaged", at: now, data: { stage: play.stage } });
    for (const offer of play.offers) {
      // Offers carried over from an earlier run were counted then.
      if (Date.parse(offer.at) < Date.parse(play.startedAt)) continue;
      const previous = sameRun ? was.offers.get(offerKey(offer)) : undefined;
      const terms = {
        step: offer.step,
        ...(offer.offer.sku === undefined ? {} : { sku: offer.offer.sku }),
        ...(offer.offer.plan === undefined ? {} : { plan: offer.offer.plan }),
        ...(offer.offer.quantity === undefined ? {} : { quantity: offer.offer.quantity }),
        ...(offer.offer.price === undefined ? {} : { price: offer.offer.price }),
        discount: offer.offer.discount,
      };
      const pending = (status: OfferRecord["status"] | undefined): boolean =>
        status === undefined || status === "awaiting_approval";
      // Decided by an approver: approved (the offer goes out) or rejected.
      const decided =
        !pending(offer.status) &&
        (previous === "awaiting_approval" || (previous === undefined && offer.status === "rejected"));
      if (decided)
        facts.push({
          ...base,
          id: id(`approval:${offerKey(offer)}`),
          type: "approval.decided",
          at: now,
          data: { ...terms, approved: offer.status !== "rejected" },
        });
      if (pending(previous) && !pending(offer.status) && offer.status !== "rejected")
        facts.push({ ...base, id: id(`offer:${offerKey(offer)}`), type: "offer.proposed", at: now, data: terms });
    }
    if (play.status === "ended" && (!sameRun || was.status !== "ended"))
      facts.push({
        ...base,
        id: id("ended"),
        type: "play.ended",
        at: now,
        data: { outcome: play.outcome ?? "completed" },
      });
  }

  let index = 0;
  for (const command of commands) {
    if (command.kind !== "decision" || command.playbookId === undefined) continue;
    if (!SUPPRESSIONS.has(command.decision.kind)) continue;
    const play = state.plays[command.playbookId];
    const was = before.plays.get(command.playbookId);
    facts.push({
      id: `${account}:${command.playbookId}:suppressed:${key}:${index++}`,
      type: "play.suppressed",
      account,
      at: now,
      playbook: command.playbookId,
      ...(play === undefined ? {} : { run: play.run, holdout: play.holdout }),
      data: {
        kind: command.decision.kind,
        reason: command.decision.reason,
        stage: command.decision.stage,
        // Suppressed while detecting: a trigger fired and the play did not enter.
        detecting: was?.status === "detecting" && play?.status === "detecting",
      },
    });
  }
  return facts;
}
