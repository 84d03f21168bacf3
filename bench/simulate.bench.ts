// npm run bench: `playloop simulate` of 10,000 generated accounts over 365 days with the six bundled
// playbooks and the sample signals (playbooks/samples/signals.yaml), in one process. The baseline,
// run first in the same process, is the same population with the accounts' timers only (no
// signals): what simulating time alone costs, so the ratio shows what the events add. The figures go
// to the `simulate` section of bench/results/latest.json; the target is under a minute.
import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { loadPlaybooks } from "../engine/runtime/load-plans.js";
import { projectRoot } from "../engine/runtime/project-root.js";
import { simulatePopulation } from "../engine/simulate/simulate-population.js";
import { parseSignals } from "../engine/simulate/simulated-signals.js";
import { generatedAccounts } from "./generated-accounts.js";
import { machine, round, updateResults } from "./results.js";

const ACCOUNTS = 10_000;
const DAYS = 365;
const START = Date.parse("2026-12-04T00:00:00Z");

const root = projectRoot();
const loaded = loadPlaybooks(`${root}/playbooks`);
const file = `${root}/playbooks/samples/signals.yaml`;
const { signals } = parseSignals(readFileSync(file, "utf8"), file);
const accounts = generatedAccounts(ACCOUNTS, START);

const timed = (withSignals: boolean) => {
  const started = performance.now();
  const report = simulatePopulation({
    ...loaded,
    accounts,
    signals: withSignals ? signals : undefined,
    seed: 1,
    start: START,
    days: DAYS,
  });
  return { seconds: (performance.now() - started) / 1000, report };
};

const baseline = timed(false);
const full = timed(true);
const actions = full.report.plays.reduce(
  (sum, play) => sum + Object.values(play.actions).reduce((a, b) => a + b, 0),
  0,
);
console.log(`\nsimulate ${ACCOUNTS} accounts x ${DAYS} days, ${loaded.plans.length} playbooks:`);
console.log(`  timers only (baseline)   ${baseline.seconds.toFixed(1)} s`);
console.log(
  `  with the sample signals  ${full.seconds.toFixed(1)} s   ${(full.seconds / baseline.seconds).toFixed(2)}x the baseline; ${full.report.events.signals} events, ${actions} actions, rss ${Math.round(process.memoryUsage().rss / 2 ** 20)} MiB`,
);
updateResults((previous) => ({
  ...previous,
  simulate: {
    date: new Date().toISOString(),
    machine: machine(),
    accounts: ACCOUNTS,
    days: DAYS,
    playbooks: loaded.plans.length,
    baseline_seconds: round(baseline.seconds, 1),
    seconds: round(full.seconds, 1),
    vs_baseline: round(full.seconds / baseline.seconds, 2),
    events: full.report.events.signals,
    actions,
    rss_mib: Math.round(process.memoryUsage().rss / 2 ** 20),
    target_seconds: 60,
  },
}));
