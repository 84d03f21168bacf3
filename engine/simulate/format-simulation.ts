import type { PlaySimulation, SimulationReport } from "./simulate-population.js";

const SPARKS = "▁▂▃▄▅▆▇█";

/** A week-by-week series as one line of block characters, scaled to its own peak. */
export function sparkline(values: readonly number[]): string {
  const peak = Math.max(0, ...values);
  return values.map((v) => (peak === 0 ? " " : (SPARKS[Math.min(7, Math.floor((v / peak) * 7.999))] ?? " "))).join("");
}

const counted = (counts: Readonly<Record<string, number>>): string =>
  Object.entries(counts)
    .sort(([, a], [, b]) => b - a)
    .map(([key, n]) => `${key} ${n}`)
    .join(", ") || "none";

const n = (count: number, noun: string): string => `${count} ${noun}${count === 1 ? "" : "s"}`;

function playBlock(play: PlaySimulation): string[] {
  const total = Object.values(play.actions).reduce((a, b) => a + b, 0);
  return [
    `${play.playbook} · ${play.name}`,
    `  entered ${n(play.entered, "time")} (${n(play.accounts_entered, "account")}), engaged ${n(play.engaged, "account")}; ${n(play.offers, "offer")}, ${n(play.approvals, "approval")}`,
    `  actions ${total}: ${counted(play.actions)}`,
    `  suppressed (accounts): ${counted(play.suppressions)}`,
    `  contests lost (accounts): ${counted(play.contests_lost)}`,
    `  outcomes: ${counted(play.outcomes)}`,
    `  entries per week  |${sparkline(play.weekly.entered)}| peak ${Math.max(0, ...play.weekly.entered)}`,
    `  actions per week  |${sparkline(play.weekly.actions)}| peak ${Math.max(0, ...play.weekly.actions)}`,
  ];
}

/** The simulation as a person reads it: the period and population, then a block per play. */
export function formatSimulation(report: SimulationReport, seconds: number): string {
  const head = [
    `simulated ${n(report.accounts, "account")} over ${report.days} days (${report.start.slice(0, 10)} to ${report.end.slice(0, 10)}, seed ${report.seed}) in ${seconds.toFixed(1)} s`,
    `  events: ${report.events.history} from the history, ${report.events.signals} from signals`,
    ...(report.errors.count > 0
      ? [`  ${report.errors.count} accounts stopped on an error; the first: ${report.errors.first}`]
      : []),
  ];
  return `${[head.join("\n"), ...report.plays.map((p) => playBlock(p).join("\n"))].join("\n\n")}\n`;
}
