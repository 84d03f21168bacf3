// `playloop report` and GET /v1/reports: the base's revenue retention and each play's funnel and
// lift over a period, read from the facts with the macros of reports/*.sql. This file only runs
// the macros and shapes their rows; every metric's definition is in the SQL.
import type { FactStore, Row } from "./fact-store.js";
import { meanLift, proportionLift, type LiftResult } from "./lift-test.js";

export interface BaseMetrics {
  /** Accounts paying (ARR > 0) at `from`. */
  readonly accounts: number;
  readonly starting_arr: number;
  /** The same accounts' ARR at `to`. */
  readonly ending_arr: number;
  /** Increases of accounts still paying at `to`. */
  readonly expansion_arr: number;
  /** Decreases of accounts still paying at `to`. */
  readonly contraction_arr: number;
  /** Starting ARR of the accounts at 0 at `to`. */
  readonly churned_arr: number;
  /** ending / starting, as a fraction (1.08); null without a base. */
  readonly nrr: number | null;
  /** (starting - contraction - churned) / starting; null without a base. */
  readonly grr: number | null;
}

export interface PlayReport {
  readonly playbook: string;
  readonly motion?: string;
  readonly funnel: {
    /** Runs that entered the play (treatment). */
    readonly identified: number;
    readonly engaged: number;
    readonly proposed: number;
    readonly won: number;
    readonly lost: number;
  };
  /** Runs held out (entered, no actions). */
  readonly holdout: number;
  readonly lost_reasons: Readonly<Record<string, number>>;
  /** won / (won + lost); null before any deal closed. */
  readonly win_rate: number | null;
  /** ARR of the won deals attributed to the play. */
  readonly expansion_arr: number;
  readonly average_deal: number | null;
  readonly median_days_to_win: number | null;
  /** Cross-sell plays: accounts that bought the offered sku / accounts identified. Null for other motions. */
  readonly attach_rate: number | null;
  /** Triggers fired (entries and suppressions at the trigger) -> engaged. */
  readonly signal_to_play: { readonly triggers_fired: number; readonly engaged: number; readonly rate: number | null };
  readonly suppressions: Readonly<Record<string, number>>;
  readonly lift: { readonly conversion: LiftResult; readonly expansion_arr_per_account: LiftResult };
  readonly experiments: readonly ExperimentReport[];
}

export interface ExperimentReport {
  readonly experiment: string;
  readonly variants: readonly { readonly variant: string; readonly accounts: number; readonly converted: number }[];
  /** The first variant against the last (in name order, `control` last when there is one). */
  readonly comparison?: {
    readonly treatment: string;
    readonly control: string;
    readonly conversion: LiftResult;
    readonly expansion_arr_per_account: LiftResult;
  };
}

export interface RevenueReport {
  readonly from: string;
  readonly to: string;
  readonly base: BaseMetrics;
  /** NRR and GRR from `from` to the end of each month in the period (to `to` for the last). */
  readonly months: readonly { readonly month: string; readonly nrr: number | null; readonly grr: number | null }[];
  readonly plays: readonly PlayReport[];
  /** Won deals no play proposed within its attribution window. */
  readonly unattributed: { readonly won: number; readonly expansion_arr: number };
  readonly facts: number;
}

export interface ReportOptions {
  readonly from: string;
  readonly to: string;
  readonly playbook?: string;
}

const num = (value: Row[string] | undefined): number => (value === null || value === undefined ? 0 : Number(value));
const ratio = (a: number, b: number): number | null => (b === 0 ? null : a / b);

/** The base metrics between two ISO times. */
export async function baseMetrics(store: FactStore, from: string, to: string): Promise<BaseMetrics> {
  const [row] = await store.query("SELECT * FROM base_metrics($1, $2)", [from, to]);
  const starting = num(row?.starting_arr);
  const contraction = num(row?.contraction_arr);
  const churned = num(row?.churned_arr);
  const ending = num(row?.ending_arr);
  return {
    accounts: num(row?.accounts),
    starting_arr: starting,
    ending_arr: ending,
    expansion_arr: num(row?.expansion_arr),
    contraction_arr: contraction,
    churned_arr: churned,
    nrr: ratio(ending, starting),
    grr: ratio(starting - contraction - churned, starting),
  };
}

/** The ends of the months from `from` to `to`: each month's first instant after it, `to` for the last. */
export function monthEnds(from: string, to: string): { month: string; end: string }[] {
  const ends: { month: string; end: string }[] = [];
  const start = new Date(from);
  const stop = Date.parse(to);
  for (let year = start.getUTCFullYear(), month = start.getUTCMonth(); ends.length < 240; month++) {
    const next = Date.UTC(year, month + 1, 1);
    const label = new Date(Date.UTC(year, month, 1)).toISOString().slice(0, 7);
    ends.push({ month: label, end: new Date(Math.min(next, stop)).toISOString() });
    if (next >= stop) break;
  }
  return ends;
}

/** The comparison of two groups of lift units. */
function compare(treated: readonly Row[], held: readonly Row[]): PlayReport["lift"] {
  const converted = (rows: readonly Row[]): number => rows.filter((r) => r.converted === true).length;
  return {
    conversion: proportionLift(
      { accounts: treated.length, converted: converted(treated) },
      { accounts: held.length, converted: converted(held) },
    ),
    expansion_arr_per_account: meanLift(
      treated.map((r) => num(r.expansion_arr)),
      held.map((r) => num(r.expansion_arr)),
    ),
  };
}

