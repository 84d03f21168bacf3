// `playloop queue` and `GET /v1/queue`: the accounts a CSM should work next, ranked by their score,
// each with its next best play and why (or what blocks every play). Plain data in, a report out:
// the CLI weighs a CRM export in process, the API the accounts Temporal lists.
import type { ScoreBand } from "../ast/scorecard.js";
import { SCORE_BANDS } from "../ast/scorecard.js";
import type { CompiledPlan } from "../compile/plan.js";
import type { Scorecard } from "../compile/scorecard.js";
import type { ActivePlay } from "../journey/core-types.js";
import { scoreAccount, type ScoreContribution } from "../journey/expansion-score.js";
import { ruleAccount } from "../journey/rule-account.js";
import { evaluate } from "../rules/evaluate.js";
import type { AccountPolicy } from "../validate/validate-policy.js";
import { nextBestPlays, type BlockedPlay, type PlayChoice, type QueueAccount } from "./next-best-play.js";

/** How many accounts the queue lists unless asked for another number. */
export const QUEUE_LIMIT = 50;
/** The most accounts one queue lists. */
export const MAX_QUEUE_LIMIT = 500;
/** How many of the signals that gave points a row lists. */
const TOP_SIGNALS = 3;

/** Which accounts to list: an owner's, a segment's (of any playbook that defines it), a band's; at most `limit`. */
export interface QueueFilters {
  readonly owner?: string;
  readonly segment?: string;
  readonly band?: ScoreBand;
  readonly limit?: number;
}

/** One account of the queue. */
export interface QueueRow {
  /** 1 for the account to work first. */
  readonly rank: number;
  readonly account: string;
  readonly name?: string;
  /** The account's owner (`owner` in the snapshot), when it has one. */
  readonly owner?: string;
  readonly score: number;
  readonly band: ScoreBand;
  /** The signals that gave the most points, most first. */
  readonly top: readonly ScoreContribution[];
  /** The next best play, or null when every play is blocked. */
  readonly next: PlayChoice | null;
  /** What blocks each play above the next best one (every play when there is none). */
  readonly blocked: readonly BlockedPlay[];
  /** The play that holds the account now, when its state is known (on Temporal). */
  readonly active?: ActivePlay;
}

/** A queue row before ranking. */
export type UnrankedRow = Omit<QueueRow, "rank">;

/** The queue at one time. */
export interface QueueReport {
  readonly at: string;
  readonly scorecard: string;
  /** Accounts weighed. */
  readonly accounts: number;
  /** Accounts the filters kept (the report lists the first `limit`). */
  readonly matched: number;
  readonly filters: QueueFilters;
  readonly rows: readonly QueueRow[];
  /** From Temporal: the account workflows visibility listed with a score, before `limit` cut the weighing short. */
  readonly listed?: number;
}

/** Thrown when there is no queue to rank: no scorecard deployed (or no plan set yet), or a filter names nothing. */
export class QueueRefused extends Error {
  override readonly name = "QueueRefused";
  constructor(
    message: string,
    readonly reason: "no_scorecard" | "not_ready" | "bad_filter",
  ) {
    super(message);
  }
}

/** Every segment the plans define, by name. */
export function segmentNames(plans: readonly CompiledPlan[]): string[] {
  return [...new Set(plans.flatMap((plan) => Object.keys(plan.segments)))].sort();
}

/** The scorecard the queue ranks by; throws QueueRefused when the filters name a band or segment there is not. */
export function checkQueue(plans: readonly CompiledPlan[], policy: AccountPolicy, filters: QueueFilters): Scorecard {
  const scorecard = policy.scorecard;
  if (scorecard === undefined)
    throw new QueueRefused(
      "no scorecard is deployed: the queue ranks accounts by their score; add playbooks/scorecard.yaml (docs/language.md, Scorecard and queue)",
      "no_scorecard",
    );
  if (filters.band !== undefined && !SCORE_BANDS.includes(filters.band))
    throw new QueueRefused(`band "${String(filters.band)}" is not one of ${SCORE_BANDS.join(", ")}`, "bad_filter");
  const segments = segmentNames(plans);
  if (filters.segment !== undefined && !segments.includes(filters.segment))
    throw new QueueRefused(
      `no playbook defines the segment "${filters.segment}"; segments: ${segments.join(", ") || "none"}`,
      "bad_filter",
    );
  const limit = filters.limit ?? QUEUE_LIMIT;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_QUEUE_LIMIT)
    throw new QueueRefused(`limit must be a whole number from 1 to ${MAX_QUEUE_LIMIT}`, "bad_filter");
  return scorecard;
}

