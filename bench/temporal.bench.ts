// npm run bench:temporal [-- --accounts N --journeys J --probes P --db memory|file --cache C
//                            --concurrency K --profile]
//
// playloop against a MINIMAL ENTITY WORKFLOW (bench/minimal/workflows.ts: an `upsert` update sets a
// snapshot, an `event` update runs one activity) on one embedded Temporal dev server, in one run.
// Each side's worker runs in its own child process (bench/worker-process.ts) with the same
// settings and workflow cache, so the RSS it reports is its own; both bundles are built here.
//
// 0. Floor: N bare signal-with-start calls with no worker polling (what the server allows here).
// 1. Ingest: N accounts per side by update-with-start applying a snapshot, K at a time; the sides
//    take turns in rounds so that other load on the machine weighs on both alike.
// 2. Burst, one side after the other (minimal first): an event to J accounts, K at a time.
//    Minimal: it runs one activity. playloop: a capacity `usage.updated`, so seat-upsell fires,
//    delivers its orchestrate and prove actions and waits for a QBR. Rate: J / seconds until the
//    last account waits again; latency: event -> first delivery.
// 3. Memory: each worker process's RSS after a GC, with the J accounts waiting.
// 4. Probes: P more events per side, four at a time, to untouched accounts: latency under that load.
// Prints a table with the ratios playloop / minimal and writes bench/results/latest.json (keeping
// the `rules` section bench/rules.bench.ts writes). `--profile` writes the workers' CPU profiles
// to bench/results/profiles/.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { TestWorkflowEnvironment } from "@temporalio/testing";
import { bundleWorkflowCode, DefaultLogger, Runtime } from "@temporalio/worker";
import type { CompiledPlan } from "../engine/compile/plan.js";
import { ruleHolds } from "../engine/journey/detect.js";
import { experimentVariant } from "../engine/journey/experiment-variant.js";
import { isHeldOut } from "../engine/journey/holdout.js";
import type { AccountSnapshot } from "../engine/journey/journey-types.js";
import { accountWorkflowId } from "../engine/messages/account-messages.js";
import { SEARCH_ATTRIBUTES } from "../engine/messages/search-attributes.js";
import { AccountClient } from "../engine/runtime/account-client.js";
import { PlanRegistry } from "../engine/runtime/plan-registry.js";
import { projectRoot } from "../engine/runtime/project-root.js";
import { SQLITE_PRAGMAS } from "../engine/runtime/run-services.js";
import { findTemporalCli } from "../engine/runtime/temporal-binaries.js";
import { bundleJourneyWorkflows } from "../engine/runtime/workflow-bundle.js";
import { CpuMeter, devServerPid, type CpuShares } from "./cpu.js";
import {
  historyCounts,
  mib,
  percentile,
  pool,
  sleep,
  untilEvery,
  type EventFigures,
  type SideFigures,
} from "./measure.js";
import { benchAccount } from "./bench-account.js";
import { MinimalClient } from "./minimal/client.js";
import { minimalWorkflowId } from "./minimal/workflows.js";
import { printTable, resultsJson } from "./report.js";
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
const J = Number(values.journeys);
const P = Number(values.probes);
/** Accounts ingested: the probes go to accounts the burst left alone, so at least J + P. */
const N = Math.max(Number(values.accounts), J + P);
const K = Number(values.concurrency);
const CACHE = values.cache === undefined ? undefined : Number(values.cache);
/** Ingest goes in this many rounds, the sides taking turns. */
const INGEST_ROUNDS = 4;
const PROFILES = join(projectRoot(), "bench", "results", "profiles");

// ---------------------------------------------------------------- the accounts and the event

const today = Date.now();
/** An account every playbook can detect on, and seat-upsell finds eligible. */
const account = (i: number) => benchAccount(i, today);
/** The capacity event: seat utilization above seat-upsell's 80% trigger. */
const capacityEvent = (id: string) => ({
  id: `usage-${id}`,
  type: "usage.updated",
  data: { usage: { seat_utilization: 0.92 } },
});

/**
 * The actions a play delivers to an account from its trigger to its first event wait (seat-upsell:
 * 3, then the QBR): its action steps whose `when` holds, with the variants the account gets of the
 * experiments on the way (seat-upsell sends one of its two in-app prompts).
 */
