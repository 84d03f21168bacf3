// The compiled scorecard: plain JSON that travels in the deployed plan set (inside the account
// policy) to every account workflow. Its conditions and values are JSON Logic rules over the same
// rule context as a plan's, without `score` itself.
import type { ScoreBand } from "../ast/scorecard.js";
import type { JsonLogicRule } from "../rules/rule-types.js";
import type { PlanCount } from "./plan.js";

export type { ScoreBand };

/** One weighted signal: full weight when `when` holds, or `value` graded linearly from `from` (0) to `to` (full). */
export type ScorecardSignal = {
  readonly name: string;
  readonly weight: number;
  /** The condition or value as the scorecard writes it. */
  readonly label: string;
  readonly description?: string;
} & (
  | { readonly kind: "when"; readonly when: JsonLogicRule }
  | { readonly kind: "graded"; readonly value: JsonLogicRule; readonly from: number; readonly to: number }
);

/** A readiness score over the account: `score.<name>` in conditions. */
export interface Scorecard {
  readonly name: string;
  readonly description?: string;
  readonly scale: { readonly min: number; readonly max: number };
  readonly bands: { readonly ready: number; readonly warming: number };
  /** Weights are scaled to the scale's span (max - min); otherwise they add up to it. */
  readonly normalize?: true;
  readonly signals: readonly ScorecardSignal[];
  /** The events its signals count (`count(type, window, ...)`), each with the longest window used. */
  readonly counts?: readonly PlanCount[];
}
