// npm run bench:temporal [-- --accounts N --journeys J --probes P --db memory|file --cache C
//                            --concurrency K --profile]
//
// playloop against a MINIMAL ENTITY WORKFLOW (bench/minimal/workflows.ts: an `upsert` update sets a
// snapshot, an `event` update runs one activity) on one embedded Temporal dev server, in one run.
// Each side's worker runs in its own child process (bench/worker-process.ts) with the same
// settings and workflow cache, so the RSS it reports is its own; both bundles are built here.
//
// 0. Floor: N bare signal-with-start calls with no worker polling (what the server allows here).
// Then each side in turn, the minimal entity first:
// 1. Ingest: N accounts by update-with-start applying a snapshot, K at a time.
// 2. Burst: an event to J accounts, K at a time. Minimal: it runs one activity. playloop: a capacity
//    `usage.updated`, so seat-upsell fires, delivers its orchestrate and prove actions and waits for
//    a QBR. Rate: J / seconds until the last account is waiting; latency: event -> first delivery.
// 3. Memory: the worker process's RSS after a GC, with the J accounts waiting.
// 4. Probes: P more events, four at a time, to untouched accounts: latency under that load.
// Prints a table with the ratios playloop / minimal and writes bench/results/latest.json (keeping
// the `rules` section bench/rules.bench.ts writes). `--profile` writes the workers' CPU profiles
// to bench/results/profiles/.
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { TestWorkflowEnvironment } from "@temporalio/testing";
import { bundleWorkflowCode, DefaultLogger, Runtime } from "@temporalio/worker";
import type { CompiledPlan } from "../engine/compile/plan.js";
import { isHeldOut } from "../engine/journey/holdout.js";
import { SEARCH_ATTRIBUTES } from "../engine/messages/search-attributes.js";
import { AccountClient } from "../engine/runtime/account-client.js";
import { PlanRegistry } from "../engine/runtime/plan-registry.js";
import { projectRoot } from "../engine/runtime/project-root.js";
import { SQLITE_PRAGMAS } from "../engine/runtime/run-services.js";
import { findTemporalCli } from "../engine/runtime/temporal-binaries.js";
import { bundleJourneyWorkflows } from "../engine/runtime/workflow-bundle.js";
import { MinimalClient } from "./minimal/client.js";
import { machine, round, updateResults } from "./results.js";
import { WorkerProcess, type WorkerKind, type WorkerMemory } from "./worker-handle.js";

Runtime.install({ logger: new DefaultLogger("ERROR") });

const { values } = parseArgs({
  options: {
    accounts: { type: "string", default: "2000" },
    journeys: { type: "string", default: "1000" },
    probes: { type: "string", default: "100" },
    db: { type: "string", default: "memory" },
    cache: { type: "string" },
    concurrency: { type: "string", default: "32" },
    profile: { type: "boolean", default: false },
  },
});
const N = Number(values.accounts);
const J = Math.min(Number(values.journeys), N);
const P = Math.min(Number(values.probes), N - J);
const K = Number(values.concurrency);
const CACHE = values.cache === undefined ? undefined : Number(values.cache);
const PROFILES = join(projectRoot(), "bench", "results", "profiles");
const GOALS = { ingest: [">=", 0.8], play_start: [">=", 0.5], p99_latency: ["<=", 2], worker_rss: ["<=", 1.5] } as const;

// ---------------------------------------------------------------- helpers

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const mib = (bytes: number): number => bytes / 1024 / 1024;

/** Runs `task` for 0..count-1, `concurrency` at a time; the seconds it took. */
async function pool(count: number, task: (i: number) => Promise<unknown>, concurrency = K): Promise<number> {
  const started = process.hrtime.bigint();
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) await task(next++);
    }),
  );
  return Number(process.hrtime.bigint() - started) / 1e9;
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

async function until(done: () => boolean, what: string, timeoutMs = 600_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`gave up after ${timeoutMs / 1000} s waiting for ${what}`);
    await sleep(100);
  }
}

