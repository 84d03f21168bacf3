// What the queue reads of an account running on Temporal (the workflow's `standing` query): its
// snapshot and score, each play's status and offers, the holder, the ledgers the caps count and
// the counted events. Decision logs, the inbox and the seen ids stay in the workflow.
import type { AccountCoreState, ActivePlay, LedgerOffer, PlayState } from "./core-types.js";
import type { AccountScore } from "./expansion-score.js";
import type { AccountSnapshot } from "./journey-types.js";
import type { RecentEvent } from "./recent-events.js";
import type { Touch } from "./touch-policy.js";

/** One play as the queue weighs it. */
export type PlayStanding = Pick<
  PlayState,
  "playbookId" | "status" | "stage" | "run" | "holdout" | "startedAt" | "endedAt" | "outcome" | "offers"
>;

/** An account as the queue weighs it. */
export interface AccountStanding {
  readonly account: AccountSnapshot;
  readonly score?: AccountScore;
  readonly plays: Readonly<Record<string, PlayStanding>>;
  readonly active?: ActivePlay;
  readonly offers: readonly LedgerOffer[];
  readonly touches?: readonly Touch[];
  readonly recent?: readonly RecentEvent[];
}

/** The standing of an account's core state. */
export function accountStanding(state: AccountCoreState): AccountStanding {
  const plays = Object.fromEntries(
    Object.values(state.plays).map((play): [string, PlayStanding] => [
      play.playbookId,
      {
        playbookId: play.playbookId,
        status: play.status,
        stage: play.stage,
        run: play.run,
        holdout: play.holdout,
        startedAt: play.startedAt,
        ...(play.endedAt === undefined ? {} : { endedAt: play.endedAt }),
        ...(play.outcome === undefined ? {} : { outcome: play.outcome }),
        offers: play.offers,
      },
    ]),
  );
  return {
    account: state.account,
    ...(state.score === undefined ? {} : { score: state.score }),
    plays,
    ...(state.active === undefined ? {} : { active: state.active }),
    offers: state.offers,
    ...(state.touches === undefined ? {} : { touches: state.touches }),
    ...(state.recent === undefined ? {} : { recent: state.recent }),
  };
}
