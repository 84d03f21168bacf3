// The in-process runner (engine/simulate/account-runner.ts) with what unit tests of the journey
// core want on top: the sample account, compiled fixtures, and readers of the command log.
import { compilePlaybook, type AccountPolicy, type CompiledPlan } from "../../engine/index.js";
import type { CoreCommand, PlayState } from "../../engine/journey/core-types.js";
import type { AccountSnapshot } from "../../engine/journey/journey-types.js";
import { AccountRunner, type AccountRunnerOptions, type LoggedCommand } from "../../engine/simulate/account-runner.js";
import { validatePolicy } from "../../engine/validate/validate-policy.js";
import { readRepoFile } from "../helpers.js";

export const DAY = 86_400_000;
export const HOUR = 3_600_000;
/** Monday 5 January 2026, 10:00 UTC: the start of every simulated clock. */
export const START = Date.parse("2026-01-05T10:00:00Z");

export type { LoggedCommand };

/** A deliver command, for the helpers that look at deliveries. */
export type DeliverCommand = Extract<CoreCommand, { kind: "deliver" }>;

/** The runner's options, with the clock starting at START unless `start` says otherwise. */
export type HarnessOptions = Omit<AccountRunnerOptions, "start"> & { readonly start?: number };

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

export class CoreHarness extends AccountRunner {
  constructor(options: HarnessOptions) {
    super({ ...options, start: options.start ?? START });
  }

  /** An event with a generated id unless one is given. */
  event(type: string, data?: Record<string, unknown>, id?: string): CoreCommand[] {
    return this.send({ kind: "event", event: { id: id ?? `e${this.inputs.length}-${type}`, type, data } });
  }

  /** A new CRM snapshot: the current account with `changes` applied (shallowly). */
  snapshot(changes: Record<string, unknown> = {}): CoreCommand[] {
    return this.send({ kind: "snapshot", account: { ...this.state.account, ...changes } as AccountSnapshot });
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
