// The Temporal benchmark's report: the four ratios playloop / minimal entity against their goals,
// the printed table, and the figures as bench/results/latest.json holds them.
import { mib, type EventFigures, type SideFigures } from "./measure.js";
import { round, type Results } from "./results.js";

/** The goals for playloop's figure divided by the minimal entity's. */
export const GOALS = {
  ingest: [">=", 0.8],
  play_start: [">=", 0.5],
  p99_latency: ["<=", 2],
  worker_rss: ["<=", 1.5],
} as const;

export type Ratios = Record<keyof typeof GOALS, number>;

/** The sizes the figures were measured at. */
export interface Sizes {
  readonly accounts: number;
  readonly journeys: number;
  readonly probes: number;
}

export function ratios(minimal: SideFigures, playloop: SideFigures): Ratios {
  return {
    ingest: playloop.ingestPerSecond / minimal.ingestPerSecond,
    play_start: playloop.burst.perSecond / minimal.burst.perSecond,
    p99_latency: playloop.probe.p99 / minimal.probe.p99,
    worker_rss: playloop.waiting.rss / minimal.waiting.rss,
  };
}

/** Whether a ratio meets its goal; null when it was not measured (no probes). */
function met(name: keyof Ratios, value: number): boolean | null {
  if (!Number.isFinite(value)) return null;
  const [op, goal] = GOALS[name];
  return op === ">=" ? value >= goal : value <= goal;
}

const ms = (value: number): string => `${value.toFixed(0)} ms`;
const mibText = (bytes: number): string => `${mib(bytes).toFixed(0)} MiB`;

export function printTable(sizes: Sizes, floor: number, minimal: SideFigures, playloop: SideFigures): void {
  const r = ratios(minimal, playloop);
  const row = (label: string, m: string, p: string, ratio = "", goal = "") =>
    console.log(`  ${label.padEnd(44)} ${m.padStart(14)} ${p.padStart(14)} ${ratio.padStart(7)}  ${goal}`);
  const ratioRow = (label: string, name: keyof Ratios, m: string, p: string) => {
    const verdict = met(name, r[name]);
    row(
      label,
      m,
      p,
      `${r[name].toFixed(2)}x`,
      `${GOALS[name].join(" ")} ${verdict === null ? "" : verdict ? "met" : "NOT met"}`,
    );
  };
  const latency = (label: string, pick: (e: EventFigures) => number, of: (f: SideFigures) => EventFigures) =>
    row(label, ms(pick(of(minimal))), ms(pick(of(playloop))));
  console.log("");
  row("measure", "minimal entity", "playloop", "ratio", "goal");
  ratioRow("ingest, accounts/s", "ingest", minimal.ingestPerSecond.toFixed(0), playloop.ingestPerSecond.toFixed(0));
  ratioRow(
    `burst of ${sizes.journeys}: run to their wait, per second`,
    "play_start",
    minimal.burst.perSecond.toFixed(1),
    playloop.burst.perSecond.toFixed(1),
  );
  ratioRow(
    `event -> first delivery p99, ${sizes.probes} probes`,
    "p99_latency",
    ms(minimal.probe.p99),
    ms(playloop.probe.p99),
  );
  ratioRow(
    `worker RSS, ${sizes.journeys} waiting`,
    "worker_rss",
    mibText(minimal.waiting.rss),
    mibText(playloop.waiting.rss),
  );
  latency(
    "event -> first delivery p50, probes",
    (e) => e.p50,
    (f) => f.probe,
  );
  latency(
    "event -> update answered p50, probes",
    (e) => e.answerP50,
    (f) => f.probe,
  );
  latency(
    "event -> first delivery p50, burst",
    (e) => e.p50,
    (f) => f.burst,
  );
  latency(
    "event -> first delivery p99, burst",
    (e) => e.p99,
    (f) => f.burst,
  );
  row("worker RSS idle (before ingest)", mibText(minimal.idle.rss), mibText(playloop.idle.rss));
  row("worker heap used, waiting", mibText(minimal.waiting.heapUsed), mibText(playloop.waiting.heapUsed));
  console.log(
    `  floor: bare signal-with-start, no worker: ${floor.toFixed(0)} per second (playloop ingest ${(playloop.ingestPerSecond / floor).toFixed(2)}x of it)`,
  );
  const history = ({ history: h }: SideFigures) =>
    `${h.events} events, ${(h.payloadBytes / 1024).toFixed(1)} KiB of payloads (${h.workflowTasks} workflow tasks, ${h.activities} activities, ${h.markers} local activity markers)`;
  console.log(
    `  one account's history after ingest and burst: minimal ${history(minimal)}; playloop ${history(playloop)}`,
  );
  console.log(
    `  latencies leave out playloop's holdout accounts (no actions): ${playloop.burst.measured} of ${sizes.journeys} burst events, ${playloop.probe.measured} of ${sizes.probes} probes`,
  );
  console.log(
    `  ratios measured at ${sizes.accounts} accounts, ${sizes.journeys} waiting, ${sizes.probes} probes, workflow cache ${playloop.cache} in both workers`,
  );
}

function sideJson(figures: SideFigures): Results {
  const events = (e: EventFigures) => ({
    events: e.events,
    per_second: round(e.perSecond),
    p50_ms: e.p50,
    p99_ms: e.p99,
    latencies_measured: e.measured,
    answer_p50_ms: e.answerP50,
    answer_p99_ms: e.answerP99,
  });
  return {
    ingest_accounts_per_second: round(figures.ingestPerSecond),
    burst: events(figures.burst),
    probes: events(figures.probe),
    worker_rss_mib: { idle: round(mib(figures.idle.rss)), waiting: round(mib(figures.waiting.rss)) },
    worker_heap_used_mib: { idle: round(mib(figures.idle.heapUsed)), waiting: round(mib(figures.waiting.heapUsed)) },
    cpu_percent_of_a_core: figures.cpu,
    history_of_one_account: figures.history,
  };
}

/** The absolute figures, the ratios and whether each meets its goal, for latest.json. */
export function resultsJson(floor: number, minimal: SideFigures, playloop: SideFigures, extra: Results): Results {
  const r = ratios(minimal, playloop);
  const names = Object.keys(GOALS) as (keyof Ratios)[];
  return {
    figures: {
      floor_signal_with_start_per_second: round(floor),
      minimal: sideJson(minimal),
      playloop: { ...sideJson(playloop), ...extra },
    },
    ratios: Object.fromEntries(names.map((name) => [name, Number.isFinite(r[name]) ? round(r[name], 3) : null])),
    goals: Object.fromEntries(names.map((name) => [name, GOALS[name].join(" ")])),
    goals_met: Object.fromEntries(names.map((name) => [name, met(name, r[name])])),
  };
}
