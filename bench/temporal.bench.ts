// npm run bench:temporal [-- --accounts N --events M]: playloop on the embedded Temporal dev server.
// 1. Ingest N accounts with the five bundled playbooks (a coordinator and five journeys each),
//    against a bare signal-with-start loop of N workflows on the same server (the baseline).
// 2. Worker memory with all those journeys waiting.
// 3. Event -> delivered action latency (p50, p99) for M usage events under that load.
import { parseArgs } from "node:util";
import { join } from "node:path";
import { TestWorkflowEnvironment } from "@temporalio/testing";
import { DefaultLogger, Runtime } from "@temporalio/worker";
import type { ActionEvent } from "../engine/journey/action-event.js";
import { SEARCH_ATTRIBUTES } from "../engine/journey/search-attributes.js";
import type { ActionSink } from "../engine/runtime/action-sinks.js";
import { AccountClient } from "../engine/runtime/account-client.js";
import { loadPlaybooks } from "../engine/runtime/load-plans.js";
import { projectRoot } from "../engine/runtime/project-root.js";
import { findTemporalCli } from "../engine/runtime/temporal-binaries.js";
import { createJourneyWorker } from "../engine/runtime/worker.js";

Runtime.install({ logger: new DefaultLogger("ERROR") });

const { values } = parseArgs({
  options: {
    accounts: { type: "string", default: "2000" },
    events: { type: "string", default: "200" },
    concurrency: { type: "string", default: "32" },
  },
});
const N = Number(values.accounts);
const EVENTS = Math.min(Number(values.events), N);
const CONCURRENCY = Number(values.concurrency);
const TASK_QUEUE = "playloop-bench";

async function pool(count: number, task: (i: number) => Promise<void>): Promise<number> {
  const started = process.hrtime.bigint();
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < count) await task(next++);
    }),
  );
  return Number(process.hrtime.bigint() - started) / 1e9;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(0)} MiB`;

const cli = findTemporalCli();
const env = await TestWorkflowEnvironment.createLocal({
  server: {
    executable: cli === undefined ? { type: "cached-download" } : { type: "existing-path", path: cli },
    searchAttributes: Object.values(SEARCH_ATTRIBUTES),
    extraArgs: ["--log-level", "error"],
  },
});
const firstAction = new Map<string, number>();
const sink: ActionSink = {
  name: "bench",
  deliver(event: ActionEvent) {
    if (event.source === "playloop/playbooks/seat-upsell" && !firstAction.has(event.subject))
      firstAction.set(event.subject, Date.now());
    return Promise.resolve();
  },
};
const worker = await createJourneyWorker({ connection: env.nativeConnection, taskQueue: TASK_QUEUE, sinks: [sink] });
const running = worker.run();
const { plans, policy } = loadPlaybooks(join(projectRoot(), "playbooks"));
const accounts = new AccountClient(env.client, plans, policy, TASK_QUEUE);
const today = Date.now();
const day = (offset: number) => new Date(today + offset * 86_400_000).toISOString().slice(0, 10);
const account = (i: number) => ({
  id: `bench-${i}`,
  name: `Bench ${i}`,
  arr: 48000,
  plan: { tier: "growth", seats: 50, list_price_per_seat: 80 },
  usage: { active_seats: 30, seat_utilization: 0.6 },
  health_score: 82,
  onboarded_at: day(-200),
  renewal_date: day(250),
  timezone: "UTC",
  consent: { marketing: true },
  risk: { open_escalations: 0, cancellation_intent: false },
  products: ["core"],
});

console.log(
  `playloop on the Temporal dev server: ${N} accounts x ${plans.length} playbooks, concurrency ${CONCURRENCY}`,
);
const rssBefore = process.memoryUsage().rss;
const baselineSeconds = await pool(N, async (i) => {
  await env.client.workflow.signalWithStart("bench-baseline", {
    workflowId: `bench-baseline-${i}`,
    taskQueue: "playloop-bench-baseline-unpolled",
    args: [],
    signal: "snapshot",
    signalArgs: [account(i)],
  });
});
const ingestSeconds = await pool(N, async (i) => {
  await accounts.upsertAccount(account(i));
});
const baselineRate = N / baselineSeconds;
const ingestRate = N / ingestSeconds;
console.log(`  bare signal-with-start   ${baselineRate.toFixed(0).padStart(7)} per second`);
console.log(
  `  playloop ingest          ${ingestRate.toFixed(0).padStart(7)} accounts per second  (${(ingestRate / baselineRate).toFixed(2)}x the baseline)`,
);

// Wait until every journey has been started and reached its first wait.
const expected = N * plans.length;
for (;;) {
  const { count } = await env.client.workflow.count(`PlaybookId = 'seat-upsell' AND ExecutionStatus = 'Running'`);
  if (count >= N) break;
  await new Promise((resolve) => setTimeout(resolve, 1000));
}
await new Promise((resolve) => setTimeout(resolve, 5000));
globalThis.gc?.();
const rssWaiting = process.memoryUsage().rss;
console.log(
  `  worker process memory    ${mb(rssWaiting)} RSS with ${expected} journeys and ${N} coordinators waiting (${mb(rssWaiting - rssBefore)} more than at start)`,
);

const sent = new Map<string, number>();
await pool(EVENTS, async (i) => {
  const id = `bench-${Math.floor((i * N) / EVENTS)}`;
  sent.set(id, Date.now());
  await accounts.sendEvent(id, {
    id: `usage-${id}`,
    type: "usage.updated",
    data: { usage: { seat_utilization: 0.92 } },
  });
});
const deadline = Date.now() + 120_000;
while ([...sent.keys()].some((id) => !firstAction.has(id)) && Date.now() < deadline)
  await new Promise((resolve) => setTimeout(resolve, 200));
const latencies = [...sent]
  .flatMap(([id, at]) => (firstAction.has(id) ? [(firstAction.get(id) ?? at) - at] : []))
  .sort((a, b) => a - b);
console.log(
  `  event -> action latency  p50 ${percentile(latencies, 50)} ms, p99 ${percentile(latencies, 99)} ms over ${latencies.length}/${sent.size} events`,
);

worker.shutdown();
await running;
await env.teardown();
