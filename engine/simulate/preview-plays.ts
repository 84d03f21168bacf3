// `playloop preview`: who would enter each play now, and why the others would not. The same
// checks the journey core makes before a play's first outreach (holdout, exit conditions,
// suppressions, requirements, the entry trigger, arbitration between plays), run with compiled
// rules over a whole CRM export at once: plain data in, a report out, no Temporal, no clock.
import type { CompiledPlan, PlanCondition, PlanTrigger } from "../compile/plan.js";
import { entryTriggerWait, ruleContext } from "../journey/detect.js";
import { scoreAccount, scoreFields } from "../journey/expansion-score.js";
import { isHeldOut } from "../journey/holdout.js";
import type { AccountSnapshot } from "../journey/journey-types.js";
import { compileRule } from "../rules/compile-rule.js";
import type { JsonLogicRule, RuleFunction } from "../rules/rule-types.js";
import type { AccountPolicy } from "../validate/validate-policy.js";

/** How many example account ids a reason keeps. */
export const PREVIEW_EXAMPLES = 5;
/** How many contested accounts the report lists (all are counted). */
export const PREVIEW_CONTESTS = 50;

/** The reason an account would enter now, as the report counts it. */
export const ENTERS = "enters now";
const HELD_OUT = "holdout: enters, no actions";

/** One play's preview: how many accounts, how many eligible, how many would enter, and why not. */
export interface PlayPreview {
  readonly playbook: string;
  readonly name: string;
  readonly priority: number;
  readonly accounts: number;
  /** Accounts that pass the holdout, the exit conditions and the eligibility (whether or not a trigger fires). */
  readonly eligible: number;
  /**
   * Eligible accounts whose entry trigger holds now (an event trigger's condition: on its next
   * event) and that no other play would hold.
   */
  readonly entering: number;
  /** Every account's reason, counted: `enters now`, `suppressed: at_risk`, `no trigger: capacity (usage.updated)`, ... */
  readonly reasons: Readonly<Record<string, number>>;
  /** A few account ids for each reason. */
  readonly examples: Readonly<Record<string, readonly string[]>>;
  /** Accounts another play would also enter: won here, or lost to the play named. */
  readonly contests: { readonly won: number; readonly lost: Readonly<Record<string, number>> };
}

/** An account more than one play would enter now, and the one that would hold it. */
export interface ContestedAccount {
  readonly account: string;
  readonly plays: readonly string[];
  readonly winner: string;
  readonly why: string;
}

export interface PreviewReport {
  readonly at: string;
  readonly accounts: number;
  readonly plays: readonly PlayPreview[];
  /** How many accounts more than one play would enter. */
  readonly contested: number;
  /** The first PREVIEW_CONTESTS of them. */
  readonly contests: readonly ContestedAccount[];
}

interface CompiledCondition {
  /** The reason counted when it decides (`suppressed: at_risk`), built once. */
  readonly reason: string;
  readonly holds: RuleFunction;
}

interface CompiledTrigger {
  readonly name: string;
  readonly trigger: PlanTrigger;
  readonly holds: RuleFunction;
  /** The condition reads the event itself (`event.data.department`): only the event can tell. */
  readonly readsEvent: boolean;
  /** The reason counted when it holds: `enters now`, or `enters on the next <event>`. */
  readonly enters: string;
}

/** Whether a rule reads a `var` under `event` anywhere. */
function readsEvent(rule: unknown): boolean {
  if (Array.isArray(rule)) return rule.some(readsEvent);
  if (typeof rule !== "object" || rule === null) return false;
  return Object.entries(rule).some(([op, args]) => {
    if (op !== "var") return readsEvent(args);
    const path: unknown = Array.isArray(args) ? args[0] : args;
    return typeof path === "string" ? path === "event" || path.startsWith("event.") : readsEvent(path);
  });
}

/** A plan's checks compiled once for the whole export. */
interface PlayChecks {
  readonly plan: CompiledPlan;
  readonly exit: readonly CompiledCondition[];
  readonly suppress: readonly CompiledCondition[];
  readonly require: readonly CompiledCondition[];
  /** The entry wait's triggers; undefined when the journey does not start with one (it enters at once). */
  readonly triggers?: readonly CompiledTrigger[];
  /** `no trigger: capacity (usage.updated) or renewal_window`. */
  readonly noTrigger: string;
  /** The reasons that mean the account would enter (`enters now`, `enters on the next <event>`). */
  readonly entering: ReadonlySet<string>;
}

