// npm run bench: `playloop preview` over 100,000 generated accounts and the six bundled playbooks,
// with rules compiled by compileRule against the same preview with the interpreter (`evaluate`),
// in one process on the same accounts (median of ROUNDS). Only the evaluation is timed, as the
// CLI reports it; reading the export is not. The figures go to the `preview` section of
// bench/results/latest.json.
import { performance } from "node:perf_hooks";
import { evaluate } from "../engine/index.js";
import { loadPlaybooks } from "../engine/runtime/load-plans.js";
import { projectRoot } from "../engine/runtime/project-root.js";
import { previewPlays, type RuleCompiler } from "../engine/simulate/preview-plays.js";
import { generatedAccounts } from "./generated-accounts.js";
import { machine, round, updateResults } from "./results.js";

const ACCOUNTS = 100_000;
const ROUNDS = 5;
const NOW = Date.parse("2026-12-04T00:00:00Z");

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;

const loaded = loadPlaybooks(`${projectRoot()}/playbooks`);
const population = generatedAccounts(ACCOUNTS, NOW);
const contenders: [string, RuleCompiler | undefined][] = [
  ["preview, evaluate (interpreter)", (rule) => (data) => evaluate(rule, data)],
  ["preview, compileRule", undefined],
];
const times = new Map<string, number[]>();
const entering = new Map<string, number>();
for (let r = 0; r < ROUNDS; r++) {
  for (const [name, compile] of contenders) {
    const started = performance.now();
    const report = previewPlays({
      plans: loaded.plans,
      policy: loaded.policy,
      accounts: population,
      now: NOW,
      compile,
    });
    times.set(name, [...(times.get(name) ?? []), performance.now() - started]);
    entering.set(
      name,
      report.plays.reduce((sum, play) => sum + play.entering, 0),
    );
  }
}
const [baselineName] = contenders[0] ?? [""];
const baseline = median(times.get(baselineName) ?? []);
if (new Set(entering.values()).size !== 1) throw new Error(`the contenders disagree: ${JSON.stringify([...entering])}`);
console.log(`\npreview of ${ACCOUNTS} accounts x ${loaded.plans.length} playbooks (median of ${ROUNDS}):`);
const figures: Record<string, unknown> = {};
for (const [name] of contenders) {
  const ms = median(times.get(name) ?? []);
  console.log(`  ${name.padEnd(32)} ${ms.toFixed(0).padStart(6)} ms   ${(baseline / ms).toFixed(1)}x`);
  figures[name] = { ms: round(ms, 1), vs_interpreter: round(baseline / ms, 1) };
}
updateResults((previous) => ({
  ...previous,
  preview: {
    date: new Date().toISOString(),
    machine: machine(),
    accounts: ACCOUNTS,
    playbooks: loaded.plans.length,
    rounds: ROUNDS,
    entering: entering.get(baselineName),
    contenders: figures,
  },
}));