function actionsBeforeFirstEventWait(plan: CompiledPlan, snapshot: AccountSnapshot): number {
  let actions = 0;
  const experiments: Record<string, string> = {};
  for (const stage of plan.stages.filter((s) => s.name !== plan.start))
    for (const step of stage.steps) {
      if (step.kind === "wait" && step.event !== undefined) return actions;
      if (step.kind === "experiment") {
        const drawn = experimentVariant(plan.id, step.name, snapshot.id, step.variants);
        if (drawn !== undefined) experiments[step.name] = drawn.variant.name;
      }
      if (step.kind !== "action") continue;
      if (step.when === undefined || ruleHolds(step.when, snapshot, Date.now(), undefined, experiments)) actions++;
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
  workflowId(id: string): string;
  upsert(i: number): Promise<unknown>;
  sendEvent(id: string): Promise<unknown>;
  /** Deliveries an event leads to before the account waits again; 0: the update's answer is the wait. */
  actions(id: string): number;
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
  await untilEvery(ids, (id) => waitingSince(id) !== undefined, `${side.name}: accounts waiting after an event`);
  const finished = ids.reduce((last, id) => Math.max(last, waitingSince(id) ?? 0), started);
  const latencies = ids
    .filter((id) => side.actions(id) > 0)
    .map((id) => (deliveries(id)[0] ?? 0) - (sent.get(id) ?? 0))
    .sort((a, b) => a - b);
  const answers = ids.map((id) => (answered.get(id) ?? 0) - (sent.get(id) ?? 0)).sort((a, b) => a - b);
  return {
    answerP50: percentile(answers, 50),
    answerP99: percentile(answers, 99),
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

/** A side with its worker process running. */
interface Running {
  readonly side: Side;
  readonly worker: WorkerProcess;
  readonly cache: number;
  readonly idle: WorkerMemory;
  /** The client (this process), the side's worker and the dev server. */
  readonly cpu: CpuMeter;
}

async function startSide(side: Side, env: TestWorkflowEnvironment): Promise<Running> {
  const { worker, cache, idle } = await WorkerProcess.start({
    kind: side.kind,
    address: env.address,
    taskQueue: side.taskQueue,
    bundlePath: side.bundlePath,
    label: side.label,
    ...(CACHE === undefined ? {} : { cache: CACHE }),
    nodeOptions: values.profile ? ["--cpu-prof", `--cpu-prof-dir=${PROFILES}`] : [],
  });
  const cpu = new CpuMeter({ client: process.pid, worker: worker.pid, server: devServerPid() });
  return { side, worker, cache, idle, cpu };
}

/**
 * Phase 1 for both sides, in rounds of N / INGEST_ROUNDS accounts taken in turn (AB BA AB BA), so
 * that whatever else the machine does weighs on both alike. Accounts per second for each side.
 */
async function ingestInTurns(sides: readonly Running[]): Promise<number[]> {
  const seconds = new Map(sides.map((running) => [running, 0]));
  for (let round = 0; round < INGEST_ROUNDS; round++) {
    const from = Math.floor((round * N) / INGEST_ROUNDS);
    const to = Math.floor(((round + 1) * N) / INGEST_ROUNDS);
    for (const running of round % 2 === 0 ? sides : [...sides].reverse()) {
      const { side, cpu } = running;
      const took = await cpu.during(() => pool(to - from, (i) => side.upsert(from + i), K));
      seconds.set(running, (seconds.get(running) ?? 0) + took);
    }
  }
  return sides.map((running) => N / (seconds.get(running) ?? Number.NaN));
}

const cpuText = (cpu: CpuShares): string =>
  Object.entries(cpu)
    .map(([name, percent]) => `${name} ${percent}`)
    .join(", ") || "not measured";

/** Phases 1 to 4, both sides' workers running throughout, each in its own process. */
async function measure(sides: readonly Running[], env: TestWorkflowEnvironment): Promise<SideFigures[]> {
  const ingest = await ingestInTurns(sides);
  const ingestCpu = sides.map(({ cpu }) => cpu.take());
  sides.forEach(({ side }, i) =>
    console.log(
      `  ${side.name}: ingest ${ingest[i]?.toFixed(0)} accounts/s (cpu % of a core: ${cpuText(ingestCpu[i] ?? {})})`,
    ),
  );
  const bursts: EventFigures[] = [];
  const burstCpu: CpuShares[] = [];
  for (const { side, worker, cpu } of sides) {
    const burst = await cpu.during(() => eventsUntilWaiting(side, worker, burstIds, K));
    bursts.push(burst);
    burstCpu.push(cpu.take());
    console.log(
      `  ${side.name}: burst ${burst.perSecond.toFixed(1)} per second, p99 ${burst.p99} ms (cpu % of a core: ${cpuText(burstCpu.at(-1) ?? {})})`,
    );
  }
  await sleep(5000);
  const waiting: WorkerMemory[] = [];
  for (const { side, worker } of sides) {
    waiting.push(await worker.memory());
    console.log(`  ${side.name}: worker RSS ${mib(waiting.at(-1)?.rss ?? 0).toFixed(0)} MiB with ${J} waiting`);
  }
  const figures: SideFigures[] = [];
  for (const [i, { side, worker, cache, idle }] of sides.entries()) {
    const sample = burstIds.find((id) => side.actions(id) > 0) ?? "";
    const history = await historyCounts(env, side.workflowId(sample));
    const probe = await eventsUntilWaiting(side, worker, probeIds, 4);
    figures.push({
      ingestPerSecond: ingest[i] ?? Number.NaN,
      burst: bursts[i] as EventFigures,
      probe,
      cache,
      idle,
      waiting: waiting[i] as WorkerMemory,
      cpu: { ingest: ingestCpu[i] ?? {}, burst: burstCpu[i] ?? {} },
      history,
    });
  }
  return figures;
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
async function writeBundles(): Promise<{ dir: string; playloop: string; minimal: string }> {
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
  const paths = { dir, playloop: join(dir, "playloop.js"), minimal: join(dir, "minimal.js") };
  writeFileSync(paths.playloop, (await bundleJourneyWorkflows()).code);
  writeFileSync(paths.minimal, minimal.code);
  return paths;
}

/** N bare signal-with-start calls to a task queue nobody polls: the floor. */
async function floorRate(env: TestWorkflowEnvironment): Promise<number> {
  const seconds = await pool(
    N,
    (i) =>
      env.client.workflow.signalWithStart("bench-baseline", {
        workflowId: `bench-baseline-${i}`,
        taskQueue: "playloop-bench-baseline-unpolled",
        args: [],
        signal: "snapshot",
        signalArgs: [account(i)],
      }),
    K,
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

// ---------------------------------------------------------------- run

if (values.profile) mkdirSync(PROFILES, { recursive: true });
const env = await startDevServer();
const bundles = await writeBundles();
const registry = PlanRegistry.fromFolder(join(projectRoot(), "playbooks"));
const seatUpsell = registry.plans.find((plan) => plan.id === "seat-upsell");
if (seatUpsell === undefined) throw new Error("the seat-upsell playbook is missing");
/** seat-upsell's actions for account `bench-<i>`, by id. */
const seatUpsellActions = (id: string): number =>
  actionsBeforeFirstEventWait(seatUpsell, account(Number(id.slice("bench-".length))));
const playloopClient = new AccountClient(env.client, "playloop-bench");
const minimalClient = new MinimalClient(env.client, "minimal-bench");

const minimalSide: Side = {
  name: "minimal entity",
  kind: "minimal",
  taskQueue: "minimal-bench",
  bundlePath: bundles.minimal,
  label: "minimal",
  workflowId: minimalWorkflowId,
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
  workflowId: accountWorkflowId,
  upsert: (i) => playloopClient.upsertAccount(account(i)),
  sendEvent: (id) => playloopClient.sendEvent(id, capacityEvent(id)),
  actions: (id) => (isHeldOut("seat-upsell", id, seatUpsell.holdout) ? 0 : seatUpsellActions(id)),
};

const loadAtStart = loadavg()[0] ?? 0;
if (loadAtStart > 1.5)
  console.log(
    `note: load average ${loadAtStart.toFixed(1)} at the start: something else is busy, figures will be noisy`,
  );
console.log(
  `playloop vs a minimal entity workflow, Temporal dev server (SQLite in ${values.db}): ${N} accounts, a burst of ${J} events, ${P} probes, concurrency ${K}`,
);
const floor = await floorRate(env);
console.log(`  floor: bare signal-with-start ${floor.toFixed(0)} per second`);
const running = [await startSide(minimalSide, env), await startSide(playloopSide, env)];
const [minimal, playloop] = (await measure(running, env)) as [SideFigures, SideFigures];
for (const { worker } of running) await worker.stop();
rmSync(bundles.dir, { recursive: true, force: true });
const inProve = await visibleInProve(env, J + P);
await env.teardown();

if (minimal.cache !== playloop.cache)
  throw new Error(`the workers' caches differ: ${minimal.cache} and ${playloop.cache}`);
printTable({ accounts: N, journeys: J, probes: P }, floor, minimal, playloop);
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
    load_average_1m: { start: round(loadAtStart), end: round(loadavg()[0] ?? 0) },
  },
  ...resultsJson(floor, minimal, playloop, { visible_in_prove: inProve }),
  ...(previous.rules === undefined ? {} : { rules: previous.rules }),
}));
