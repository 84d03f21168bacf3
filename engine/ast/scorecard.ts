// The checked scorecard (playbooks/scorecard.yaml): a readiness score of weighted signals over the
// account, with its scale and bands, each part knowing where it is written.
import type { Span } from "../parse/locate.js";
import type { Expr } from "./expression.js";

/** The bands of a score, from the best: `ready` at or above its threshold, then `warming`, else `not_now`. */
export const SCORE_BANDS = ["ready", "warming", "not_now"] as const;

/** A band of a score. */
export type ScoreBand = (typeof SCORE_BANDS)[number];

/** True for the name of a band. */
export function isScoreBand(text: string): text is ScoreBand {
  return (SCORE_BANDS as readonly string[]).includes(text);
}

/** How a signal measures the account: a condition (all or nothing), or a value graded between two points. */
export type SignalMeasure =
  | { readonly kind: "when"; readonly condition: Expr }
  | { readonly kind: "graded"; readonly value: Expr; readonly from: number; readonly to: number };

/** One weighted signal of a scorecard. */
export interface SignalNode {
  readonly kind: "signal";
  readonly name: string;
  readonly weight: number;
  /** The condition or value as written: what the account view shows beside the points. */
  readonly label: string;
  readonly description?: string;
  readonly measure: SignalMeasure;
  readonly span: Span;
}

/** A scorecard as validated: its name (`score.<name>` in conditions), scale, bands and signals. */
export interface ScorecardNode {
  readonly kind: "scorecard";
  readonly file: string;
  readonly name: string;
  readonly nameSpan: Span;
  readonly description?: string;
  readonly scale: { readonly min: number; readonly max: number };
  /** The lowest score of each band above `not_now`. */
  readonly bands: { readonly ready: number; readonly warming: number };
  /** Weights are scaled to the scale's span instead of having to add up to it. */
  readonly normalize: boolean;
  readonly signals: readonly SignalNode[];
}