const today = Date.now();
const day = (offset: number) => new Date(today + offset * 86_400_000).toISOString().slice(0, 10);
/** An account every playbook can detect on, and seat-upsell finds eligible. */
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
/** The capacity event: seat utilization above seat-upsell's 80% trigger. */
const capacityEvent = (id: string) => ({
  id: `usage-${id}`,
  type: "usage.updated",
  data: { usage: { seat_utilization: 0.92 } },
});

/** The actions a play delivers from its trigger to its first event wait (seat-upsell: 3, then the QBR). */
function actionsBeforeFirstEventWait(plan: CompiledPlan): number {
  let actions = 0;
  for (const stage of plan.stages.filter((s) => s.name !== plan.start))
    for (const step of stage.steps) {
      if (step.kind === "wait" && step.event !== undefined) return actions;
      if (step.kind === "action") actions++;
    }
  return actions;
}

// ---------------------------------------------------------------- the two sides

/** What the phases need from a side. */
interface Side {
  readonly name: string;
  readonly kind: WorkerKind;
  readonly taskQueue: string;
  readonly bundlePath: string;
  /** The label of the deliveries that count (playloop: seat-upsell's actions). */
  readonly label: string;
  upsert(i: number): Promise<unknown>;
  sendEvent(id: string): Promise<unknown>;
  /** Deliveries an event leads to before the account waits again; 0: the update's answer is the wait. */
  actions(id: string): number;
}

interface EventFigures {
  readonly events: number;
  /** Accounts that reached their wait (their deliveries done) per second over the whole phase. */
  readonly perSecond: number;
  /** Event -> first delivery, over the events that deliver anything. */
  readonly p50: number;
  readonly p99: number;
  readonly measured: number;
}

interface SideFigures {
  readonly ingestPerSecond: number;
  readonly burst: EventFigures;
  readonly probe: EventFigures;
  readonly cache: number;
  readonly idle: WorkerMemory;
  readonly waiting: WorkerMemory;
}

/** Sends one event to each account and waits until every one of them is waiting again. */
async function eventsUntilWaiting(side: Side, worker: WorkerProcess, ids: string[], concurrency: number) {
  const sent = new Map<string, number>();
  const answered = new Map<string, number>();
  const started = Date.now();
  await pool(
    ids.length,
    async (i) => {
      const id = ids[i] ?? "";
      sent.set(id, Date.now());
      await side.sendEvent(id);
      answered.set(id, Date.now());
    },
    concurrency,
  );
  const deliveries = (id: string): number[] => [...(worker.deliveries.get(id) ?? [])].sort((a, b) => a - b);
  const waitingSince = (id: string): number | undefined => {
    const n = side.actions(id);
    return n === 0 ? answered.get(id) : deliveries(id)[n - 1];
  };
  await until(() => ids.every((id) => waitingSince(id) !== undefined), `${side.name}: ${ids.length} accounts waiting`);
  const finished = ids.reduce((last, id) => Math.max(last, waitingSince(id) ?? 0), started);
  const latencies = ids
    .filter((id) => side.actions(id) > 0)
    .map((id) => (deliveries(id)[0] ?? 0) - (sent.get(id) ?? 0))
    .sort((a, b) => a - b);
  return {
    events: ids.length,
    perSecond: ids.length / ((finished - started) / 1000),
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    measured: latencies.length,
  } satisfies EventFigures;
}

const burstIds = Array.from({ length: J }, (_, i) => `bench-${Math.floor((i * N) / J)}`);
const touched = new Set(burstIds);
const untouched = Array.from({ length: N }, (_, i) => `bench-${i}`).filter((id) => !touched.has(id));
const probeIds = Array.from({ length: P }, (_, i) => untouched[Math.floor((i * untouched.length) / P)] ?? "");

