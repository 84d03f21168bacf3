import { defineSearchAttributeKey, SearchAttributeType } from "@temporalio/common";

/**
 * The custom search attributes operators filter accounts by in the Temporal UI, such as
 * `Plays = 'seat-upsell'` or `Stages = 'seat-upsell:commit'` (a keyword list matches any element).
 * Three keyword lists at most: the dev server's SQLite visibility allows no more.
 */
export const SEARCH_ATTRIBUTES = {
  AccountId: defineSearchAttributeKey("AccountId", SearchAttributeType.KEYWORD),
  /**
   * Every playbook with a play for the account, `playbook@version` for the version it follows, and
   * `playbook#experiment=variant` for each experiment variant it got (the keyword lists are all taken).
   */
  Plays: defineSearchAttributeKey("Plays", SearchAttributeType.KEYWORD_LIST),
  /** `playbook:stage` of every play not ended; `playbook:ended` and `playbook:ended:<outcome>` of ended ones. */
  Stages: defineSearchAttributeKey("Stages", SearchAttributeType.KEYWORD_LIST),
  /** Playbooks the account is held out of. */
  Holdouts: defineSearchAttributeKey("Holdouts", SearchAttributeType.KEYWORD_LIST),
  /** The plan set the account follows (`set:<hash>`): a deploy signals the accounts not on it. */
  PlanSet: defineSearchAttributeKey("PlanSet", SearchAttributeType.KEYWORD),
  /** The account's playbooks an operator paused, space-separated (`seat-upsell`); unset when none is. */
  Paused: defineSearchAttributeKey("Paused", SearchAttributeType.KEYWORD),
  /** The last suppression, skip or hold: `seat-upsell: suppressed: at_risk`. */
  LastSuppression: defineSearchAttributeKey("LastSuppression", SearchAttributeType.KEYWORD),
  /** The account's score on the deployed scorecard (`playbooks/scorecard.yaml`); unset without one. */
  ExpansionScore: defineSearchAttributeKey("ExpansionScore", SearchAttributeType.INT),
  /** Its band, `ready`, `warming` or `not_now`: `ScoreBand = 'ready'` lists the accounts to work now. */
  ScoreBand: defineSearchAttributeKey("ScoreBand", SearchAttributeType.KEYWORD),
} as const;
