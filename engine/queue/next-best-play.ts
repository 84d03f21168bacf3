// The next best play for one account: of the plays by priority, the first whose eligibility holds
// and that nothing blocks, with its offer and why; the reason for each play above it. The play's
// own checks are preview's (holdout, exit conditions, suppressions, requirements, consent, tenure,
// the entry trigger); with the account's state (on Temporal) also what the core would weigh: a
// play in progress or ended, the account's holder, the offer caps and cooldowns, the touch caps.
import type { CompiledPlan, PlanOffer, PlanStep } from "../compile/plan.js";
import type { AccountStanding } from "../journey/account-standing.js";
import type { AccountScore } from "../journey/expansion-score.js";
import { durationText } from "../journey/duration-text.js";
import type { AccountSnapshot } from "../journey/journey-types.js";
import { frequencyBreach } from "../journey/offer-frequency.js";
import { fenceDecision } from "../journey/offer-fence.js";
import { ruleAccount } from "../journey/rule-account.js";
import { touchCapReached, touchChannel } from "../journey/touch-policy.js";
import { evaluate } from "../rules/evaluate.js";
import { playVerdicts, type Verdict } from "../simulate/preview-plays.js";
import type { AccountPolicy } from "../validate/validate-policy.js";

type ActionStep = Extract<PlanStep, { kind: "action" }>;

/** The offer a play would make, in the plan's units (`discount` a fraction). */
export interface QueueOffer {
  /** The offer step, such as `commit.1`. */
  readonly step: string;
  readonly sku?: string;
  readonly plan?: string;
  readonly quantity?: number | string;
  readonly bundle?: readonly string[];
  readonly price?: number;
  readonly listTotal?: number;
  readonly discount: number;
  /** Why the offer would wait for an approver (the fence's threshold), when it would. */
  readonly approval?: string;
}

/** The play to run next, and why it may. */
export interface PlayChoice {
  readonly playbook: string;
  readonly name: string;
  readonly motion: CompiledPlan["motion"];
  readonly priority: number;
  readonly offer?: QueueOffer;
  /** Its entry trigger, the requirements that hold, the suppressions that do not. */
  readonly why: readonly string[];
}

/** A play that may not go now, and why (`suppressed: at_risk`, `not eligible: consent.marketing`, ...). */
export interface BlockedPlay {
  readonly playbook: string;
  readonly priority: number;
  readonly reason: string;
}

/** The next best play, if any, and what blocks each play above it (every play when there is none). */
export interface PlayPick {
  readonly next?: PlayChoice;
  readonly blocked: readonly BlockedPlay[];
}

/** One account for the queue: its snapshot, its score, and its state when it runs on Temporal. */
export interface QueueAccount {
  readonly account: AccountSnapshot;
  readonly score?: AccountScore;
  readonly standing?: AccountStanding;
}

/** A plan's parts the pick reads, found once. */
interface PlanPicker {
  readonly plan: CompiledPlan;
  readonly verdict: (account: AccountSnapshot, now: number) => Verdict;
  /** The first action of its journey: the channel its first touch goes out on. */
  readonly firstAction?: ActionStep;
  /** Its first offer step. */
  readonly offerStep?: ActionStep & { readonly offer: PlanOffer };
}

function actions(plan: CompiledPlan): ActionStep[] {
  return plan.stages.flatMap((stage) => stage.steps.filter((step): step is ActionStep => step.kind === "action"));
}

function picker(plan: CompiledPlan): PlanPicker {
  const steps = actions(plan);
  const offerStep = steps.find((step): step is ActionStep & { offer: PlanOffer } => step.offer !== undefined);
  const firstAction = steps[0];
  return {
    plan,
    verdict: playVerdicts(plan),
    ...(firstAction === undefined ? {} : { firstAction }),
    ...(offerStep === undefined ? {} : { offerStep }),
  };
}

