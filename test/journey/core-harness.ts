// A tiny driver for the journey core in unit tests: it keeps one account's core state and a
// simulated clock, advances the core by one input at a time, fires the timer the core asked for
// when the clock passes it, and answers every `deliver` command with a `delivered` input the way
// the account workflow's runner does. Every command is kept, with the time it was issued.
import { compilePlaybook, DEFAULT_POLICY, type AccountPolicy, type CompiledPlan } from "../../engine/index.js";
import { deliveryReport } from "../../engine/journey/delivery-report.js";
import { advanceAccount, newAccountState } from "../../engine/journey/advance-account.js";
import type {
  AccountCoreState,
  CoreCommand,
  CoreContext,
  CoreInput,
  PlayControl,
  PlayState,
} from "../../engine/journey/core-types.js";
import type { AccountSnapshot } from "../../engine/journey/journey-types.js";
import { validatePolicy } from "../../engine/validate/validate-policy.js";
import { readRepoFile } from "../helpers.js";

export const DAY = 86_400_000;
export const HOUR = 3_600_000;
/** Monday 5 January 2026, 10:00 UTC: the start of every simulated clock. */
export const START = Date.parse("2026-01-05T10:00:00Z");

/** A command the core issued, with the simulated time it was issued at. */
export interface LoggedCommand {
  readonly at: number;
  readonly command: CoreCommand;
}

/** A deliver command, for the helpers that look at deliveries. */
export type DeliverCommand = Extract<CoreCommand, { kind: "deliver" }>;

export interface HarnessOptions {
  /** Every plan the runner knows (by version); the first of each playbook id is deployed unless `current` says otherwise. */
  readonly plans: readonly CompiledPlan[];
  readonly account: AccountSnapshot;
  readonly policy?: AccountPolicy;
  /** The deployed plan set (playbook id to version). */
  readonly current?: Readonly<Record<string, string>>;
  readonly start?: number;
  /** When it returns a string, the delivery of that command fails with it as the error. */
  readonly deliveryError?: (command: DeliverCommand) => string | undefined;
  /** Sends the initial snapshot at construction (default true). */
  readonly initialSnapshot?: boolean;
}

/** Compiles a playbook's YAML text, failing the test on any diagnostic that stops it. */
export function compileText(text: string, file = "inline.yaml"): CompiledPlan {
  const { plan, diagnostics } = compilePlaybook(text, file);
  if (plan === undefined) throw new Error(`${file} does not compile: ${JSON.stringify(diagnostics)}`);
  return plan;
}

/** Compiles a playbook file of the repository. */
export function compileFile(file: string): CompiledPlan {
  return compileText(readRepoFile(file), file);
}

/** Reads a policy file (or YAML text) into an AccountPolicy. */
export function policyText(text: string): AccountPolicy {
  const { policy, diagnostics } = validatePolicy(text);
  if (policy === undefined) throw new Error(`the policy does not validate: ${JSON.stringify(diagnostics)}`);
  return policy;
}

/** The sample account, onboarded long enough ago for seat-upsell, renewing far away by default. */
export function sampleAccount(id: string, overrides: Record<string, unknown> = {}): AccountSnapshot {
  const acme = JSON.parse(readRepoFile("playbooks/samples/acme.json")) as AccountSnapshot;
  return { ...acme, id, onboarded_at: "2025-07-15", renewal_date: "2027-12-01", ...overrides } as AccountSnapshot;
}

export class CoreHarness {
  state: AccountCoreState;
  now: number;
  current: Record<string, string>;
  policy: AccountPolicy;
  /** Playbooks an operator paused or stopped. */
  controls: Record<string, PlayControl> = {};
  /** Every command, in order, with the time it was issued. */
  readonly log: LoggedCommand[] = [];
  /** Every input sent to the core, in order (including timers and delivery reports). */
  readonly inputs: { at: number; input: CoreInput }[] = [];
  private readonly byVersion = new Map<string, CompiledPlan>();
  private readonly deliveryError?: (command: DeliverCommand) => string | undefined;

  constructor(options: HarnessOptions) {
    for (const plan of options.plans) this.byVersion.set(plan.version, plan);
    this.current =
      options.current === undefined
        ? Object.fromEntries(
            [...options.plans].reverse().map((plan) => [plan.id, plan.version] as const), // the first wins
          )
        : { ...options.current };
    this.policy = options.policy ?? DEFAULT_POLICY;
    this.now = options.start ?? START;
    this.deliveryError = options.deliveryError;
    this.state = newAccountState(options.account.id);
    if (options.initialSnapshot ?? true) this.send({ kind: "snapshot", account: options.account });
  }

  /** The context the core reads now. */
  context(): CoreContext {
    const byVersion = this.byVersion;
    return {
      now: this.now,
      plan: (version) => byVersion.get(version),
      current: this.current,
      policy: this.policy,
      controls: this.controls,
    };
  }

  /** Makes a plan version known to the runner (without deploying it). */
  addPlan(plan: CompiledPlan): void {
    this.byVersion.set(plan.version, plan);
  }