/** Phases 1 to 4 for one side, its worker in a child process started here and stopped at the end. */
async function measureSide(side: Side, address: string): Promise<SideFigures> {
  const { worker, cache, idle } = await WorkerProcess.start({
    kind: side.kind,
    address,
    taskQueue: side.taskQueue,
    bundlePath: side.bundlePath,
    label: side.label,
    ...(CACHE === undefined ? {} : { cache: CACHE }),
    nodeOptions: values.profile ? ["--cpu-prof", `--cpu-prof-dir=${PROFILES}`] : [],
  });
  const ingestPerSecond = N / (await pool(N, (i) => side.upsert(i)));
  console.log(`  ${side.name}: ingest ${ingestPerSecond.toFixed(0)} accounts/s`);
  const burst = await eventsUntilWaiting(side, worker, burstIds, K);
  console.log(`  ${side.name}: burst ${burst.perSecond.toFixed(1)} per second, p99 ${burst.p99} ms`);
  await sleep(5000);
  const waiting = await worker.memory();
  console.log(`  ${side.name}: worker RSS ${mib(waiting.rss).toFixed(0)} MiB with ${J} waiting`);
  const probe = await eventsUntilWaiting(side, worker, probeIds, 4);
  await worker.stop();
  return { ingestPerSecond, burst, probe, cache, idle, waiting };
}

// ---------------------------------------------------------------- setup

async function startDevServer(): Promise<TestWorkflowEnvironment> {
  const cli = findTemporalCli();
  return TestWorkflowEnvironment.createLocal({
    server: {
      executable: cli === undefined ? { type: "cached-download" } : { type: "existing-path", path: cli },
      // `--db file` keeps SQLite in a file with a write-ahead log, as `playloop dev` does; the
      // default is the dev server's own, SQLite in memory.
      ...(values.db === "file"
        ? { dbFilename: join(mkdtempSync(join(tmpdir(), "playloop-bench-")), "temporal.db") }
        : {}),
      searchAttributes: Object.values(SEARCH_ATTRIBUTES),
      extraArgs: ["--log-level", "error", ...(values.db === "file" ? SQLITE_PRAGMAS : [])],
    },
  });
}

/** Both workflow bundles, written to files the worker processes load. */
async function writeBundles(): Promise<{ playloop: string; minimal: string }> {
  const dir = mkdtempSync(join(tmpdir(), "playloop-bench-bundles-"));
  const minimal = await bundleWorkflowCode({
    workflowsPath: fileURLToPath(new URL("./minimal/workflows.js", import.meta.url)),
    // As engine/runtime/workflow-bundle.ts: `./x.js` imports find the `.ts` file from source.
    webpackConfigHook: (config) => ({
      ...config,
      resolve: { ...config.resolve, extensionAlias: { ".js": [".ts", ".js"] } },
    }),
    logger: new DefaultLogger("WARN"),
  });
  const paths = { playloop: join(dir, "playloop.js"), minimal: join(dir, "minimal.js") };
  writeFileSync(paths.playloop, (await bundleJourneyWorkflows()).code);
  writeFileSync(paths.minimal, minimal.code);
  return paths;
}

/** N bare signal-with-start calls to a task queue nobody polls: the floor. */
async function floorRate(env: TestWorkflowEnvironment): Promise<number> {
  const seconds = await pool(N, (i) =>
    env.client.workflow.signalWithStart("bench-baseline", {
      workflowId: `bench-baseline-${i}`,
      taskQueue: "playloop-bench-baseline-unpolled",
      args: [],
      signal: "snapshot",
      signalArgs: [account(i)],
    }),
  );
  return N / seconds;
}

/** How many accounts visibility shows in seat-upsell's prove stage (a check, not timed). */
async function visibleInProve(env: TestWorkflowEnvironment, expected: number): Promise<number> {
  const query = `Stages = 'seat-upsell:prove' AND ExecutionStatus = 'Running'`;
  let count = 0;
  for (const deadline = Date.now() + 30_000; count < expected && Date.now() < deadline; await sleep(1000))
    ({ count } = await env.client.workflow.count(query));
  return count;
}

