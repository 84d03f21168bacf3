// npm run bench: one year-long playbook test with ten events (renewal-bundle and seat-upsell on one
// account) run three ways: on the journey core in process (`playloop test`), on the real account
// workflow on a time-skipping Temporal server (`playloop test --temporal`), and, as the baseline on
// that same server, a trivial workflow that sleeps a year. Medians of ROUNDS; figures to the
// `scenario` section of bench/results/latest.json.
import { fileURLToPath } from "node:url";
import { performance } from "node:perf_hooks";
import { TestWorkflowEnvironment } from "@temporalio/testing";
import { bundleWorkflowCode, DefaultLogger, makeTelemetryFilterString, Runtime, Worker } from "@temporalio/worker";
import { loadPlaybooks } from "../engine/runtime/load-plans.js";
import { projectRoot } from "../engine/runtime/project-root.js";
import { registerSearchAttributes } from "../engine/runtime/register-search-attributes.js";
import { findTestServer } from "../engine/runtime/temporal-binaries.js";
import { checkExpectation } from "../engine/scenario/check-expectations.js";
import { parseScenario } from "../engine/scenario/parse-scenario.js";
import { runScenario } from "../engine/scenario/run-scenario.js";
import { TemporalScenarioRunner } from "../engine/scenario/run-scenario-temporal.js";
import { machine, round, updateResults } from "./results.js";

const ROUNDS = 5;
const root = projectRoot();
const loaded = loadPlaybooks(`${root}/playbooks`);
const SCENARIO = `scenario: A year of one account, ten events
account:
  id: bench-year
  name: Bench Corp
  arr: 48000
  plan: { tier: growth, seats: 50, list_price_per_seat: 80 }
  usage: { active_seats: 30, seat_utilization: 0.6 }
  health_score: 82
  onboarded_at: "2025-01-10"
  renewal_date: "2026-09-01"
  timezone: America/New_York
  consent: { marketing: true }
  risk: { open_escalations: 0 }
  products: [core]
playbooks: [renewal-bundle, seat-upsell]
days: 365
timeline:
  - { day: 10, event: usage.updated, data: { usage: { seat_utilization: 0.91 } } }
  - { day: 22, event: qbr.completed, data: { outcome: positive } }
  - { day: 30, event: deal.closed, data: { outcome: won, amount: 9600 } }
  - { day: 60, event: usage.updated, data: { usage: { seat_utilization: 0.7 } } }
  - { day: 120, event: support.ticket_opened, data: { category: reporting } }
  - { day: 150, event: usage.updated, data: { usage: { seat_utilization: 0.95 } } }
  - { day: 175, event: qbr.completed, data: { outcome: positive } }
  - { day: 200, event: deal.closed, data: { outcome: won, amount: 17000 } }
  - { day: 260, event: usage.updated, data: { usage: { seat_utilization: 0.85 } } }
  - { day: 300, event: qbr.completed, data: { outcome: positive } }
expect:
  - { action: inapp.prompt, playbook: seat-upsell, day: 10 }
  - { action: crm.task, playbook: renewal-bundle }
`;
const { scenario, diagnostics } = parseScenario(SCENARIO, "bench.test.yaml", {
  playbookIds: loaded.plans.map((p) => p.id),
  sample: () => undefined,
});
if (scenario === undefined) throw new Error(`the bench scenario does not parse: ${JSON.stringify(diagnostics)}`);

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;
const timed = async (run: () => unknown): Promise<number> => {
  const started = performance.now();
  await run();
  return performance.now() - started;
};

Runtime.install({
  logger: new DefaultLogger("ERROR"),
  telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: "ERROR" }), forward: {} } },
});
const inProcess: number[] = [];
for (let i = 0; i < ROUNDS * 20; i++)
  inProcess.push(await timed(() => runScenario(scenario, loaded.plans, loaded.policy)));
const inProcessRun = runScenario(scenario, loaded.plans, loaded.policy);

const path = findTestServer();
if (path === undefined) throw new Error("no Temporal test server: run `npm install`");
const env = await TestWorkflowEnvironment.createTimeSkipping({
  server: { executable: { type: "existing-path", path } },
});
await registerSearchAttributes(env.connection, "default");
const runner = await TemporalScenarioRunner.create();
const sleeperWorker = await Worker.create({
  connection: env.nativeConnection,
  taskQueue: "bench-sleeper",
  workflowBundle: await bundleWorkflowCode({
    workflowsPath: fileURLToPath(new URL("./sleeper-workflow.js", import.meta.url)),
    logger: new DefaultLogger("ERROR"),
  }),
});
const onTemporal: number[] = [];
const sleeping: number[] = [];
let temporalRun: Awaited<ReturnType<TemporalScenarioRunner["run"]>> | undefined;
await sleeperWorker.runUntil(async () => {
  for (let i = 0; i < ROUNDS; i++) {
    sleeping.push(
      await timed(() =>
        env.client.workflow.execute("sleeper", { taskQueue: "bench-sleeper", workflowId: `sleeper-${i}`, args: [365] }),
      ),
    );
    onTemporal.push(
      await timed(async () => {
        temporalRun = await runner.run(scenario, loaded.plans, loaded.policy, env);
      }),
    );
  }
});
await env.teardown();

const agree = scenario.expectations.map(
  (e) => checkExpectation(e, inProcessRun).passed === (temporalRun && checkExpectation(e, temporalRun).passed),
);
if (agree.includes(false)) throw new Error("the two runs of the bench scenario disagree on an expectation");
const core = median(inProcess);
const temporal = median(onTemporal);
const sleeper = median(sleeping);
console.log(`\na year-long playbook test with ten events (median of ${ROUNDS}):`);
console.log(`  journey core in process            ${core.toFixed(1)} ms`);
console.log(
  `  account workflow, time-skipping    ${temporal.toFixed(0)} ms   ${(temporal / sleeper).toFixed(1)}x the sleeper`,
);
console.log(`  a workflow sleeping a year (base)  ${sleeper.toFixed(0)} ms`);
updateResults((previous) => ({
  ...previous,
  scenario: {
    date: new Date().toISOString(),
    machine: machine(),
    rounds: ROUNDS,
    events: scenario.timeline.length,
    days: scenario.days,
    in_process_ms: round(core, 2),
    temporal_ms: round(temporal, 0),
    sleeper_ms: round(sleeper, 0),
    temporal_vs_sleeper: round(temporal / sleeper, 1),
    actions: inProcessRun.actions.length,
  },
}));
