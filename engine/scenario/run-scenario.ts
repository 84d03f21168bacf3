import type { CompiledPlan } from "../compile/plan.js";
import { deepMerge } from "../journey/deep-merge.js";
import type { AccountSnapshot } from "../journey/journey-types.js";
import { AccountRunner } from "../simulate/account-runner.js";
import type { AccountPolicy } from "../validate/validate-policy.js";
import type { Scenario } from "./scenario.js";

const DAY = 86_400_000;

/** An action the core sent, on a day. */
export interface ActionHappened {
  readonly day: number;
  /** Its place in the run, to tell apart what happened on one day. */
  readonly seq: number;
  readonly playbook: string;
  readonly stage: string;
  readonly step: string;
  readonly action: string;
  readonly id: string;
  readonly template?: string;
}

/** A decision the core recorded, on a day; `playbook` absent for the account's own. */
export interface DecisionHappened {
  readonly day: number;
  /** Its place in the run, to tell apart what happened on one day. */
  readonly seq: number;
  readonly playbook?: string;
  readonly stage: string;
  readonly step?: string;
  readonly kind: string;
  readonly reason: string;
}

/** Where a play was after an input changed it: its stage, or `ended` with its outcome. */
export interface StageHappened {
  readonly day: number;
  /** Its place in the run, to tell apart what happened on one day. */
  readonly seq: number;
  readonly playbook: string;
  readonly stage: string;
  readonly outcome?: string;
}

/** What happened to the account over the test, day by day, and where it ended. */
export interface ScenarioRun {
  readonly actions: readonly ActionHappened[];
  readonly decisions: readonly DecisionHappened[];
  readonly stages: readonly StageHappened[];
  /** Who held the account after each change: a playbook id, or undefined for no play. */
  readonly holders: readonly { readonly day: number; readonly holder?: string }[];
  readonly final: { readonly plays: Readonly<Record<string, FinalPlay>> };
}

/** Where a play stood at the end of the test (the core's play state, or the account view's on Temporal). */
export interface FinalPlay {
  readonly status: string;
  readonly stage: string;
  readonly outcome?: string;
  readonly experiments?: Readonly<Record<string, string>>;
}

/**
 * Runs a playbook test on the journey core in process, on a simulated clock: the account at day
 * 0, each timeline entry at its time (timers firing on the way), then on to the last day.
 */
export function runScenario(scenario: Scenario, plans: readonly CompiledPlan[], policy: AccountPolicy): ScenarioRun {
  const deployed = scenario.playbooks === undefined ? plans : plans.filter((p) => scenario.playbooks?.includes(p.id));
  const dayOf = (at: number): number => Math.floor((at - scenario.start) / DAY);
  const stages: StageHappened[] = [];
  const holders: { day: number; holder?: string }[] = [];
  const last = new Map<string, string>();
  const runner = new AccountRunner({
    plans: deployed,
    policy,
    account: scenario.account as AccountSnapshot,
    start: scenario.start,
    initialSnapshot: false,
    onInput: (at, _input, state) => {
      for (const play of Object.values(state.plays)) {
        const stage = play.status === "ended" ? "ended" : play.stage;
        const key = `${stage}:${play.outcome ?? ""}:${play.run}`;
        if (last.get(play.playbookId) === key) continue;
        last.set(play.playbookId, key);
        stages.push({
          day: dayOf(at),
          seq: runner.log.length,
          playbook: play.playbookId,
          stage,
          ...(play.outcome === undefined ? {} : { outcome: play.outcome }),
        });
      }
      const holder = state.active?.playbookId;
      if (holders.at(-1)?.holder !== holder || holders.length === 0)
        holders.push({ day: dayOf(at), ...(holder === undefined ? {} : { holder }) });
    },
  });
  runner.sendSnapshot(scenario.account as AccountSnapshot);
  for (const entry of scenario.timeline) {
    runner.advanceTo(scenario.start + entry.day * DAY);
    if (entry.kind === "snapshot") runner.sendSnapshot(deepMerge(runner.state.account, entry.changes));
    else
      runner.sendEvent({ id: entry.id, type: entry.type, ...(entry.data === undefined ? {} : { data: entry.data }) });
  }
  runner.advanceTo(scenario.start + scenario.days * DAY - 1);

  const actions: ActionHappened[] = [];
  const decisions: DecisionHappened[] = [];
  runner.log.forEach(({ at, command }, seq) => {
    if (command.kind === "deliver") {
      const data = command.action.data;
      actions.push({
        day: dayOf(at),
        seq,
        playbook: command.playbookId,
        stage: String(data.stage),
        step: command.step,
        action: String(data.action),
        id: command.action.id,
        ...(typeof data.template === "string" ? { template: data.template } : {}),
      });
    } else if (command.kind === "decision")
      decisions.push({
        day: dayOf(at),
        seq,
        ...(command.playbookId === undefined ? {} : { playbook: command.playbookId }),
        stage: command.decision.stage,
        ...(command.decision.step === undefined ? {} : { step: command.decision.step }),
        kind: command.decision.kind,
        reason: command.decision.reason,
      });
  });
  return { actions, decisions, stages, holders, final: runner.state };
}