// ---------------------------------------------------------------- report

function ratios(minimal: SideFigures, playloop: SideFigures) {
  return {
    ingest: playloop.ingestPerSecond / minimal.ingestPerSecond,
    play_start: playloop.burst.perSecond / minimal.burst.perSecond,
    p99_latency: playloop.probe.p99 / minimal.probe.p99,
    worker_rss: playloop.waiting.rss / minimal.waiting.rss,
  };
}
type Ratios = ReturnType<typeof ratios>;

const met = (name: keyof Ratios, value: number): boolean => {
  const [op, goal] = GOALS[name];
  return op === ">=" ? value >= goal : value <= goal;
};

function printTable(floor: number, minimal: SideFigures, playloop: SideFigures, r: Ratios): void {
  const row = (label: string, m: string, p: string, ratio = "", goal = "") =>
    console.log(`  ${label.padEnd(44)} ${m.padStart(14)} ${p.padStart(14)} ${ratio.padStart(7)}  ${goal}`);
  const ratioRow = (label: string, name: keyof Ratios, m: string, p: string) =>
    row(label, m, p, `${r[name].toFixed(2)}x`, `${GOALS[name].join(" ")} ${met(name, r[name]) ? "met" : "NOT met"}`);
  const ms = (figures: EventFigures, p: "p50" | "p99") => `${figures[p].toFixed(0)} ms`;
  console.log("");
  row("measure", "minimal entity", "playloop", "ratio", "goal");
  ratioRow("ingest, accounts/s", "ingest", minimal.ingestPerSecond.toFixed(0), playloop.ingestPerSecond.toFixed(0));
  ratioRow(
    `burst of ${J}: run to their wait, per second`,
    "play_start",
    minimal.burst.perSecond.toFixed(1),
    playloop.burst.perSecond.toFixed(1),
  );
  ratioRow(`event -> first delivery p99, ${P} probes`, "p99_latency", ms(minimal.probe, "p99"), ms(playloop.probe, "p99"));
  ratioRow(
    `worker RSS, ${J} waiting`,
    "worker_rss",
    `${mib(minimal.waiting.rss).toFixed(0)} MiB`,
    `${mib(playloop.waiting.rss).toFixed(0)} MiB`,
  );
  row("event -> first delivery p50, probes", ms(minimal.probe, "p50"), ms(playloop.probe, "p50"));
  row("event -> first delivery p50, burst", ms(minimal.burst, "p50"), ms(playloop.burst, "p50"));
  row("event -> first delivery p99, burst", ms(minimal.burst, "p99"), ms(playloop.burst, "p99"));
  row("worker RSS idle (before ingest)", `${mib(minimal.idle.rss).toFixed(0)} MiB`, `${mib(playloop.idle.rss).toFixed(0)} MiB`);
  row("worker heap used, waiting", `${mib(minimal.waiting.heapUsed).toFixed(0)} MiB`, `${mib(playloop.waiting.heapUsed).toFixed(0)} MiB`);
  console.log(
    `  floor: bare signal-with-start, no worker: ${floor.toFixed(0)} per second (playloop ingest ${(playloop.ingestPerSecond / floor).toFixed(2)}x of it)`,
  );
  console.log(
    `  latencies leave out playloop's holdout accounts (no actions): ${playloop.burst.measured} of ${J} burst events, ${playloop.probe.measured} of ${P} probes`,
  );
}

function sideJson(figures: SideFigures) {
  const events = (e: EventFigures) => ({
    events: e.events,
    per_second: round(e.perSecond),
    p50_ms: e.p50,
    p99_ms: e.p99,
    latencies_measured: e.measured,
  });
  return {
    ingest_accounts_per_second: round(figures.ingestPerSecond),
    burst: events(figures.burst),
    probes: events(figures.probe),
    worker_rss_mib: { idle: round(mib(figures.idle.rss)), waiting: round(mib(figures.waiting.rss)) },
    worker_heap_used_mib: { idle: round(mib(figures.idle.heapUsed)), waiting: round(mib(figures.waiting.heapUsed)) },
  };
}