/** Why the account's state keeps the play from going next, or undefined. */
function stateBlock(
  picked: PlanPicker,
  standing: AccountStanding,
  policy: AccountPolicy,
  now: number,
): string | undefined {
  const { plan } = picked;
  const play = standing.plays[plan.id];
  if (play?.status === "running") return `in progress: ${play.stage} since ${play.startedAt.slice(0, 10)}`;
  if (play?.status === "ended") {
    const reentry = plan.enrollment?.reentry ?? "always";
    if (reentry === "never") return `ended (${play.outcome ?? "completed"}); it never re-enters`;
    const ended = Date.parse(play.endedAt ?? play.startedAt);
    if (reentry !== "always" && now - ended < reentry)
      return `ended (${play.outcome ?? "completed"}); it may re-enter from ${new Date(ended + reentry).toISOString().slice(0, 10)}`;
  }
  const holder = standing.active;
  if (holder !== undefined && holder.playbookId !== plan.id) {
    const wins =
      plan.priority > holder.priority || (plan.priority === holder.priority && policy.equalPriority === "latest");
    if (!wins) return `suppressed: ${holder.playbookId} active`;
  }
  if (picked.offerStep !== undefined) {
    const live = (play?.offers ?? []).filter((o) => o.status !== "rejected" && o.status !== "withdrawn");
    const own = frequencyBreach(live, plan.eligibility.frequency, now);
    if (own !== undefined)
      return own.kind === "cap"
        ? `frequency: ${own.recent} offer(s) in the last ${durationText(own.perMs)}`
        : `cooldown: an offer was declined ${durationText(own.sinceMs)} ago`;
    const account = frequencyBreach(standing.offers, policy.frequency, now);
    if (account !== undefined)
      return account.kind === "cap"
        ? `suppressed: account cap of ${account.maxOffers} offers per ${durationText(account.perMs)} reached`
        : `suppressed: cooldown after a declined offer (${standing.offers.filter((o) => o.status === "declined").at(-1)?.playbookId ?? "another play"})`;
  }
  if (picked.firstAction !== undefined)
    return touchCapReached(standing.touches ?? [], policy, touchChannel(picked.firstAction), now);
  return undefined;
}

/** Why the play may go: its trigger, the requirements that hold, the suppressions that do not. */
function reasons(plan: CompiledPlan, verdict: Verdict): string[] {
  const trigger = verdict.trigger === undefined ? undefined : plan.triggers[verdict.trigger];
  const fired =
    trigger === undefined
      ? "no entry trigger: it enters at once"
      : `trigger ${verdict.trigger ?? ""}${trigger.description === undefined ? "" : ` (${trigger.description.replace(/\.$/, "")})`}: ${verdict.reason}`;
  const require = plan.eligibility.require.map((c) => c.label);
  const suppress = plan.eligibility.suppress.map((c) => c.label);
  return [
    fired,
    ...(require.length === 0 ? [] : [`eligible: ${require.join(", ")}`]),
    ...(suppress.length === 0 ? [] : [`not suppressed: ${suppress.join(", ")}`]),
  ];
}

/** The offer as the queue shows it; a fence that would block it blocks the play. */
function offerOf(
  picked: PlanPicker,
  context: Readonly<Record<string, unknown>>,
): { offer?: QueueOffer; blocked?: string } {
  const step = picked.offerStep;
  if (step === undefined) return {};
  const { plan } = picked;
  const fence = fenceDecision(plan, step.offer, context, (segment) => {
    const rule = plan.segments[segment];
    return rule !== undefined && evaluate(rule, context) === true;
  });
  if (fence.kind === "blocked") return { blocked: `blocked: ${fence.reason}` };
  const o = step.offer;
  return {
    offer: {
      step: step.id,
      ...(o.sku === undefined ? {} : { sku: o.sku }),
      ...(o.plan === undefined ? {} : { plan: o.plan }),
      ...(o.quantity === undefined ? {} : { quantity: o.quantity }),
      ...(o.bundle === undefined ? {} : { bundle: o.bundle }),
      ...(o.price === undefined ? {} : { price: o.price }),
      ...(o.listTotal === undefined ? {} : { listTotal: o.listTotal }),
      discount: o.discount,
      ...(fence.kind === "approval" ? { approval: fence.reason } : {}),
    },
  };
}

/**
 * The next best play for accounts, the plans' rules compiled once: by priority (then id), the first
 * play that would enter now and that nothing blocks.
 */
export function nextBestPlays(
  plans: readonly CompiledPlan[],
  policy: AccountPolicy,
): (entry: QueueAccount, now: number) => PlayPick {
  const pickers = [...plans]
    .sort((a, b) => b.priority - a.priority || a.id.localeCompare(b.id))
    .map((plan) => picker(plan));
  return (entry, now) => {
    const account = ruleAccount(entry.account, now, entry.standing?.recent, entry.score);
    const context = { ...account, now: new Date(now).toISOString() };
    const blocked: BlockedPlay[] = [];
    for (const picked of pickers) {
      const { plan } = picked;
      const block = (reason: string): void => {
        blocked.push({ playbook: plan.id, priority: plan.priority, reason });
      };
      const stated = entry.standing === undefined ? undefined : stateBlock(picked, entry.standing, policy, now);
      if (stated !== undefined) {
        block(stated);
        continue;
      }
      const verdict = picked.verdict(account, now);
      if (!verdict.enters) {
        block(verdict.reason);
        continue;
      }
      const { offer, blocked: fenced } = offerOf(picked, context);
      if (fenced !== undefined) {
        block(fenced);
        continue;
      }
      const why = reasons(plan, verdict);
      return {
        next: {
          playbook: plan.id,
          name: plan.name,
          motion: plan.motion,
          priority: plan.priority,
          ...(offer === undefined ? {} : { offer }),
          why,
        },
        blocked,
      };
    }
    return { blocked };
  };
}
