// The in-process shell of the journey core: what workflows/account.ts does on Temporal, done here
// on a simulated clock for `playloop test`, `preview` and `simulate`. It keeps one account's core
// state, advances the core one input at a time, fires the timer the core asked for when the clock
// passes it, and answers every `deliver` command with a `delivered` input (one per destination),
// as the workflow does when a delivery succeeds. Every command is kept with the time it was issued.
import type { CompiledPlan } from "../compile/plan.js";
import { applyInput, newAccountState } from "../journey/advance-account.js";
import type {
  AccountCoreState,
  CoreCommand,
  CoreContext,
  CoreInput,
  DeliverCommand,
  PlayControl,
} from "../journey/core-types.js";
import { deliveryReport } from "../journey/delivery-report.js";
import type { AccountSnapshot, JourneyEvent } from "../journey/journey-types.js";
import { DEFAULT_POLICY, type AccountPolicy } from "../validate/validate-policy.js";

/** A command the core issued, with the simulated time it was issued at. */
export interface LoggedCommand {
  readonly at: number;
  readonly command: CoreCommand;
}

export interface AccountRunnerOptions {
  /** Every plan the runner knows (by version); the first of each playbook id is deployed unless `current` says otherwise. */
  readonly plans: readonly CompiledPlan[];
  readonly account: AccountSnapshot;
  readonly policy?: AccountPolicy;
  /** The deployed plan set (playbook id to version). */
  readonly current?: Readonly<Record<string, string>>;
  /** The simulated clock's start (epoch ms). */
  readonly start: number;
  /** When it returns a string, the delivery of that command fails with it as the error. */
  readonly deliveryError?: (command: DeliverCommand) => string | undefined;
  /** Sends the initial snapshot at construction (default true). */
  readonly initialSnapshot?: boolean;
  /** Called after each input the core took (its commands already in the log), with the time: to watch stages change. */
  readonly onInput?: (at: number, input: CoreInput, state: AccountCoreState) => void;
}

/** At most this many inputs fed back (delivery reports, timers) for one outside input: a spin is a bug. */
const MAX_FEEDBACK = 10_000;
/** At most this many timers fire between two outside inputs. */
const MAX_TIMERS = 5_000;

export class AccountRunner {
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
  private readonly onInput?: AccountRunnerOptions["onInput"];

  constructor(options: AccountRunnerOptions) {
    for (const plan of options.plans) this.byVersion.set(plan.version, plan);
    this.current =
      options.current === undefined
        ? Object.fromEntries([...options.plans].reverse().map((plan) => [plan.id, plan.version] as const))
        : { ...options.current };
    this.policy = options.policy ?? DEFAULT_POLICY;
    this.now = options.start;
    this.deliveryError = options.deliveryError;
    this.onInput = options.onInput;
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
      if (guard > MAX_FEEDBACK) throw new Error(`the core fed back more than ${MAX_FEEDBACK} inputs for one`);
      const next = queue.shift() as CoreInput;
      this.inputs.push({ at: this.now, input: next });
      // The runner owns its state, as the workflow does, so the core applies the input in place
      // (advanceAccount would copy the whole state first); the input is copied, so the state never
      // shares an object with the caller's snapshot or event.
      const { state, commands } = applyInput(this.state, structuredClone(next), this.context());
      this.state = state;
      for (const command of commands) {
        this.log.push({ at: this.now, command });
        issued.push(command);
        if (command.kind !== "deliver") continue;
        // A routed action is reported once per destination, as the workflow's delivery lanes do.
        for (const destination of command.destinations ?? [undefined])
          queue.push(deliveryReport(command, this.deliveryError?.(command), destination?.name));
      }
      this.onInput?.(this.now, next, state);
    }
    return issued;
  }

  /** An event. */
  sendEvent(event: JourneyEvent): CoreCommand[] {
    return this.send({ kind: "event", event });
  }

  /** A new CRM snapshot replacing the account's. */
  sendSnapshot(account: AccountSnapshot): CoreCommand[] {
    return this.send({ kind: "snapshot", account });
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
      if (fired > MAX_TIMERS)
        throw new Error(`the timer fired more than ${MAX_TIMERS} times before ${new Date(time).toISOString()}`);
      if (this.state.timer.at < this.now) throw new Error("the core asked for a timer in the past");
      this.now = this.state.timer.at;
      issued.push(...this.send({ kind: "timer" }));
    }
    this.now = Math.max(this.now, time);
    return issued;
  }
}