// ---------------------------------------------------------------- run

if (values.profile) mkdirSync(PROFILES, { recursive: true });
const env = await startDevServer();
const bundles = await writeBundles();
const registry = PlanRegistry.fromFolder(join(projectRoot(), "playbooks"));
const seatUpsell = registry.plans.find((plan) => plan.id === "seat-upsell");
if (seatUpsell === undefined) throw new Error("the seat-upsell playbook is missing");
const seatUpsellActions = actionsBeforeFirstEventWait(seatUpsell);
const playloopClient = new AccountClient(env.client, "playloop-bench");
const minimalClient = new MinimalClient(env.client, "minimal-bench");

const minimalSide: Side = {
  name: "minimal entity",
  kind: "minimal",
  taskQueue: "minimal-bench",
  bundlePath: bundles.minimal,
  label: "minimal",
  upsert: (i) => minimalClient.upsert(`bench-${i}`, account(i)),
  sendEvent: (id) => minimalClient.sendEvent(id, capacityEvent(id)),
  actions: () => 1,
};
const playloopSide: Side = {
  name: "playloop",
  kind: "playloop",
  taskQueue: "playloop-bench",
  bundlePath: bundles.playloop,
  label: "playloop/playbooks/seat-upsell",
  upsert: (i) => playloopClient.upsertAccount(account(i)),
  sendEvent: (id) => playloopClient.sendEvent(id, capacityEvent(id)),
  actions: (id) => (isHeldOut("seat-upsell", id, seatUpsell.holdout) ? 0 : seatUpsellActions),
};

console.log(
  `playloop vs a minimal entity workflow, Temporal dev server (SQLite in ${values.db}): ${N} accounts, a burst of ${J} events, ${P} probes, concurrency ${K}`,
);
const floor = await floorRate(env);
console.log(`  floor: bare signal-with-start ${floor.toFixed(0)} per second`);
const minimal = await measureSide(minimalSide, env.address);
const playloop = await measureSide(playloopSide, env.address);
const inProve = await visibleInProve(env, J + P);
await env.teardown();

if (minimal.cache !== playloop.cache) throw new Error(`the workers' caches differ: ${minimal.cache} and ${playloop.cache}`);
const r = ratios(minimal, playloop);
printTable(floor, minimal, playloop, r);
console.log(
  `  ratios measured at ${N} accounts, ${J} waiting, ${P} probes, workflow cache ${playloop.cache} (${CACHE === undefined ? "the SDK's default" : "--cache"}) in both workers`,
);
console.log(`  check: visibility shows ${inProve} of the ${J + P} accounts sent an event in seat-upsell:prove`);

updateResults((previous) => ({
  date: new Date().toISOString(),
  machine: machine(),
  settings: {
    accounts: N,
    journeys: J,
    probes: P,
    db: values.db,
    cache: playloop.cache,
    cache_from: CACHE === undefined ? "sdk default" : "--cache",
    concurrency: K,
  },
  figures: {
    floor_signal_with_start_per_second: round(floor),
    minimal: sideJson(minimal),
    playloop: { ...sideJson(playloop), visible_in_prove: inProve },
  },
  ratios: Object.fromEntries(Object.entries(r).map(([name, value]) => [name, round(value, 3)])),
  goals: Object.fromEntries(Object.entries(GOALS).map(([name, [op, goal]]) => [name, `${op} ${goal}`])),
  goals_met: Object.fromEntries(Object.entries(r).map(([name, value]) => [name, met(name as keyof Ratios, value)])),
  ...(previous.rules === undefined ? {} : { rules: previous.rules }),
}));