  /**
   * Advances the core by one input, then reports each delivery it asked for (and each delivery
   * those reports lead to); returns every command issued, in order.
   */
  send(input: CoreInput): CoreCommand[] {
    const issued: CoreCommand[] = [];
    const queue: CoreInput[] = [input];
    for (let guard = 0; queue.length > 0; guard++) {
      if (guard > 10_000) throw new Error("the harness fed back more than 10000 inputs");
      const next = queue.shift() as CoreInput;
      this.inputs.push({ at: this.now, input: next });
      const { state, commands } = advanceAccount(this.state, next, this.context());
      this.state = state;
      for (const command of commands) {
        this.log.push({ at: this.now, command });
        issued.push(command);
        if (command.kind !== "deliver") continue;
        // A routed action is reported once per destination, as the workflow's delivery lanes do.
        for (const destination of command.destinations ?? [undefined])
          queue.push(deliveryReport(command, this.deliveryError?.(command), destination?.name));
      }
    }
    return issued;
  }

  /** An event with a generated id unless one is given. */
  event(type: string, data?: Record<string, unknown>, id?: string): CoreCommand[] {
    return this.send({ kind: "event", event: { id: id ?? `e${this.inputs.length}-${type}`, type, data } });
  }

  /** A new CRM snapshot: the current account with `changes` applied (shallowly). */
  snapshot(changes: Record<string, unknown> = {}): CoreCommand[] {
    return this.send({ kind: "snapshot", account: { ...this.state.account, ...changes } as AccountSnapshot });
  }

  /** Deploys another plan set: `current` changes and the core gets a `plans` input. */
  deploy(current: Record<string, string>): CoreCommand[] {
    this.current = { ...current };
    return this.send({ kind: "plans" });
  }

  /** An operator pauses, stops (or, with undefined, resumes) a playbook: a new set reaches the core. */
  control(playbookId: string, control: PlayControl | undefined): CoreCommand[] {
    const others = Object.fromEntries(Object.entries(this.controls).filter(([id]) => id !== playbookId));
    this.controls = control === undefined ? others : { ...others, [playbookId]: control };
    return this.send({ kind: "plans" });
  }

  /**
   * Moves the clock to `time`, firing the core's timer each time it falls due on the way (the
   * clock set to the timer's time first); returns every command issued.
   */
  advanceTo(time: number): CoreCommand[] {
    const issued: CoreCommand[] = [];
    for (let fired = 0; this.state.timer !== undefined && this.state.timer.at <= time; fired++) {
      if (fired > 5_000) throw new Error(`the timer fired more than 5000 times before ${new Date(time).toISOString()}`);
      if (this.state.timer.at < this.now) throw new Error("the core asked for a timer in the past");
      this.now = this.state.timer.at;
      issued.push(...this.send({ kind: "timer" }));
    }
    this.now = Math.max(this.now, time);
    return issued;
  }

  /** Moves the clock on by `ms`. */
  advanceBy(ms: number): CoreCommand[] {
    return this.advanceTo(this.now + ms);
  }

  /** A mark in the command log: pass it to the helpers to look only at what came after. */
  mark(): number {
    return this.log.length;
  }

  commands(since = 0): LoggedCommand[] {
    return this.log.slice(since);
  }

  deliveries(since = 0): (DeliverCommand & { at: number })[] {
    return this.log.slice(since).flatMap(({ at, command }) => (command.kind === "deliver" ? [{ ...command, at }] : []));
  }

  /** The ids of the actions delivered (asked for) since the mark, in order. */
  delivered(since = 0): string[] {
    return this.deliveries(since).map((d) => d.action.id);
  }

  /** A play's decisions since the mark, as `kind: reason`. */
  decisions(playbookId: string, since = 0): string[] {
    return this.log
      .slice(since)
      .flatMap(({ command }) =>
        command.kind === "decision" && command.playbookId === playbookId
          ? [`${command.decision.kind}: ${command.decision.reason}`]
          : [],
      );
  }

  /** The account-level decisions since the mark, as `kind: reason`. */
  accountDecisions(since = 0): string[] {
    return this.log
      .slice(since)
      .flatMap(({ command }) =>
        command.kind === "decision" && command.playbookId === undefined
          ? [`${command.decision.kind}: ${command.decision.reason}`]
          : [],
      );
  }

  /** The timer commands since the mark: `set <ISO>` or `cancel`. */
  timers(since = 0): string[] {
    return this.log
      .slice(since)
      .flatMap(({ command }) =>
        command.kind === "set_timer"
          ? [`set ${new Date(command.at).toISOString()}`]
          : command.kind === "cancel_timer"
            ? ["cancel"]
            : [],
      );
  }

  /** The search attribute values last asked for since the mark. */
  lastAttributes(since = 0): Extract<CoreCommand, { kind: "search_attributes" }>["values"] | undefined {
    const found = this.log
      .slice(since)
      .filter(({ command }) => command.kind === "search_attributes")
      .at(-1)?.command;
    return found?.kind === "search_attributes" ? found.values : undefined;
  }

  play(playbookId: string): PlayState {
    const play = this.state.plays[playbookId];
    if (play === undefined) throw new Error(`no play for ${playbookId}`);
    return play;
  }
}

/** An ISO time string, for readable expectations. */
export const iso = (at: number): string => new Date(at).toISOString();