function experimentReports(rows: readonly Row[]): ExperimentReport[] {
  const byExperiment = new Map<string, Map<string, Row[]>>();
  for (const row of rows) {
    const variants = byExperiment.get(String(row.experiment)) ?? new Map<string, Row[]>();
    byExperiment.set(String(row.experiment), variants);
    variants.set(String(row.variant), [...(variants.get(String(row.variant)) ?? []), row]);
  }
  return [...byExperiment.entries()].map(([experiment, variants]) => {
    const names = [...variants.keys()].sort((a, b) =>
      a === "control" ? 1 : b === "control" ? -1 : a.localeCompare(b),
    );
    const [treatment, control] = names.length >= 2 ? [names[0], names.at(-1)] : [undefined, undefined];
    return {
      experiment,
      variants: names.map((variant) => {
        const units = variants.get(variant) ?? [];
        return { variant, accounts: units.length, converted: units.filter((u) => u.converted === true).length };
      }),
      ...(treatment === undefined || control === undefined
        ? {}
        : {
            comparison: {
              treatment,
              control,
              ...compare(variants.get(treatment) ?? [], variants.get(control) ?? []),
            },
          }),
    };
  });
}

/** Groups rows by a column. */
function groupBy(rows: readonly Row[], key: string): Map<string, Row[]> {
  const groups = new Map<string, Row[]>();
  for (const row of rows) groups.set(String(row[key]), [...(groups.get(String(row[key])) ?? []), row]);
  return groups;
}

/** Reads the whole report for a period. */
export async function revenueReport(store: FactStore, options: ReportOptions): Promise<RevenueReport> {
  const { from, to } = options;
  const params = [from, to];
  // One connection runs one query at a time.
  const funnels = await store.query("SELECT * FROM play_funnel($1, $2)", params);
  const lost = await store.query("SELECT * FROM play_lost_reasons($1, $2)", params);
  const suppressions = await store.query("SELECT * FROM play_suppressions($1, $2)", params);
  const units = await store.query("SELECT * FROM lift_units($1, $2)", params);
  const experiments = await store.query("SELECT * FROM experiment_units($1, $2)", params);
  const motions = await store.query(
    "SELECT playbook, any_value(data ->> 'motion') AS motion FROM facts WHERE type = 'play.entered' GROUP BY playbook",
  );
  const unattributed = await store.query(
    "SELECT count(*) AS won, coalesce(sum(amount), 0) AS arr FROM deals($1, $2) WHERE outcome = 'won' AND playbook IS NULL",
    params,
  );
  const lostBy = groupBy(lost, "playbook");
  const suppressedBy = groupBy(suppressions, "playbook");
  const unitsBy = groupBy(units, "playbook");
  const experimentsBy = groupBy(experiments, "playbook");
  const motionOf = new Map(motions.map((row) => [String(row.playbook), row.motion]));
  const plays = funnels
    .filter((row) => options.playbook === undefined || row.playbook === options.playbook)
    .map((row): PlayReport => {
      const playbook = String(row.playbook);
      const won = num(row.won);
      const lostCount = num(row.lost);
      const identified = num(row.identified);
      const engaged = num(row.engaged);
      const fired = identified + num(row.suppressed_at_trigger);
      const motion = motionOf.get(playbook);
      const playUnits = unitsBy.get(playbook) ?? [];
      return {
        playbook,
        ...(typeof motion === "string" ? { motion } : {}),
        funnel: { identified, engaged, proposed: num(row.proposed), won, lost: lostCount },
        holdout: num(row.holdout),
        lost_reasons: Object.fromEntries((lostBy.get(playbook) ?? []).map((r) => [String(r.reason), num(r.deals)])),
        win_rate: ratio(won, won + lostCount),
        expansion_arr: num(row.expansion_arr),
        average_deal: ratio(num(row.expansion_arr), won),
        median_days_to_win: row.median_days_to_win === null ? null : num(row.median_days_to_win),
        attach_rate: motion === "cross_sell" ? ratio(num(row.won_accounts), num(row.identified_accounts)) : null,
        signal_to_play: { triggers_fired: fired, engaged, rate: ratio(engaged, fired) },
        suppressions: Object.fromEntries(
          (suppressedBy.get(playbook) ?? []).map((r) => [String(r.reason), num(r.times)]),
        ),
        lift: compare(
          playUnits.filter((u) => u.holdout !== true),
          playUnits.filter((u) => u.holdout === true),
        ),
        experiments: experimentReports(experimentsBy.get(playbook) ?? []),
      };
    });
  const base = await baseMetrics(store, from, to);
  const months = [];
  for (const { month, end } of monthEnds(from, to)) {
    const metrics = end === to ? base : await baseMetrics(store, from, end);
    months.push({ month, nrr: metrics.nrr, grr: metrics.grr });
  }
  const [orphans] = unattributed;
  return {
    from,
    to,
    base,
    months,
    plays,
    unattributed: { won: num(orphans?.won), expansion_arr: num(orphans?.arr) },
    facts: await store.count(),
  };
}
