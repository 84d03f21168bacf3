// npm run bench:temporal [-- --accounts N --journeys J --probes P --db memory|file --cache C]:
// playloop on the embedded Temporal dev server (SQLite); --cache sets the worker's workflow cache.
// 1. Ingest N accounts with the five bundled playbooks (one coordinator each, detecting all five),
//    against a bare signal-with-start loop of N workflows on the same server (the baseline).
// 2. A capacity event to J accounts: J seat-upsell journeys start, deliver their orchestrate
//    actions and wait for a QBR. Event -> delivered action latency over that burst; worker memory
//    with the J journeys waiting.
// 3. Event -> delivered action latency for P more events, four at a time, under that load.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { parseArgs } from "node:util";
import { join } from "node:path";
import { TestWorkflowEnvironment } from "@temporalio/testing";
import { DefaultLogger, Runtime } from "@temporalio/worker";
import type { ActionEvent } from "../engine/journey/action-event.js";
import { isHeldOut } from "../engine/journey/holdout.js";
import { SEARCH_ATTRIBUTES } from "../engine/messages/search-attributes.js";
import type { ActionSink } from "../engine/runtime/action-sinks.js";
import { AccountClient } from "../engine/runtime/account-client.js";
import { PlanRegistry } from "../engine/runtime/plan-registry.js";
import { projectRoot } from "../engine/runtime/project-root.js";
import { SQLITE_PRAGMAS } from "../engine/runtime/run-services.js";
import { findTemporalCli } from "../engine/runtime/temporal-binaries.js";
import { createJourneyWorker } from "../engine/runtime/worker.js";

Runtime.install({ logger: new DefaultLogger("ERROR") });

const { values } = parseArgs({
  options: {
    accounts: { type: "string", default: "2000" },
    journeys: { type: "string", default: "1000" },
    probes: { type: "string", default: "200" },
    db: { type: "string", default: "memory" },
    cache: { type: "string" },
    concurrency: { type: "string", default: "32" },
  },
});
const N = Number(values.accounts);
const JOURNEYS = Math.min(Number(values.journeys), N);
const PROBES = Math.min(Number(values.probes), N - JOURNEYS);
const CONCURRENCY = Number(values.concurrency);
const TASK_QUEUE = "playloop-bench";

async function pool(count: number, task: (i: number) => Promise<void>, concurrency = CONCURRENCY): Promise<number> {
  const started = process.hrtime.bigint();
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
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
    // `--db file` keeps SQLite in a file, as `playloop dev` does; the default is the dev server's own
    // default, SQLite in memory.
    ...(values.db === "file"
      ? { dbFilename: join(mkdtempSync(join(tmpdir(), "playloop-bench-")), "temporal.db") }
      : {}),
    searchAttributes: Object.values(SEARCH_ATTRIBUTES),
    // The file database as `playloop dev` keeps it: write-ahead log, fsync at checkpoints.
    extraArgs: ["--log-level", "error", ...(values.db === "file" ? SQLITE_PRAGMAS : [])],
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
const registry = PlanRegistry.fromFolder(join(projectRoot(), "playbooks"));
const worker = await createJourneyWorker({
  connection: env.nativeConnection,
  taskQueue: TASK_QUEUE,
  sinks: [sink],
  plans: registry,
  ...(values.cache === undefined ? {} : { maxCachedWorkflows: Number(values.cache) }),
});
const running = worker.run();
const accounts = new AccountClient(env.client, TASK_QUEUE);
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
  `playloop on the Temporal dev server (SQLite in ${values.db}): ${N} accounts x ${registry.plans.length} playbooks, concurrency ${CONCURRENCY}${values.cache === undefined ? "" : `, workflow cache ${values.cache}`}`,
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
const baselineRate = N / baselineSeconds;
console.log(`  bare signal-with-start   ${baselineRate.toFixed(0).padStart(7)} per second`);
const ingestSeconds = await pool(N, async (i) => {
  await accounts.upsertAccount(account(i));
});
const ingestRate = N / ingestSeconds;
console.log(
  `  playloop ingest          ${ingestRate.toFixed(0).padStart(7)} accounts per second  (${(ingestRate / baselineRate).toFixed(2)}x the baseline)`,
);

// Journeys waiting: a capacity event to each of J accounts starts its seat-upsell journey, which
// delivers its orchestrate actions and waits in prove for a QBR. Latency is measured per event.
const seatUpsell = registry.plans.find((p) => p.id === "seat-upsell");
if (seatUpsell === undefined) throw new Error("the seat-upsell playbook is missing");
const holdout = seatUpsell.holdout;
/** The accounts that get actions: holdout accounts get none and are left out of the latency. */
const delivering = (ids: string[]): string[] => ids.filter((id) => !isHeldOut("seat-upsell", id, holdout));
const sent = new Map<string, number>();
async function usageEvents(ids: string[], concurrency: number): Promise<number[]> {
  await pool(
    ids.length,
    async (i) => {
      const id = ids[i] ?? "";
      sent.set(id, Date.now());
      await accounts.sendEvent(id, {
        id: `usage-${id}`,
        type: "usage.updated",
        data: { usage: { seat_utilization: 0.92 } },
      });
    },
    concurrency,
  );
  const expected = delivering(ids);
  const deadline = Date.now() + 600_000;
  while (expected.some((id) => !firstAction.has(id)) && Date.now() < deadline)
    await new Promise((resolve) => setTimeout(resolve, 200));
  return expected
    .flatMap((id) => (firstAction.has(id) ? [(firstAction.get(id) ?? 0) - (sent.get(id) ?? 0)] : []))
    .sort((a, b) => a - b);
}
const latency = (label: string, values: number[], of: number): void =>
  console.log(
    `  ${label.padEnd(24)} p50 ${percentile(values, 50)} ms, p99 ${percentile(values, 99)} ms (${values.length} of ${of} non-holdout events delivered)`,
  );

const burstIds = Array.from({ length: JOURNEYS }, (_, i) => `bench-${Math.floor((i * N) / JOURNEYS)}`);
const burstStarted = process.hrtime.bigint();
const burst = await usageEvents(burstIds, CONCURRENCY);
for (;;) {
  const { count } = await env.client.workflow.count(
    `PlaybookId = 'seat-upsell' AND Stage = 'prove' AND ExecutionStatus = 'Running'`,
  );
  if (count >= JOURNEYS) break;
  await new Promise((resolve) => setTimeout(resolve, 1000));
}
const burstSeconds = Number(process.hrtime.bigint() - burstStarted) / 1e9;
console.log(
  `  ${JOURNEYS} capacity events    ${(JOURNEYS / burstSeconds).toFixed(0)} journeys per second started and run to their QBR wait`,
);
latency("event -> action (burst)", burst, delivering(burstIds).length);
await new Promise((resolve) => setTimeout(resolve, 5000));
globalThis.gc?.();
const rssWaiting = process.memoryUsage().rss;
console.log(
  `  worker process memory    ${mb(rssWaiting)} RSS with ${JOURNEYS} journeys waiting and ${N} coordinators (${mb(rssWaiting - rssBefore)} more than at start)`,
);

// Under that load: further events, one at a time per worker slot, to accounts not yet touched.
const untouched = Array.from({ length: N }, (_, i) => `bench-${i}`).filter((id) => !sent.has(id));
const probeIds = Array.from(
  { length: Math.min(PROBES, untouched.length) },
  (_, i) => untouched[Math.floor((i * untouched.length) / PROBES)] ?? "",
);
const probes = await usageEvents(probeIds, 4);
latency("event -> action (probe)", probes, delivering(probeIds).length);

worker.shutdown();
await running;
await env.teardown();
