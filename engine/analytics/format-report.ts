// `playloop report` as text: the base's retention, then each play's funnel, deals and lift, in the
// words a revenue leader reads (percentages, ARR with separators, confidence intervals).
import type { LiftResult } from "./lift-test.js";
import type { ExperimentReport, PlayReport, RevenueReport } from "./revenue-report.js";

const money = (value: number): string => Math.round(value).toLocaleString("en-US");
const signed = (value: number): string => `${value >= 0 ? "+" : "-"}${money(Math.abs(value))}`;
const percent = (value: number | null, digits = 1): string =>
  value === null ? "n/a" : `${(value * 100).toFixed(digits)}%`;
const points = (value: number): string => `${value >= 0 ? "+" : ""}${(value * 100).toFixed(1)} pts`;
const day = (iso: string): string => iso.slice(0, 10);

/** A lift as one line: the two groups, the difference with its interval, and the p-value. */
function formatLift(
  lift: LiftResult,
  kind: "rate" | "money",
  names: readonly [string, string] = ["treated", "held out"],
): string {
  const value = (v: number): string => (kind === "rate" ? percent(v) : money(v));
  const [treated, control] = names;
  const groups = `${treated} ${value(lift.treatment.value)} (${lift.treatment.accounts}) vs ${control} ${value(lift.control.value)} (${lift.control.accounts})`;
  if ("insufficient_data" in lift) return `${groups}: ${lift.insufficient_data}`;
  const diff = (v: number): string => (kind === "rate" ? points(v) : signed(v));
  const p = lift.p_value < 0.001 ? "p < 0.001" : `p = ${lift.p_value.toFixed(3)}`;
  return `${groups}: ${diff(lift.difference)} (95% CI ${diff(lift.ci95[0])} to ${diff(lift.ci95[1])}), ${p}`;
}

/** `name count, name count` in descending order, at most `limit` entries. */
function counts(entries: Readonly<Record<string, number>>, limit = 5): string {
  const sorted = Object.entries(entries).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  if (sorted.length === 0) return "none";
  const shown = sorted.slice(0, limit).map(([name, n]) => `${name} ${n}`);
  return sorted.length > limit ? `${shown.join(", ")}, and ${sorted.length - limit} more` : shown.join(", ");
}

function formatExperiment(experiment: ExperimentReport): string[] {
  const variants = experiment.variants.map((v) => `${v.variant} ${v.converted}/${v.accounts} won`).join(", ");
  const lines = [`  Experiment ${experiment.experiment}: ${variants}`];
  const comparison = experiment.comparison;
  if (comparison !== undefined)
    lines.push(
      `    conversion       ${formatLift(comparison.conversion, "rate", [comparison.treatment, comparison.control])}`,
      `    ARR per account  ${formatLift(comparison.expansion_arr_per_account, "money", [comparison.treatment, comparison.control])}`,
    );
  return lines;
}

function formatPlay(play: PlayReport): string[] {
  const { identified, engaged, proposed, won, lost } = play.funnel;
  const step = (n: number, of: number): string => (of === 0 ? `${n}` : `${n} (${percent(n / of, 0)})`);
  const figures = [
    `win rate ${percent(play.win_rate)}`,
    `expansion ARR ${money(play.expansion_arr)}`,
    `average deal ${play.average_deal === null ? "n/a" : money(play.average_deal)}`,
    `median days to win ${play.median_days_to_win === null ? "n/a" : play.median_days_to_win.toFixed(1)}`,
    ...(play.attach_rate === null ? [] : [`attach rate ${percent(play.attach_rate)}`]),
  ];
  const signal = play.signal_to_play;
  return [
    `${play.playbook}${play.motion === undefined ? "" : ` (${play.motion})`}`,
    `  Funnel        identified ${identified} -> engaged ${step(engaged, identified)} -> proposed ${step(proposed, engaged)} -> won ${won}, lost ${lost}; ${play.holdout} held out`,
    `  Deals         ${figures.join(", ")}`,
    `  Signal        ${signal.engaged} engaged of ${signal.triggers_fired} triggers fired (${percent(signal.rate)})`,
    `  Lost reasons  ${counts(play.lost_reasons)}`,
    `  Suppressions  ${counts(play.suppressions)}`,
    `  Lift over the holdout`,
    `    conversion       ${formatLift(play.lift.conversion, "rate")}`,
    `    ARR per account  ${formatLift(play.lift.expansion_arr_per_account, "money")}`,
    ...play.experiments.flatMap(formatExperiment),
  ];
}

/** The report as the terminal shows it. */
export function formatReport(report: RevenueReport): string {
  const { base } = report;
  const lines = [
    `Revenue report ${day(report.from)} to ${day(report.to)} (${report.facts.toLocaleString("en-US")} facts)`,
    "",
    `Base: ${base.accounts} accounts paying on ${day(report.from)}`,
    `  starting ARR  ${money(base.starting_arr)}`,
    `  ending ARR    ${money(base.ending_arr)}`,
    `  expansion     ${signed(base.expansion_arr)}`,
    `  contraction   -${money(base.contraction_arr)}`,
    `  churned       -${money(base.churned_arr)}`,
    `  NRR ${percent(base.nrr)}   GRR ${percent(base.grr)}`,
  ];
  const months = report.months.filter((m) => m.nrr !== null);
  if (months.length > 0) {
    lines.push("", "NRR and GRR from the start to the end of each month");
    for (const m of months)
      lines.push(`  ${m.month}  NRR ${percent(m.nrr).padStart(6)}  GRR ${percent(m.grr).padStart(6)}`);
  }
  if (report.plays.length === 0) lines.push("", "No play entered in this period.");
  for (const play of report.plays) lines.push("", ...formatPlay(play));
  lines.push(
    "",
    `Won deals no play proposed: ${report.unattributed.won} (${money(report.unattributed.expansion_arr)} ARR)`,
  );
  return `${lines.join("\n")}\n`;
}