/** Turns a rule into a function of the rule context: compileRule, or the interpreter for a baseline. */
export type RuleCompiler = (rule: JsonLogicRule) => RuleFunction;

function playChecks(plan: CompiledPlan, compile: RuleCompiler = compileRule): PlayChecks {
  const compiled =
    (prefix: string) =>
    (condition: PlanCondition): CompiledCondition => ({
      reason: `${prefix}: ${condition.label}`,
      holds: compile(condition.rule),
    });
  const wait = entryTriggerWait(plan);
  const triggers = wait?.triggers.flatMap((name) => {
    const trigger = plan.triggers[name];
    if (trigger === undefined) return [];
    const { rule } = trigger;
    return [
      {
        name,
        trigger,
        holds: compile(rule),
        readsEvent: trigger.kind === "event" && readsEvent(rule),
        enters: trigger.kind === "event" ? `enters on the next ${trigger.event}` : ENTERS,
      },
    ];
  });
  const waitingFor = (triggers ?? [])
    .map(({ name, trigger }) => (trigger.kind === "event" ? `${name} (${trigger.event})` : name))
    .join(" or ");
  return {
    plan,
    exit: plan.exit.map(compiled("exited")),
    suppress: plan.eligibility.suppress.map(compiled("suppressed")),
    require: plan.eligibility.require.map(compiled("not eligible")),
    ...(triggers === undefined ? {} : { triggers }),
    noTrigger: `no trigger: ${waitingFor}`,
    entering: new Set([ENTERS, ...(triggers ?? []).map((t) => t.enters)]),
  };
}

const holds = (fn: RuleFunction, context: unknown): boolean => fn(context) === true;

/** What a play makes of an account now: whether it would get the first outreach, and the reason counted. */
export interface Verdict {
  readonly enters: boolean;
  readonly eligible: boolean;
  /** Whether the entry trigger holds on the account as it is (true when the journey has none). */
  readonly fires: boolean;
  readonly reason: string;
  /** The entry trigger that holds on the account as it is, when one does. */
  readonly trigger?: string;
}

/** The first entry trigger that holds on the account as it is, leaving out those that read the event. */
function firingTrigger(checks: PlayChecks, context: unknown): CompiledTrigger | undefined {
  for (const trigger of checks.triggers ?? []) if (!trigger.readsEvent && holds(trigger.holds, context)) return trigger;
  return undefined;
}

/**
 * Why the account would (not) get the play's first outreach now, before arbitration: an entering
 * reason (`checks.entering`) when it would. An event trigger's condition is read on the account as
 * it is: when the account meets it, the play enters on the trigger's next event (`enters on the
 * next usage.updated`); a condition that reads the event itself waits for one (`no trigger: ...`).
 */
function reasonFor(checks: PlayChecks, account: AccountSnapshot, context: unknown): string {
  const { plan } = checks;
  if (isHeldOut(plan.id, account.id, plan.holdout)) return HELD_OUT;
  for (const condition of checks.exit) if (holds(condition.holds, context)) return condition.reason;
  for (const condition of checks.suppress) if (holds(condition.holds, context)) return condition.reason;
  for (const condition of checks.require) if (!holds(condition.holds, context)) return condition.reason;
  if (checks.triggers === undefined) return ENTERS;
  return firingTrigger(checks, context)?.enters ?? checks.noTrigger;
}

/** One play's verdict on single accounts, before arbitration (its rules compiled once). */
export function playVerdicts(plan: CompiledPlan): (account: AccountSnapshot, now: number) => Verdict {
  const checks = playChecks(plan);
  return (account, now) => {
    const context = ruleContext(account, now);
    const reason = reasonFor(checks, account, context);
    const enters = checks.entering.has(reason);
    const firing = checks.triggers === undefined ? undefined : firingTrigger(checks, context);
    const fires = checks.triggers === undefined || firing !== undefined;
    return {
      enters,
      eligible: enters || reason === checks.noTrigger,
      fires,
      reason,
      ...(firing === undefined ? {} : { trigger: firing.name }),
    };
  };
}

/** Counts reasons and keeps a few examples of each, for one play. */
class PlayTally {
  accounts = 0;
  eligible = 0;
  entering = 0;
  won = 0;
  readonly lost: Record<string, number> = {};
  private readonly byReason = new Map<string, { count: number; examples: string[] }>();

