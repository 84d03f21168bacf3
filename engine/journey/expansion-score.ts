// The account's readiness score: the deployed scorecard's signals evaluated over the snapshot and
// the events the core keeps, each contributing its points, summed on the scale and banded. Pure:
// the same account, events and time give the same score, in the workflow and in process.
import type { Scorecard, ScoreBand } from "../compile/scorecard.js";
import { RECENT_EVENTS } from "../compile/compile-condition.js";
import { evaluate } from "../rules/evaluate.js";
import type { Fact } from "./account-facts.js";
import type { CoreInput } from "./core-types.js";
import { ruleContext } from "./detect.js";
import type { AccountSnapshot } from "./journey-types.js";
import { recentForRules, type RecentEvent } from "./recent-events.js";

/** What one signal gives the account. */
export interface ScoreContribution {
  readonly signal: string;
  readonly weight: number;
  /** What the account has: whether the condition holds, or the graded value (null when it has none). */
  readonly value: boolean | number | null;
  /** The points it gives: its weight (scaled when the scorecard normalizes) times how fully it holds. */
  readonly points: number;
}

/** An account's score on one scorecard, as the core keeps it and the account view shows it. */
export interface AccountScore {
  readonly scorecard: string;
  /** A whole number on the scorecard's scale. */
  readonly score: number;
  readonly band: ScoreBand;
  /** Every signal, in the scorecard's order. */
  readonly contributions: readonly ScoreContribution[];
  /** When it was computed (ISO 8601). */
  readonly at: string;
}

const round2 = (n: number): number => Math.round(n * 100) / 100;

/** The band a score falls in: `ready` at or above the ready threshold, `warming` at or above warming. */
export function bandOf(scorecard: Scorecard, score: number): ScoreBand {
  if (score >= scorecard.bands.ready) return "ready";
  return score >= scorecard.bands.warming ? "warming" : "not_now";
}

/** How fully a graded value holds: 0 at `from`, 1 at `to`, linear between and clamped beyond. */
function graded(value: number, from: number, to: number): number {
  return Math.min(1, Math.max(0, (value - from) / (to - from)));
}

/**
 * Scores an account at `now`: each signal's condition or value over the snapshot and the counted
 * `recent` events (for `count(...)`), its points summed from the scale's min and rounded.
 */
export function scoreAccount(
  scorecard: Scorecard,
  account: AccountSnapshot,
  now: number,
  recent: readonly RecentEvent[] = [],
): AccountScore {
  const context = ruleContext(
    recent.length === 0 ? account : { ...account, [RECENT_EVENTS]: recentForRules(recent, now) },
    now,
  );
  const { min, max } = scorecard.scale;
  const total = scorecard.signals.reduce((sum, signal) => sum + signal.weight, 0);
  const scale = scorecard.normalize === true && total > 0 ? (max - min) / total : 1;
  let sum = 0;
  const contributions = scorecard.signals.map((signal): ScoreContribution => {
    let value: boolean | number | null;
    let fraction: number;
    if (signal.kind === "when") {
      value = evaluate(signal.when, context) === true;
      fraction = value ? 1 : 0;
    } else {
      const raw = evaluate(signal.value, context);
      value = typeof raw === "number" && Number.isFinite(raw) ? raw : null;
      fraction = value === null ? 0 : graded(value, signal.from, signal.to);
    }
    const points = signal.weight * scale * fraction;
    sum += points;
    return { signal: signal.name, weight: signal.weight, value, points: round2(points) };
  });
  const score = Math.min(max, Math.max(min, Math.round(min + sum)));
  return {
    scorecard: scorecard.name,
    score,
    band: bandOf(scorecard, score),
    contributions,
    at: new Date(now).toISOString(),
  };
}

/** What conditions read of a score: `score.<scorecard>`, such as `score.expansion >= 70`. */
export function scoreFields(score: AccountScore): { readonly score: Readonly<Record<string, number>> } {
  return { score: { [score.scorecard]: score.score } };
}

/**
 * The fact that the account's band changed with an input (or that it was scored for the first
 * time, `before` null), dated when the engine scored it; undefined when the band stayed. Its id
 * follows the input as the other facts' do (`e:<event id>`, else `<input kind>:<time>`), so a
 * replay records it once.
 */
export function bandChangeFact(
  before: AccountScore | undefined,
  after: AccountScore | undefined,
  account: string,
  input: CoreInput,
  now: number,
): Fact | undefined {
  if (after === undefined) return undefined;
  const previous = before?.scorecard === after.scorecard ? before : undefined;
  if (previous?.band === after.band) return undefined;
  const iso = new Date(now).toISOString();
  const key = input.kind === "event" ? `e:${input.event.id}` : `${input.kind}:${iso}`;
  return {
    id: `${account}:score:${key}`,
    type: "score.band_changed",
    account,
    // The score is the engine's view of the account when it applied the input: dated then.
    at: iso,
    data: {
      scorecard: after.scorecard,
      score: after.score,
      band: after.band,
      before: previous?.band ?? null,
      ...(previous === undefined ? {} : { before_score: previous.score }),
    },
  };
}
