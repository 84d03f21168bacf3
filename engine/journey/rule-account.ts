import { RECENT_EVENTS } from "../compile/compile-condition.js";
import { scoreFields, type AccountScore } from "./expansion-score.js";
import type { AccountSnapshot } from "./journey-types.js";
import { recentForRules, type RecentEvent } from "./recent-events.js";

/**
 * The account as rules see it at `now`: the snapshot, with `recent_events` when events are counted
 * and `score.<name>` when a scorecard scored it; the snapshot itself when there is neither.
 */
export function ruleAccount(
  account: AccountSnapshot,
  now: number,
  recent: readonly RecentEvent[] = [],
  score?: AccountScore,
): AccountSnapshot {
  if (recent.length === 0 && score === undefined) return account;
  return {
    ...account,
    ...(recent.length === 0 ? {} : { [RECENT_EVENTS]: recentForRules(recent, now) }),
    ...(score === undefined ? {} : scoreFields(score)),
  };
}
