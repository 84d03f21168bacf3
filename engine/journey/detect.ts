// The detect stage's trigger wait, readable outside a journey. Journeys use it while they wait in
// detect; the account coordinator uses it to watch a play's triggers itself and start the journey
// only when one fires, so an account that no play has fired for costs one workflow, not six.
import type { CompiledPlan, PlanStep, PlanTrigger } from "../compile/plan.js";
import { evaluate } from "../rules/evaluate.js";
import type { JsonLogicRule } from "../rules/rule-types.js";
import type { AccountSnapshot, JourneyEvent } from "./journey-types.js";

const DAY_MS = 86_400_000;

/** A wait on one or more of the playbook's triggers. */
export type TriggerWait = Extract<PlanStep, { kind: "wait" }> & { readonly triggers: readonly string[] };

/**
 * The context a rule sees: the account, `now`, the event that is being looked at (if any) and the
 * play's experiment variants (`experiments.<name>`), so a step or a branch can depend on them.
 */
export function ruleContext(
  account: AccountSnapshot,
  now: number,
  event?: JourneyEvent,
  experiments?: Readonly<Record<string, string>>,
): Record<string, unknown> {
  const iso = new Date(now).toISOString();
  return {
    ...account,
    now: iso,
    ...(event === undefined ? {} : { event: { type: event.type, data: event.data ?? {}, at: event.at ?? iso } }),
    ...(experiments === undefined ? {} : { experiments }),
  };
}

/** Whether a rule holds for the account (and event) at `now`. */
export function ruleHolds(
  rule: JsonLogicRule,
  account: AccountSnapshot,
  now: number,
  event?: JourneyEvent,
  experiments?: Readonly<Record<string, string>>,
): boolean {
  return evaluate(rule, ruleContext(account, now, event, experiments)) === true;
}

/** The trigger wait a journey starts with, when its first stage opens with one; the coordinator holds it. */
export function entryTriggerWait(plan: CompiledPlan): TriggerWait | undefined {
  const first = plan.stages.find((stage) => stage.name === plan.start)?.steps[0];
  return first?.kind === "wait" && first.triggers !== undefined && first.triggers.length > 0
    ? (first as TriggerWait)
    : undefined;
}

function namedTriggers(plan: CompiledPlan, names: readonly string[]): { name: string; trigger: PlanTrigger }[] {
  return names.flatMap((name) => {
    const trigger = plan.triggers[name];
    return trigger === undefined ? [] : [{ name, trigger }];
  });
}

/** How a trigger wait reads in a decision or a summary: `capacity (usage.updated) or renewal_window`. */
export function describeTriggers(plan: CompiledPlan, names: readonly string[]): string {
  return namedTriggers(plan, names)
    .map(({ name, trigger }) => (trigger.kind === "event" ? `${name} (${trigger.event})` : name))
    .join(" or ");
}

/**
 * The first of the named triggers that fires, and for an event trigger the event that fired it:
 * an event trigger on one of `events`, a window or segment-entry trigger on the account at `now`.
 */
export function triggerFiring(
  plan: CompiledPlan,
  names: readonly string[],
  account: AccountSnapshot,
  now: number,
  events: readonly JourneyEvent[],
): { readonly name: string; readonly event?: JourneyEvent } | undefined {
  for (const { name, trigger } of namedTriggers(plan, names)) {
    if (trigger.kind !== "event") {
      if (ruleHolds(trigger.rule, account, now)) return { name };
      continue;
    }
    const event = events.find((e) => e.type === trigger.event && ruleHolds(trigger.rule, account, now, e));
    if (event !== undefined) return { name, event };
  }
  return undefined;
}

/** When a window trigger next opens for the account, if that is after `now`. */
export function triggerWake(trigger: PlanTrigger, account: AccountSnapshot, now: number): number | undefined {
  if (trigger.kind !== "window") return undefined;
  const raw = account[trigger.field];
  const date = typeof raw === "string" ? Date.parse(raw) : Number.NaN;
  if (!Number.isFinite(date)) return undefined;
  const sign = trigger.direction === "before" ? -1 : 1;
  const opens = date + sign * trigger.opensDays * DAY_MS;
  return opens > now ? opens : undefined;
}

/** The earliest time one of the named window triggers opens, or Infinity. */
export function nextTriggerWake(
  plan: CompiledPlan,
  names: readonly string[],
  account: AccountSnapshot,
  now: number,
): number {
  return Math.min(...namedTriggers(plan, names).map(({ trigger }) => triggerWake(trigger, account, now) ?? Infinity));
}

/** The outcome an `enrollment.exit_on` event ends the journey with, or undefined. */
export function exitEventOutcome(plan: CompiledPlan, event: JourneyEvent): string | undefined {
  if (!(plan.enrollment?.exitOn ?? []).includes(event.type)) return undefined;
  const outcome = event.data?.outcome;
  return typeof outcome === "string" ? (outcome.startsWith("closed_") ? outcome : `closed_${outcome}`) : event.type;
}

/** The outcome when one of the playbook's exit conditions holds for the account, or undefined. */
export function exitConditionOutcome(plan: CompiledPlan, account: AccountSnapshot, now: number): string | undefined {
  const exit = plan.exit.find((condition) => ruleHolds(condition.rule, account, now));
  return exit === undefined ? undefined : `exited: ${exit.label}`;
}
