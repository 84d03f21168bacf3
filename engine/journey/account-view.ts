// What an operator sees of an account: every play with its status, stage, wait, offers, decisions
// and plan version, and the account's holder, ledger and decisions. The workflow's `state` query
// and the in-process runner both return it; `GET /v1/accounts/{id}` sends it as it is.
import type { CompiledPlan } from "../compile/plan.js";
import type { AccountCoreState, ActivePlay, LedgerOffer, PlayControl, PlayState } from "./core-types.js";
import type { AccountScore } from "./expansion-score.js";
import type { Decision, OfferRecord } from "./journey-types.js";
import { stepGraph } from "./step-graph.js";
import { describePlayWait } from "./wait-step.js";

/** One play as the API shows it. */
export interface PlayView {
  readonly playbookId: string;
  readonly name?: string;
  readonly version: string;
  readonly status: PlayState["status"];
  readonly stage: string;
  readonly step?: string;
  readonly run: number;
  readonly iteration: number;
  readonly holdout: boolean;
  /** The variant of each experiment the play reached. */
  readonly experiments?: Readonly<Record<string, string>>;
  readonly engaged: boolean;
  readonly waitingFor?: string;
  readonly waitingUntil?: string;
  readonly startedAt: string;
  readonly endedAt?: string;
  readonly outcome?: string;
  readonly offers: readonly OfferRecord[];
  readonly decisions: readonly Decision[];
  /** Set while an operator has paused (`paused`) or stopped (`stopped`) the playbook. */
  readonly control?: PlayControl;
  /** Actions of this play held until it resumes. */
  readonly held: number;
}

/** An account as the API shows it. */
export interface AccountView {
  readonly id: string;
  /** The play that holds the account, if any. */
  readonly active?: ActivePlay;
  /** Offers across every playbook, for the policy's caps. */
  readonly offers: readonly LedgerOffer[];
  /** Account-level decisions: arbitration, caps, re-entries, plan versions. */
  readonly decisions: readonly Decision[];
  readonly plays: readonly PlayView[];
  /** The deployed plan set the account follows: playbook id to version. */
  readonly planSet: Readonly<Record<string, string>>;
  /** The account's score on the deployed scorecard, with each signal's contribution; absent without one. */
  readonly score?: AccountScore;
}

/** The view of an account's core state; `plan` looks plans up by version. */
export function accountView(
  state: AccountCoreState,
  plan: (version: string) => CompiledPlan | undefined,
  controls: Readonly<Record<string, PlayControl>> = {},
): AccountView {
  const plays = Object.values(state.plays)
    .sort((a, b) => a.playbookId.localeCompare(b.playbookId))
    .map((play): PlayView => {
      const body = plan(play.version);
      const step =
        body === undefined || play.step === undefined ? undefined : stepGraph(body).nodes.get(play.step)?.step;
      const wait = body === undefined ? {} : describePlayWait(body, play, step);
      return {
        playbookId: play.playbookId,
        ...(body === undefined ? {} : { name: body.name }),
        version: play.version,
        status: play.status,
        stage: play.stage,
        ...(play.step === undefined ? {} : { step: play.step }),
        run: play.run,
        iteration: play.iteration,
        holdout: play.holdout,
        ...(play.experiments === undefined ? {} : { experiments: play.experiments }),
        engaged: play.engaged,
        ...wait,
        startedAt: play.startedAt,
        ...(play.endedAt === undefined ? {} : { endedAt: play.endedAt }),
        ...(play.outcome === undefined ? {} : { outcome: play.outcome }),
        offers: play.offers,
        decisions: play.decisions,
        ...(controls[play.playbookId] === undefined ? {} : { control: controls[play.playbookId] }),
        held: (state.held ?? []).filter((command) => command.playbookId === play.playbookId).length,
      };
    });
  return {
    id: state.accountId,
    ...(state.active === undefined ? {} : { active: state.active }),
    offers: state.offers,
    decisions: state.decisions,
    plays,
    planSet: state.planSet,
    ...(state.score === undefined ? {} : { score: state.score }),
  };
}

/** The account's current details for the Temporal UI: each play with its stage, wait and last decision. */
export function accountDetails(view: AccountView): string {
  const holder =
    view.active === undefined ? "no play holds the account" : `**${view.active.playbookId}** holds the account`;
  const lines = view.plays.map((play) => {
    const wait =
      play.waitingFor === undefined
        ? ""
        : `, waiting for ${play.waitingFor}${play.waitingUntil ? ` until ${play.waitingUntil}` : ""}`;
    const last = play.decisions.at(-1);
    const state =
      play.status === "ended" ? `ended (${play.outcome ?? "completed"})` : `${play.status} in **${play.stage}**`;
    const control =
      play.control === undefined
        ? ""
        : ` (**${play.control}** by an operator${play.held > 0 ? `, ${play.held} actions held` : ""})`;
    return `- **${play.playbookId}** ${state}${play.holdout ? " (holdout)" : ""}${control}${wait}${last ? `. Last: ${last.kind}: ${last.reason}` : ""}`;
  });
  const score =
    view.score === undefined ? "" : `, score **${view.score.score}** (${view.score.band}) on ${view.score.scorecard}`;
  return `Account \`${view.id}\`: ${holder}${score}\n\n${lines.join("\n")}`;
}