  constructor(readonly checks: PlayChecks) {}

  count(reason: string, accountId: string): void {
    const entry = this.byReason.get(reason);
    if (entry === undefined) this.byReason.set(reason, { count: 1, examples: [accountId] });
    else if (++entry.count <= PREVIEW_EXAMPLES) entry.examples.push(accountId);
  }

  report(): PlayPreview {
    const { plan } = this.checks;
    return {
      playbook: plan.id,
      name: plan.name,
      priority: plan.priority,
      accounts: this.accounts,
      eligible: this.eligible,
      entering: this.entering,
      reasons: Object.fromEntries([...this.byReason].map(([reason, { count }]) => [reason, count])),
      examples: Object.fromEntries([...this.byReason].map(([reason, { examples }]) => [reason, examples])),
      contests: { won: this.won, lost: this.lost },
    };
  }
}

/** Which of the plays that would enter holds the account, by priority, then by the policy. */
function arbitrate(contenders: readonly PlayTally[], policy: AccountPolicy): { winner: PlayTally; why: string } {
  const sorted = [...contenders].sort((a, b) => b.checks.plan.priority - a.checks.plan.priority);
  const [winner, runnerUp] = sorted as [PlayTally, PlayTally];
  const top = winner.checks.plan.priority;
  if (top > runnerUp.checks.plan.priority)
    return { winner, why: `priority ${top} over ${runnerUp.checks.plan.priority}` };
  const why =
    policy.equalPriority === "latest"
      ? `equal priority ${top} (latest): the last to fire takes it`
      : `equal priority ${top} (first_come): the first to fire keeps it`;
  return { winner, why };
}

/**
 * Previews every plan over the accounts at `now`: per play, the accounts that would get its first
 * outreach now and each reason the others would not, with counts and example ids; per account
 * more than one play would enter, which one would hold it.
 */
export function previewPlays(options: {
  readonly plans: readonly CompiledPlan[];
  readonly policy: AccountPolicy;
  readonly accounts: Iterable<AccountSnapshot>;
  readonly now: number;
  /** How rules are evaluated (default compileRule). */
  readonly compile?: RuleCompiler;
}): PreviewReport {
  const tallies = options.plans.map((plan) => new PlayTally(playChecks(plan, options.compile)));
  const contests: ContestedAccount[] = [];
  let contested = 0;
  let accounts = 0;
  const now = new Date(options.now).toISOString();
  const scorecard = options.policy.scorecard;
  for (const account of options.accounts) {
    accounts++;
    // What ruleContext(account, now) gives, with the clock's text built once for the export, and
    // the account's score (`score.<name>`) when a scorecard is deployed.
    const context = {
      ...account,
      now,
      ...(scorecard === undefined ? {} : scoreFields(scoreAccount(scorecard, account, options.now))),
    };
    const contenders: { tally: PlayTally; reason: string }[] = [];
    for (const tally of tallies) {
      tally.accounts++;
      const reason = reasonFor(tally.checks, account, context);
      const enters = tally.checks.entering.has(reason);
      if (enters || reason === tally.checks.noTrigger) tally.eligible++;
      if (enters) contenders.push({ tally, reason });
      else tally.count(reason, account.id);
    }
    if (contenders.length === 0) continue;
    const { winner, why } =
      contenders.length === 1
        ? { winner: contenders[0]?.tally, why: "" }
        : arbitrate(
            contenders.map((c) => c.tally),
            options.policy,
          );
    for (const { tally, reason } of contenders) {
      if (tally === winner) {
        tally.entering++;
        tally.count(reason, account.id);
        if (contenders.length > 1) tally.won++;
        continue;
      }
      const holder = winner?.checks.plan.id ?? "";
      tally.lost[holder] = (tally.lost[holder] ?? 0) + 1;
      tally.count(`suppressed: ${holder} active`, account.id);
    }
    if (contenders.length < 2 || winner === undefined) continue;
    contested++;
    if (contests.length < PREVIEW_CONTESTS)
      contests.push({
        account: account.id,
        plays: contenders.map((c) => c.tally.checks.plan.id),
        winner: winner.checks.plan.id,
        why,
      });
  }
  return {
    at: new Date(options.now).toISOString(),
    accounts,
    plays: tallies.map((tally) => tally.report()),
    contested,
    contests,
  };
}
