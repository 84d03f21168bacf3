// `playloop simulate`: every playbook over a whole population on simulated time, with the same
// journey core, arbitration, caps and holdouts as production (engine/simulate/account-runner.ts
// runs each account). Events come from a history file at their times and from synthetic signals;
// the report counts, per play, what production would have done. One account is simulated at a
// time and only its counts are kept, so memory stays flat however large the population.
import type { CompiledPlan } from "../compile/plan.js";
import type { JourneyEvent, AccountSnapshot } from "../journey/journey-types.js";
import type { AccountPolicy } from "../validate/validate-policy.js";
import { AccountRunner } from "./account-runner.js";
import { signalEvents, type SimulatedSignal } from "./simulated-signals.js";

const DAY_MS = 86_400_000;
const WEEK_MS = 7 * DAY_MS;

/** An event with the time it happened, as a history file gives it. */
export type TimedEvent = JourneyEvent & { readonly at: string };

/** What one play did over the simulated period. */
export interface PlaySimulation {
  readonly playbook: string;
  readonly name: string;
  /** Times the play entered (its entry trigger fired), re-entries and loops included. */
  readonly entered: number;
  /** Accounts it entered at least once. */
  readonly accounts_entered: number;
  /** Accounts that got at least one action from it. */
  readonly engaged: number;
  /** Actions delivered, by kind (`crm.task`, `offer.propose`, ...). */
  readonly actions: Readonly<Record<string, number>>;
  readonly offers: number;
  readonly approvals: number;
  /** Accounts held back at least once, by reason (`suppressed: at_risk`, `not eligible: ...`). */
  readonly suppressions: Readonly<Record<string, number>>;
  /** Accounts another play held when this one wanted them, by that play. */
  readonly contests_lost: Readonly<Record<string, number>>;
  /** How its journeys ended, by outcome; `running` for those still going at the end. */
  readonly outcomes: Readonly<Record<string, number>>;
  /** Per week from the start: entries and actions. */
  readonly weekly: { readonly entered: readonly number[]; readonly actions: readonly number[] };
}

export interface SimulationReport {
  readonly start: string;
  readonly end: string;
  readonly days: number;
  readonly seed: number;
  readonly accounts: number;
  readonly events: { readonly history: number; readonly signals: number };
  readonly plays: readonly PlaySimulation[];
  /** Accounts whose simulation stopped on an error (the core refused an input), with the first. */
  readonly errors: { readonly count: number; readonly first?: string };
}

export interface SimulationOptions {
  readonly plans: readonly CompiledPlan[];
  readonly policy: AccountPolicy;
  readonly accounts: readonly AccountSnapshot[];
  /** The history's events by account id, each list in time order. */
  readonly history?: ReadonlyMap<string, readonly TimedEvent[]>;
  readonly signals?: readonly SimulatedSignal[];
  readonly seed: number;
  /** The first simulated instant (epoch ms). */
  readonly start: number;
  readonly days: number;
  /** Called after each account, with how many are done. */
  readonly onProgress?: (done: number) => void;
}

class PlayCounts {
  entered = 0;
  accountsEntered = 0;
  engaged = 0;
  offers = 0;
  approvals = 0;
  readonly actions: Record<string, number> = {};
  readonly suppressions: Record<string, number> = {};
  readonly lost: Record<string, number> = {};
  readonly outcomes: Record<string, number> = {};
  readonly weeklyEntered: number[];
  readonly weeklyActions: number[];

  constructor(
    readonly plan: CompiledPlan,
    weeks: number,
  ) {
    this.weeklyEntered = new Array<number>(weeks).fill(0);
    this.weeklyActions = new Array<number>(weeks).fill(0);
  }

  report(): PlaySimulation {
    return {
      playbook: this.plan.id,
      name: this.plan.name,
      entered: this.entered,
      accounts_entered: this.accountsEntered,
      engaged: this.engaged,
      actions: this.actions,
      offers: this.offers,
      approvals: this.approvals,
      suppressions: this.suppressions,
      contests_lost: this.lost,
      outcomes: this.outcomes,
      weekly: { entered: this.weeklyEntered, actions: this.weeklyActions },
    };
  }
}

const bump = (counts: Record<string, number>, key: string): void => {
  counts[key] = (counts[key] ?? 0) + 1;
};

