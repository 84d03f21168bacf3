// Wait steps: whether one has ended (an event, a trigger, a duration, a date, or its timeout),
// how it reads to a person, and when time alone could end it.
import type { CompiledPlan, PlanStep } from "../compile/plan.js";
import type { CoreRun } from "./core-run.js";
import type { PlayState } from "./core-types.js";
import { describeTriggers, nextTriggerWake, triggerFiring } from "./detect.js";
import type { JourneyEvent } from "./journey-types.js";
import { nextCountExpiry } from "./recent-events.js";
import { durationText as days } from "./duration-text.js";

/** A wait step of a plan. */
export type WaitStep = Extract<PlanStep, { kind: "wait" }>;

/**
 * How a wait ended: `fired` with the reason (and, for a wait's path, where it leads; for a wait
 * that an event ended, the event), `timeout`, or not yet.
 */
export type WaitOutcome =
  | { readonly kind: "fired"; readonly reason: string; readonly goto?: string; readonly event?: JourneyEvent }
  | { readonly kind: "timeout" }
  | undefined;

/** When a date wait (`until: renewal_date, before: 90d`) ends for the account, if its date is known. */
function dateTarget(run: CoreRun, step: WaitStep): number | undefined {
  const raw = step.untilField === undefined ? undefined : run.state.account[step.untilField];
  const date = typeof raw === "string" ? Date.parse(raw) : Number.NaN;
  return Number.isFinite(date) ? date - (step.beforeMs ?? 0) : undefined;
}

/** What a wait step waits for, as decisions and the UI write it. */
export function waitText(plan: CompiledPlan, step: WaitStep): string {
  if (step.any !== undefined) return [...new Set(step.any.map((path) => path.event))].join(" or ");
  if (step.event !== undefined) return step.event;
  if (step.triggers !== undefined) return describeTriggers(plan, step.triggers);
  if (step.durationMs !== undefined) return `${days(step.durationMs)} to pass`;
  const field = step.untilField ?? "a date";
  return step.beforeMs ? `${days(step.beforeMs)} before ${field}` : field;
}

/**
 * Whether the wait a play is in at `step` has ended, given the events since `cursor`; the play's
 * experiment variants are in the conditions' view when `play` is given.
 */
export function waitOutcome(
  run: CoreRun,
  plan: CompiledPlan,
  step: WaitStep,
  since: number,
  cursor: number,
  play?: PlayState,
): WaitOutcome {
  const now = run.now;
  if (step.any !== undefined) {
    // The earliest event that matches a path; for it, the first path it matches.
    for (const event of run.eventsAfter(cursor)) {
      const index = step.any.findIndex(
        (path) => path.event === event.type && (path.when === undefined || run.holds(path.when, event, play)),
      );
      const path = step.any[index];
      if (path === undefined) continue;
      const reason = `${event.type} received${path.label === undefined ? "" : ` (${path.label})`}: path ${index + 1}`;
      return { kind: "fired", reason, event, ...(path.goto === undefined ? {} : { goto: path.goto }) };
    }
  } else if (step.event !== undefined) {
    const type = step.event;
    const match = run
      .eventsAfter(cursor)
      .find((event) => event.type === type && (step.when === undefined || run.holds(step.when, event, play)));
    if (match !== undefined) return { kind: "fired", reason: `${type} received`, event: match };
  } else if (step.triggers !== undefined) {
    const fired = triggerFiring(plan, step.triggers, run.ruleAccount, now, run.eventsAfter(cursor));
    if (fired !== undefined) return { kind: "fired", reason: `trigger ${fired.name}`, event: fired.event };
  } else if (step.durationMs !== undefined) {
    if (now >= since + step.durationMs) return { kind: "fired", reason: `${waitText(plan, step)} reached` };
  } else {
    const target = dateTarget(run, step);
    if (target !== undefined && now >= target) return { kind: "fired", reason: `${waitText(plan, step)} reached` };
  }
  if (step.timeoutMs !== undefined && now >= since + step.timeoutMs) return { kind: "timeout" };
  return undefined;
}

/** The next time the passage of time alone could end the wait (a window opening, a duration, a timeout). */
export function waitWake(run: CoreRun, plan: CompiledPlan, step: WaitStep, since: number): number | undefined {
  let at = step.timeoutMs === undefined ? Infinity : since + step.timeoutMs;
  if (step.triggers !== undefined) {
    at = Math.min(at, nextTriggerWake(plan, step.triggers, run.state.account, run.now));
    // A count over a sliding window can change with no new event: look again when one ages out.
    at = Math.min(at, nextCountExpiry(run.state.recent ?? [], plan, run.now) ?? Infinity);
  } else if (step.durationMs !== undefined) at = Math.min(at, since + step.durationMs);
  else if (step.event === undefined && step.any === undefined) at = Math.min(at, dateTarget(run, step) ?? Infinity);
  return at === Infinity ? undefined : at;
}

const iso = (at: number): string => new Date(at).toISOString();

/** The wait a play is in, in words, and until when (ISO), for the API and the UI. */
export function describePlayWait(
  plan: CompiledPlan,
  play: PlayState,
  step: PlanStep | undefined,
): { waitingFor?: string; waitingUntil?: string } {
  const wait = play.wait;
  if (wait === undefined || step === undefined) return {};
  switch (wait.kind) {
    case "step": {
      if (step.kind !== "wait") return {};
      const until = step.timeoutMs === undefined ? undefined : wait.since + step.timeoutMs;
      return { waitingFor: waitText(plan, step), ...(until === undefined ? {} : { waitingUntil: iso(until) }) };
    }
    case "send_window":
      return { waitingFor: "the send window", waitingUntil: iso(wait.at) };
    case "approval": {
      const approver = wait.escalated ? plan.discounts?.approval?.escalateTo : plan.discounts?.approval?.approver;
      return {
        waitingFor: `approval of ${step.id} by ${approver ?? "an approver"}`,
        waitingUntil: iso(wait.deadline),
      };
    }
    case "account":
      return { waitingFor: "the account to be free of other plays" };
    case "loop":
      return {
        waitingFor: step.kind === "loop" ? `the loop to ${step.to}` : "the loop",
        waitingUntil: iso(wait.at),
      };
  }
}