/**
 * Weighs one account at a time for the queue, the plans' rules compiled once: its score now (from
 * its snapshot and the events it has counted), the filters, and its next best play; undefined for
 * an account the filters leave out. Throws QueueRefused as checkQueue does.
 */
export function queueWeigher(
  plans: readonly CompiledPlan[],
  policy: AccountPolicy,
  filters: QueueFilters,
): (entry: QueueAccount, now: number) => UnrankedRow | undefined {
  const scorecard = checkQueue(plans, policy, filters);
  const pick = nextBestPlays(plans, policy);
  const owner = filters.owner?.toLowerCase();
  const segmentRules = plans.flatMap((plan) => {
    const rule = filters.segment === undefined ? undefined : plan.segments[filters.segment];
    return rule === undefined ? [] : [rule];
  });
  return (entry, now) => {
    const { account } = entry;
    const accountOwner = typeof account.owner === "string" ? account.owner : undefined;
    if (owner !== undefined && accountOwner?.toLowerCase() !== owner) return undefined;
    const score = scoreAccount(scorecard, account, now, entry.standing?.recent ?? []);
    if (filters.band !== undefined && score.band !== filters.band) return undefined;
    if (segmentRules.length > 0) {
      const context = { ...ruleAccount(account, now, entry.standing?.recent, score), now: new Date(now).toISOString() };
      if (!segmentRules.some((rule) => evaluate(rule, context) === true)) return undefined;
    }
    const { next, blocked } = pick({ ...entry, score }, now);
    return {
      account: account.id,
      ...(typeof account.name === "string" ? { name: account.name } : {}),
      ...(accountOwner === undefined ? {} : { owner: accountOwner }),
      score: score.score,
      band: score.band,
      top: score.contributions
        .filter((c) => c.points > 0)
        .sort((a, b) => b.points - a.points || a.signal.localeCompare(b.signal))
        .slice(0, TOP_SIGNALS),
      next: next ?? null,
      blocked,
      ...(entry.standing?.active === undefined ? {} : { active: entry.standing.active }),
    };
  };
}

/** Ranks rows by score, highest first (then by account id), and keeps the first `limit`. */
export function rankRows(rows: readonly UnrankedRow[], limit: number): QueueRow[] {
  return [...rows]
    .sort((a, b) => b.score - a.score || a.account.localeCompare(b.account))
    .slice(0, limit)
    .map((row, index) => ({ rank: index + 1, ...row }));
}

/** The queue over accounts at `now`; throws QueueRefused without a scorecard or for a filter naming nothing. */
export function rankQueue(
  entries: Iterable<QueueAccount>,
  options: {
    readonly plans: readonly CompiledPlan[];
    readonly policy: AccountPolicy;
    readonly now: number;
    readonly filters?: QueueFilters;
  },
): QueueReport {
  const filters = options.filters ?? {};
  const weigh = queueWeigher(options.plans, options.policy, filters);
  const rows: UnrankedRow[] = [];
  let accounts = 0;
  for (const entry of entries) {
    accounts++;
    const row = weigh(entry, options.now);
    if (row !== undefined) rows.push(row);
  }
  return queueReport(options.policy, options.now, filters, accounts, rows);
}

/** The report of weighed rows: ranked, the first `limit` of them. */
export function queueReport(
  policy: AccountPolicy,
  now: number,
  filters: QueueFilters,
  accounts: number,
  rows: readonly UnrankedRow[],
): QueueReport {
  return {
    at: new Date(now).toISOString(),
    scorecard: policy.scorecard?.name ?? "",
    accounts,
    matched: rows.length,
    filters,
    rows: rankRows(rows, filters.limit ?? QUEUE_LIMIT),
  };
}