/** The events one account gets: its history within the period, and its signals, in time order. */
function eventsOf(
  options: SimulationOptions,
  accountId: string,
  end: number,
): { events: TimedEvent[]; history: number; signals: number } {
  const history = (options.history?.get(accountId) ?? []).filter((e) => {
    const at = Date.parse(e.at);
    return at >= options.start && at < end;
  });
  const signals = signalEvents(options.signals ?? [], accountId, options.seed, options.start, end);
  const events =
    signals.length === 0 ? history : [...history, ...signals].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  return { events, history: history.length, signals: signals.length };
}

/** Adds one account's run to the play counts. */
function tally(runner: AccountRunner, byId: ReadonlyMap<string, PlayCounts>, start: number): void {
  const week = (at: number): number => Math.floor((at - start) / WEEK_MS);
  const entered = new Set<string>();
  const engaged = new Set<string>();
  const held = new Set<string>();
  for (const { at, command } of runner.log) {
    const counts = byId.get("playbookId" in command ? (command.playbookId ?? "") : "");
    if (counts === undefined) continue;
    if (command.kind === "deliver") {
      const kind = String(command.action.data.action ?? command.action.type);
      bump(counts.actions, kind);
      if (kind === "offer.propose") counts.offers++;
      if (kind === "approval.request") counts.approvals++;
      engaged.add(counts.plan.id);
      const w = week(at);
      if (w >= 0 && w < counts.weeklyActions.length) counts.weeklyActions[w] = (counts.weeklyActions[w] ?? 0) + 1;
      continue;
    }
    if (command.kind !== "decision") continue;
    const { decision } = command;
    if (decision.kind === "fired" && decision.stage === counts.plan.start) {
      counts.entered++;
      entered.add(counts.plan.id);
      const w = week(at);
      if (w >= 0 && w < counts.weeklyEntered.length) counts.weeklyEntered[w] = (counts.weeklyEntered[w] ?? 0) + 1;
    } else if (decision.kind === "suppressed" && !held.has(`${counts.plan.id}\u0000${decision.reason}`)) {
      held.add(`${counts.plan.id}\u0000${decision.reason}`);
      const winner = /^suppressed: (\S+) active$/.exec(decision.reason)?.[1];
      if (winner !== undefined) bump(counts.lost, winner);
      else bump(counts.suppressions, decision.reason);
    } else if (decision.kind === "ended") {
      bump(counts.outcomes, decision.reason.replace(/^journey ended: /, ""));
    }
  }
  for (const play of Object.values(runner.state.plays)) {
    const counts = byId.get(play.playbookId);
    if (
      counts !== undefined &&
      play.status !== "ended" &&
      entered.has(play.playbookId) &&
      play.stage !== counts.plan.start
    )
      bump(counts.outcomes, "running");
  }
  for (const id of entered) {
    const counts = byId.get(id);
    if (counts !== undefined) counts.accountsEntered++;
  }
  for (const id of engaged) {
    const counts = byId.get(id);
    if (counts !== undefined) counts.engaged++;
  }
}

/** Simulates every account over the period and counts what each play did. */
export function simulatePopulation(options: SimulationOptions): SimulationReport {
  const end = options.start + options.days * DAY_MS;
  const weeks = Math.ceil(options.days / 7);
  const byId = new Map(options.plans.map((plan) => [plan.id, new PlayCounts(plan, weeks)] as const));
  let history = 0;
  let signals = 0;
  let errors = 0;
  let firstError: string | undefined;
  for (const [done, account] of options.accounts.entries()) {
    const given = eventsOf(options, account.id, end);
    history += given.history;
    signals += given.signals;
    const runner = new AccountRunner({ plans: options.plans, account, policy: options.policy, start: options.start });
    try {
      for (const event of given.events) {
        runner.advanceTo(Date.parse(event.at));
        runner.sendEvent(event);
      }
      runner.advanceTo(end);
    } catch (error) {
      errors++;
      firstError ??= `${account.id}: ${error instanceof Error ? error.message : String(error)}`;
    }
    tally(runner, byId, options.start);
    options.onProgress?.(done + 1);
  }
  return {
    start: new Date(options.start).toISOString(),
    end: new Date(end).toISOString(),
    days: options.days,
    seed: options.seed,
    accounts: options.accounts.length,
    events: { history, signals },
    plays: [...byId.values()].map((counts) => counts.report()),
    errors: { count: errors, ...(firstError === undefined ? {} : { first: firstError }) },
  };
}
