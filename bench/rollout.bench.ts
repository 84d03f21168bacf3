// npm run bench:rollout [-- --accounts N --concurrency K --cache C --dynamic-config KEY=VALUE ...
//                         --phases rollout,pause,resume --deadline SECONDS --facts on|off --poll SECONDS]
//
// How fast a change reaches every account: one embedded Temporal dev server (SQLite in a file with
// a write-ahead log, as `playloop dev` runs it) and one `playloop worker` child process (the CLI as
// deployed, dist/engine/cli/main.js) serving a temporary copy of playbooks/.
//
// 1. Ingest: N accounts (bench-account.ts, the accounts of temporal.bench.ts, all detecting), K
//    upserts at a time. Then, untimed, until visibility shows every one on the worker's set.
// 2. Rollout: seat-upsell with another in-app template, from a second copy of the folder (the
//    worker watches its own folder and would deploy an edit there itself), deployed with
//    DeploymentsClient.deploy as `playloop deploy --yes` does. Timed from the deploy call: the
//    record answers; the worker serves the new set (waitForWorkers; the worker reads the record
//    every second); every account runs the new version (visibility: Plays = 'seat-upsell@<new>')
//    and follows the new set (PlanSet = '<set id>').
// 3. Pause seat-upsell (DeploymentsClient.control, which POST /v1/playbooks/seat-upsell/pause
//    calls): the worker serves the paused set, after which it delivers no action of the play;
//    every account shows Paused = 'seat-upsell' and follows the set.
// 4. Resume: the same, until no account shows Paused.
//
// The accounts learn of each set from ONE batch operation the deployments workflow starts (a
// signal to every account whose PlanSet differs). The server runs it at `worker.batcherRPS`
// signals per second (50 unless dynamic config says otherwise); `--dynamic-config
// worker.batcherRPS=1000` passes `--dynamic-config-value` to the dev server. The table shows each
// batch job's own rate and what CPU the client, the worker and the server used. Each signal is a
// workflow task for the worker: an account no longer in its workflow cache (`--cache`, passed as
// PLAYLOOP_MAX_CACHED_WORKFLOWS; the SDK's default otherwise) is replayed from its history first.
//
// Visibility lags the workflows: an account counts once the search attributes it upserts are in
// the visibility store, written from the server's queues after the workflow task completes
// (usually well under a second here). The counts are polled every POLL_MS and an account is timed
// when the count that holds it comes back, so account times are upper bounds by about that much.
// The counts are not free: each reads the visibility table of the SQLite file the server writes.
// At 100,000 accounts a poll every 500 ms starved the system it measured: in alternating 30 s
// windows of one run, polling put the server at 102-112% of a core and the worker at 5-13% (it got
// almost no workflow tasks); with the bench stopped, the server at 61-62% and the worker at 100%.
// The interval therefore grows with N (N / 10,000 seconds, at least 0.5 s: 10 s at 100,000
// accounts, a small part of a rollout that takes most of an hour); `--poll SECONDS` sets it.
//
// `--phases` runs some of 2-4, always in that order (resume needs pause). The results file is written after
// ingest and after every phase, so a long run cut short keeps what it measured.
//
// `--deadline` is how long each phase may take (N/25 seconds, at least 120, unless given). `--facts
// off` runs the worker without its analytics database (PLAYLOOP_FACTS_DB=off): the rollout itself
// records no facts, but every ingested account does, which halves the ingest rate here.
//
// Prints a table and writes bench/results/rollout-<N>.json (with --cache, --dynamic-config or
// --facts off, their values are added to the name), and beside it a .progress.txt with every
// progress line as it is printed; bench/results/latest.json is left alone.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import {
  accessSync,
  appendFileSync,
  constants,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import proto from "@temporalio/proto";
import { TestWorkflowEnvironment } from "@temporalio/testing";
import { DefaultLogger, Runtime } from "@temporalio/worker";
import { ACCOUNT_WORKFLOW, accountWorkflowId, type PlanSetRef } from "../engine/messages/account-messages.js";
import type { DeployOutcome, Deployment } from "../engine/messages/deployment-messages.js";
import { SEARCH_ATTRIBUTES } from "../engine/messages/search-attributes.js";
import { AccountClient } from "../engine/runtime/account-client.js";
import { DeploymentsClient } from "../engine/runtime/deployments-client.js";
import { loadPlaybooks } from "../engine/runtime/load-plans.js";
import { projectRoot } from "../engine/runtime/project-root.js";
import { SQLITE_PRAGMAS } from "../engine/runtime/run-services.js";
import { findTemporalCli } from "../engine/runtime/temporal-binaries.js";
import { benchAccount } from "./bench-account.js";
import { CpuMeter, devServerPid, type CpuShares } from "./cpu.js";
import { historyCounts, pool, sleep } from "./measure.js";
import { machine, round, type Results } from "./results.js";

Runtime.install({ logger: new DefaultLogger("ERROR") });

const { BatchOperationState } = proto.temporal.api.enums.v1;
type Timestamp = proto.google.protobuf.ITimestamp;

/** A problem with the setup: said in one line, without a stack. */
class SetupError extends Error {
  override readonly name = "SetupError";
}

const { values } = parseArgs({
  options: {
    accounts: { type: "string", default: "2000" },
    concurrency: { type: "string", default: "32" },
    cache: { type: "string" },
    "dynamic-config": { type: "string", multiple: true, default: [] },
    phases: { type: "string", default: "rollout,pause,resume" },
    deadline: { type: "string" },
    facts: { type: "string", default: "on" },
    poll: { type: "string" },
  },
});
const N = Number(values.accounts);
const K = Number(values.concurrency);
const DYNAMIC_CONFIG = values["dynamic-config"];
const CACHE = values.cache;
const PHASES = values.phases.split(",").map((name) => name.trim());
const QUEUE = "playloop-rollout-bench";
const PLAYBOOK = "seat-upsell";
/** How often visibility is counted: every N / 10,000 seconds, at least 0.5 s, unless `--poll` says. */
const POLL_MS = values.poll === undefined ? Math.max(500, N / 10) : Number(values.poll) * 1000;
/** How long each phase may take: by default twice what N signals take at the dev server's default 50 per second. */
const DEADLINE_MS = values.deadline === undefined ? Math.max(120_000, (N / 25) * 1000) : Number(values.deadline) * 1000;
const FACTS = values.facts;
const MAIN = fileURLToPath(new URL("../engine/cli/main.js", import.meta.url));

const since = (started: number): number => (Date.now() - started) / 1000;
/** Where progress lines go besides the console (set once the results file is named). */
let progressFile: string | undefined;
/** Prints a progress line and appends it to the progress file, so a run cut short keeps its course. */
function say(line: string): void {
  console.log(line);
  if (progressFile !== undefined) appendFileSync(progressFile, `${line}\n`);
}
const short = (version: string): string => version.replace(/^sha256:/, "").slice(0, 8);
const message = (error: unknown): string => (error instanceof Error ? error.message : String(error));

// ---------------------------------------------------------------- cleanup

/** What to undo at the end, on an error or on a signal: run newest first, once. */
const cleanups: (() => unknown)[] = [];
let cleaning: Promise<void> | undefined;

function cleanUp(): Promise<void> {
  cleaning ??= (async () => {
    for (const step of cleanups.splice(0).reverse())
      try {
        await step();
      } catch (error) {
        console.error(`cleanup: ${message(error)}`);
      }
  })();
  return cleaning;
}

for (const signal of ["SIGINT", "SIGTERM"] as const)
  process.once(signal, () => {
    console.error(`\n${signal}: stopping the worker and the dev server`);
    void cleanUp().finally(() => process.exit(signal === "SIGINT" ? 130 : 143));
  });

// ---------------------------------------------------------------- setup

/** The Temporal CLI (dev server), or a SetupError saying how to get it. */
function temporalCli(): string {
  const hint =
    "run `npm install` (tools/install-temporal.mjs puts it in .playloop/bin), put `temporal` on PATH or set TEMPORAL_CLI_PATH";
  const cli = findTemporalCli();
  if (cli === undefined) throw new SetupError(`the Temporal CLI is not installed: ${hint}`);
  try {
    accessSync(cli, constants.X_OK);
  } catch {
    throw new SetupError(`the Temporal CLI ${cli} is not an executable file: ${hint}`);
  }
  return cli;
}

/** The playbooks and policy the worker starts with, and a second copy with seat-upsell edited. */
function playbookFolders(root: string): { served: string; edited: string } {
  const source = join(projectRoot(), "playbooks");
  const folders = { served: join(root, "playbooks"), edited: join(root, "playbooks-edited") };
  for (const folder of Object.values(folders)) {
    mkdirSync(folder);
    for (const file of readdirSync(source).filter((name) => name.endsWith(".yaml")))
      copyFileSync(join(source, file), join(folder, file));
  }
  const file = join(folders.edited, `${PLAYBOOK}.yaml`);
  const text = readFileSync(file, "utf8");
  // The first in-app prompt's template (seat-upsell: the insight variant's): a new plan version.
  const edited = text.replace(/(inapp\.prompt:\s*\{\s*template:\s*)([\w-]+)/, "$1$2-rollout");
  if (edited === text) throw new SetupError(`${PLAYBOOK}.yaml has no inapp.prompt template for the bench to change`);
  writeFileSync(file, edited);
  return folders;
}

async function startDevServer(cli: string, root: string): Promise<TestWorkflowEnvironment> {
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: "existing-path", path: cli },
      dbFilename: join(root, "temporal.db"),
      searchAttributes: Object.values(SEARCH_ATTRIBUTES),
      extraArgs: [
        "--log-level",
        "error",
        ...SQLITE_PRAGMAS,
        ...DYNAMIC_CONFIG.flatMap((pair) => ["--dynamic-config-value", pair]),
      ],
    },
  });
  cleanups.push(() => env.teardown());
  return env;
}

/** The last lines the worker logged: shown when the bench fails. */
const workerLog: string[] = [];

/** `playloop worker` as a child process; resolves once it polls. An unexpected exit ends the bench. */
async function startWorker(address: string, root: string, playbooks: string): Promise<ChildProcess> {
  // Only this bench's Temporal and playloop settings: none from the shell reaches the worker.
  const inherited = Object.entries(process.env).filter(([name]) => !/^(TEMPORAL|PLAYLOOP)_/.test(name));
  const child = spawn(process.execPath, [MAIN, "worker"], {
    env: {
      ...Object.fromEntries(inherited),
      TEMPORAL_ADDRESS: address,
      PLAYLOOP_TASK_QUEUE: QUEUE,
      PLAYLOOP_PLAYBOOKS: playbooks,
      PLAYLOOP_ACTIONS_FILE: join(root, "actions.ndjson"),
      PLAYLOOP_DATA_DIR: join(root, "data"),
      PLAYLOOP_ACTOR: "bench",
      ...(CACHE === undefined ? {} : { PLAYLOOP_MAX_CACHED_WORKFLOWS: CACHE }),
      ...(FACTS === "off" ? { PLAYLOOP_FACTS_DB: "off" } : {}),
    },
    stdio: ["ignore", "ignore", "pipe"],
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  let stopping = false;
  cleanups.push(async () => {
    stopping = true;
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill("SIGTERM");
    const force = setTimeout(() => child.kill("SIGKILL"), 15_000);
    await exited;
    clearTimeout(force);
  });
  // The worker logs a JSON line per event; the last ones say why it stopped, if it does.
  const tail = workerLog;
  let partial = "";
  let polling: () => void = () => undefined;
  child.stderr?.on("data", (chunk: Buffer) => {
    const lines = (partial + chunk.toString()).split("\n");
    partial = lines.pop() ?? "";
    for (const line of lines) {
      tail.push(line);
      if (tail.length > 40) tail.shift();
      if (line.includes("worker polling task queue")) polling();
    }
  });
  const ready = new Promise<void>((resolve) => (polling = resolve));
  let started = false;
  const died = exited.then(() => {
    if (stopping) return;
    const why = `the playloop worker exited (code ${child.exitCode ?? child.signalCode}):\n${tail.join("\n")}`;
    if (!started) throw new Error(why);
    console.error(why);
    void cleanUp().finally(() => process.exit(1));
  });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the worker did not poll in 60 s:\n${tail.join("\n")}`)), 60_000);
  });
  try {
    await Promise.race([ready, died, timeout]);
  } finally {
    clearTimeout(timer);
  }
  started = true;
  return child;
}

// ---------------------------------------------------------------- visibility

/** A count that reaches its goal once every account has made a change. */
interface Target {
  /** What the count matches, after WorkflowType = 'account'. */
  readonly where: string;
  /** The accounts that made the change, from the count. */
  moved(count: number): number;
}

/** When the accounts got there: every one (null: not before the deadline), and 10, 50, 90 percent. */
interface TargetFigures {
  readonly where: string;
  readonly seconds: number | null;
  readonly moved: number;
  readonly perSecond: number | null;
  readonly p10: number | null;
  readonly p50: number | null;
  readonly p90: number | null;
  /** Accounts per second from 10 to 90 percent: the rate once under way. */
  readonly steadyPerSecond: number | null;
}

/** Polls every target's count until each reaches N or DEADLINE_MS passes; seconds since `started`. */
async function untilAll(
  client: TestWorkflowEnvironment["client"],
  label: string,
  targets: Record<string, Target>,
  started: number,
): Promise<Record<string, TargetFigures>> {
  const marks = Object.fromEntries(Object.keys(targets).map((name) => [name, new Map<number, number>()]));
  const moved: Record<string, number> = {};
  const pending = new Set(Object.keys(targets));
  let said = Date.now();
  let failedPolls = 0;
  while (pending.size > 0 && Date.now() - started < DEADLINE_MS) {
    const tick = Date.now();
    await Promise.all(
      [...pending].map(async (name) => {
        const target = targets[name] as Target;
        let count: number;
        try {
          ({ count } = await client.workflow.count(`WorkflowType = '${ACCOUNT_WORKFLOW}' AND ${target.where}`));
        } catch (error) {
          // A loaded dev server answers a visibility query with an error now and then (a 100,000
          // account run once ended on `Namespace not found: 'default'` after 72 minutes of
          // ingest): note it and ask again at the next poll rather than lose the run.
          failedPolls++;
          if (failedPolls <= 5 || failedPolls % 100 === 0)
            say(`    ${label}: visibility count failed (${failedPolls} so far), asking again: ${message(error)}`);
          return;
        }
        const at = since(started);
        moved[name] = target.moved(count);
        for (const share of [10, 50, 90, 100])
          if ((moved[name] ?? 0) * 100 >= share * N && !marks[name]?.has(share)) marks[name]?.set(share, at);
        if (marks[name]?.has(100)) pending.delete(name);
      }),
    );
    // A line every 10 s, or every poll when polls are further apart (give or take the poll's own time).
    if (Date.now() - said >= Math.max(10_000, POLL_MS) - 250 && pending.size > 0) {
      said = Date.now();
      const progress = [...pending].map((name) => `${moved[name]} of ${N} ${targets[name]?.where}`).join("; ");
      say(`    ${label} ${since(started).toFixed(0)} s: ${progress}`);
    }
    await sleep(Math.max(0, POLL_MS - (Date.now() - tick)));
  }
  return Object.fromEntries(
    Object.entries(targets).map(([name, target]) => {
      const at = (share: number): number | null => marks[name]?.get(share) ?? null;
      const [p10, p90, all] = [at(10), at(90), at(100)];
      const figures: TargetFigures = {
        where: target.where,
        seconds: all,
        moved: moved[name] ?? 0,
        perSecond: all === null ? null : N / all,
        p10,
        p50: at(50),
        p90,
        steadyPerSecond: p10 === null || p90 === null || p90 <= p10 ? null : (0.8 * N) / (p90 - p10),
      };
      return [name, figures];
    }),
  );
}

// ---------------------------------------------------------------- the batch operation

/** One batch job that announced a set: when it ran and how many accounts it signalled. */
interface BatchFigures {
  readonly job: string;
  readonly state: string;
  /** Seconds from the deploy call to the job's start, and how long it ran. */
  readonly startedAfter: number | null;
  readonly seconds: number | null;
  readonly signalled: number;
  readonly failed: number;
  readonly total: number;
  readonly perSecond: number | null;
}

const epochMs = (ts: Timestamp | null | undefined): number | undefined =>
  ts?.seconds === undefined || ts.seconds === null
    ? undefined
    : Number(ts.seconds.toString()) * 1000 + (ts.nanos ?? 0) / 1e6;

/**
 * The batch jobs that announced `set` since `started` (announce-plan-set.ts names them), once
 * none of them runs any more (30 s at most): the next phase's job must not find one running.
 */
async function batchJobs(env: TestWorkflowEnvironment, set: PlanSetRef, started: number): Promise<BatchFigures[]> {
  const service = env.client.workflowService;
  const namespace = env.client.options.namespace;
  const prefix = `playloop-deploy-${set.id.replace(/^set:/, "")}-`;
  for (const deadline = Date.now() + 30_000; ; await sleep(500)) {
    const { operationInfo } = await service.listBatchOperations({ namespace, pageSize: 1000 });
    const jobs = (operationInfo ?? []).filter(
      (job) => job.jobId?.startsWith(prefix) && (epochMs(job.startTime) ?? 0) >= started - 1000,
    );
    const described = await Promise.all(
      jobs.map((job) => service.describeBatchOperation({ namespace, jobId: job.jobId ?? "" })),
    );
    const running = described.some((job) => job.state === BatchOperationState.BATCH_OPERATION_STATE_RUNNING);
    if (running && Date.now() < deadline) continue;
    return described.map((job) => {
      const [from, to] = [epochMs(job.startTime), epochMs(job.closeTime)];
      const signalled = Number(job.completeOperationCount.toString());
      const seconds = from === undefined || to === undefined ? null : (to - from) / 1000;
      return {
        job: job.jobId,
        state: BatchOperationState[job.state].replace("BATCH_OPERATION_STATE_", "").toLowerCase(),
        startedAfter: from === undefined ? null : (from - started) / 1000,
        seconds,
        signalled,
        failed: Number(job.failureOperationCount.toString()),
        total: Number(job.totalOperationCount.toString()),
        perSecond: seconds === null || seconds <= 0 ? null : signalled / seconds,
      };
    });
  }
}

// ---------------------------------------------------------------- phases

interface PhaseFigures {
  readonly deployment: string;
  readonly set: string;
  /** Seconds from the call until the record answered, and until every worker served the set. */
  readonly recorded: number;
  readonly workerServes: number | null;
  readonly lagging: readonly string[];
  /** `accounts`: the change itself (new version, Paused, no Paused); `onSet`: PlanSet = the new set. */
  readonly accounts: TargetFigures;
  readonly onSet: TargetFigures;
  readonly batch: readonly BatchFigures[];
  readonly cpu: CpuShares;
}

interface Bench {
  readonly env: TestWorkflowEnvironment;
  readonly deployments: DeploymentsClient;
  readonly cpu: CpuMeter;
}

/**
 * DeploymentsClient.waitForWorkers, asked again when its query fails (a worker busy with a backlog
 * can let one time out) until DEADLINE_MS; `at`: seconds from `started` until every worker served.
 */
async function workersServing(deployments: DeploymentsClient, deployment: Deployment, label: string, started: number) {
  for (;;)
    try {
      const rollout = await deployments.waitForWorkers(deployment, Math.max(0, DEADLINE_MS - (Date.now() - started)));
      return { ...rollout, at: rollout.lagging.length === 0 ? since(started) : null };
    } catch (error) {
      if (Date.now() - started >= DEADLINE_MS) throw error;
      say(`    ${label} ${since(started).toFixed(0)} s: which set the worker serves: ${message(error)}; asking again`);
      await sleep(1000);
    }
}

/** Makes a deployment with `change` and times the worker and every account taking it. */
async function phase(
  { env, deployments, cpu }: Bench,
  label: string,
  change: () => Promise<DeployOutcome>,
  accounts: (deployment: Deployment) => Target,
): Promise<PhaseFigures> {
  say(`  ${label} ...`);
  const started = Date.now();
  const { recorded, deployment, rollout, reached } = await cpu.during(async () => {
    const { deployment, changed } = await change();
    const recorded = since(started);
    if (!changed) throw new Error(`${label}: nothing recorded, ${deployment.id} runs that set already`);
    const [rollout, reached] = await Promise.all([
      workersServing(deployments, deployment, label, started),
      untilAll(
        env.client,
        label,
        { accounts: accounts(deployment), onSet: { where: `PlanSet = '${deployment.set.id}'`, moved: (c) => c } },
        started,
      ),
    ]);
    return { recorded, deployment, rollout, reached };
  });
  const figures: PhaseFigures = {
    deployment: deployment.id,
    set: deployment.set.id,
    recorded,
    workerServes: rollout.workers.length === 0 ? null : rollout.at,
    lagging: rollout.workers.length === 0 ? ["no worker polls"] : rollout.lagging,
    accounts: reached.accounts as TargetFigures,
    onSet: reached.onSet as TargetFigures,
    batch: await batchJobs(env, deployment.set, started).catch((error: unknown) => {
      say(`    ${label}: cannot describe the batch operation: ${message(error)}`);
      return [];
    }),
    cpu: cpu.take(),
  };
  say(`    ${label}: ${phaseLine(figures)}`);
  return figures;
}

// ---------------------------------------------------------------- report

const secs = (value: number | null | undefined, digits = 1): string =>
  value === null || value === undefined ? "-" : `${value.toFixed(digits)} s`;
const rate = (value: number | null | undefined): string =>
  value === null || value === undefined ? "-" : value.toFixed(value < 10 ? 1 : 0);
const reachedText = (target: TargetFigures): string =>
  target.seconds === null ? `not in ${DEADLINE_MS / 1000} s (${target.moved} of ${N})` : secs(target.seconds);
const cpuText = (cpu: CpuShares): string =>
  ["client", "worker", "server"].map((name) => (cpu[name] === undefined ? "-" : String(cpu[name]))).join("/");
const batchText = (batch: readonly BatchFigures[]): string =>
  batch.length === 0
    ? "-"
    : batch
        .map(
          (job) => `${job.signalled} in ${secs(job.seconds)} (${rate(job.perSecond)}/s) from ${secs(job.startedAfter)}`,
        )
        .join(" + ");

function phaseLine(figures: PhaseFigures): string {
  const { accounts, onSet } = figures;
  return `worker ${secs(figures.workerServes, 2)}, accounts ${reachedText(accounts)} (${rate(accounts.perSecond)}/s), on the set ${reachedText(onSet)}`;
}

function printTable(ingest: IngestFigures, phases: Record<string, PhaseFigures>, versions: Versions): void {
  const header = [
    "",
    "recorded",
    "worker serves",
    "every account",
    "accounts/s",
    "10-90 %/s",
    "every PlanSet",
    "batch signals",
    "cpu % client/worker/server",
  ];
  const rows = Object.entries(phases).map(([name, p]) => [
    name,
    secs(p.recorded, 2),
    secs(p.workerServes, 2) + (p.lagging.length > 0 ? ` (lagging: ${p.lagging.join(", ")})` : ""),
    reachedText(p.accounts),
    rate(p.accounts.perSecond),
    rate(p.accounts.steadyPerSecond),
    reachedText(p.onSet),
    batchText(p.batch),
    cpuText(p.cpu),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? "").length)));
  const line = (cells: readonly string[]): string =>
    `  ${cells.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join("  ")}`.trimEnd();
  console.log(
    `\nplayloop rollout, one dev server (SQLite file, WAL) and one \`playloop worker\` (cache ${CACHE ?? "sdk default"}): ${N} accounts${DYNAMIC_CONFIG.length > 0 ? `, dynamic config ${DYNAMIC_CONFIG.join(" ")}` : ""}`,
  );
  console.log(
    `  ingest: ${N} accounts in ${secs(ingest.seconds)} at concurrency ${K}: ${rate(ingest.perSecond)} accounts/s (cpu % ${cpuText(ingest.cpu)}); all visible on the worker's set ${secs(ingest.visibleAfter)} later`,
  );
  console.log(line(header));
  for (const row of rows) console.log(line(row));
  console.log(
    [
      `  Seconds from the call. every account: rollout Plays = '${PLAYBOOK}@${short(versions.to)}' (from ${short(versions.from)}),`,
      `  pause Paused = '${PLAYBOOK}', resume no Paused; every PlanSet: PlanSet = the deployment's set. Visibility is polled`,
      `  every ${POLL_MS} ms. batch signals: the job(s) announcing the set, signals in seconds, from seconds after the call.`,
    ].join("\n"),
  );
}

// ---------------------------------------------------------------- run

interface IngestFigures {
  readonly seconds: number;
  readonly perSecond: number;
  readonly visibleAfter: number | null;
  readonly cpu: CpuShares;
}

interface Versions {
  readonly from: string;
  readonly to: string;
}

async function ingest(bench: Bench, initial: Deployment, from: string): Promise<IngestFigures> {
  say(`  ingest: ${N} accounts, ${K} at a time ...`);
  const accounts = new AccountClient(bench.env.client, QUEUE);
  const now = Date.now();
  const seconds = await bench.cpu.during(() => pool(N, (i) => accounts.upsertAccount(benchAccount(i, now)), K));
  const cpu = bench.cpu.take();
  say(`    ingest: ${rate(N / seconds)} accounts/s`);
  const settled = Date.now();
  const visible = await untilAll(
    bench.env.client,
    "ingest",
    {
      version: { where: `Plays = '${PLAYBOOK}@${from}'`, moved: (c) => c },
      set: { where: `PlanSet = '${initial.set.id}'`, moved: (c) => c },
    },
    settled,
  );
  const times = Object.values(visible).map((target) => target.seconds);
  if (times.includes(null)) throw new Error(`after ingest, visibility does not show every account on ${initial.id}`);
  return { seconds, perSecond: N / seconds, visibleAfter: Math.max(...(times as number[])), cpu };
}

async function run(): Promise<void> {
  if (!Number.isInteger(N) || N < 1 || !Number.isInteger(K) || K < 1)
    throw new SetupError("--accounts and --concurrency take whole numbers above 0");
  if (CACHE !== undefined && !/^\d+$/.test(CACHE)) throw new SetupError("--cache takes a whole number");
  if (values.deadline !== undefined && !/^[1-9]\d*$/.test(values.deadline))
    throw new SetupError("--deadline takes a whole number of seconds above 0");
  if (values.poll !== undefined && !(Number(values.poll) >= 0.1))
    throw new SetupError(`--poll takes seconds, 0.1 or more, not "${values.poll}"`);
  if (FACTS !== "on" && FACTS !== "off") throw new SetupError(`--facts takes on or off, not "${FACTS}"`);
  const known = ["rollout", "pause", "resume"];
  if (PHASES.some((name) => !known.includes(name)) || new Set(PHASES).size !== PHASES.length)
    throw new SetupError(`--phases takes some of ${known.join(",")}, each once, not "${values.phases}"`);
  if (PHASES.includes("resume") && !PHASES.includes("pause"))
    throw new SetupError("--phases: resume releases a pause, so it needs pause too");
  for (const pair of DYNAMIC_CONFIG)
    if (!/^[\w.]+=.+$/.test(pair)) throw new SetupError(`--dynamic-config takes KEY=VALUE, not "${pair}"`);
  if (!existsSync(MAIN)) throw new SetupError(`${MAIN} is missing: \`npm run bench:rollout\` builds it first`);
  const cli = temporalCli();
  const root = mkdtempSync(join(tmpdir(), "playloop-rollout-"));
  cleanups.push(() => rmSync(root, { recursive: true, force: true }));
  const folders = playbookFolders(root);
  const edited = loadPlaybooks(folders.edited);
  const loadAtStart = loadavg()[0] ?? 0;
  console.log(
    `playloop rollout bench: ${N} accounts, concurrency ${K}, deadline ${DEADLINE_MS / 1000} s a phase${loadAtStart > 1.5 ? ` (load average ${loadAtStart.toFixed(1)} at the start: figures will be noisy)` : ""}`,
  );

  const env = await startDevServer(cli, root);
  const worker = await startWorker(env.address, root, folders.served);
  const deployments = new DeploymentsClient(env.client, QUEUE);
  const initial = await deployments.current();
  if (initial === undefined) throw new Error("the worker polls but deployed nothing");
  await deployments.waitForWorkers(initial, 30_000);
  const versions: Versions = {
    from: initial.set.versions[PLAYBOOK] ?? "",
    to: edited.plans.find((plan) => plan.id === PLAYBOOK)?.version ?? "",
  };
  if (versions.from === versions.to) throw new Error(`the edit left ${PLAYBOOK}'s version as it was`);
  const cpu = new CpuMeter({ client: process.pid, worker: worker.pid, server: devServerPid() });
  const bench: Bench = { env, deployments, cpu };

  const serverVersion = execFileSync(cli, ["--version"], { encoding: "utf8" }).trim();
  const extras = [
    ...(CACHE === undefined ? [] : [`cache-${CACHE}`]),
    ...DYNAMIC_CONFIG,
    ...(FACTS === "off" ? ["facts-off"] : []),
  ];
  const suffix = extras.length === 0 ? "" : `-${extras.join("-").replace(/[^\w.-]+/g, "_")}`;
  const file = join(projectRoot(), "bench", "results", `rollout-${N}${suffix}.json`);
  mkdirSync(join(projectRoot(), "bench", "results"), { recursive: true });
  progressFile = file.replace(/\.json$/, ".progress.txt");
  writeFileSync(progressFile, "");
  const phases: Record<string, PhaseFigures> = {};
  /** Writes what is measured so far; `complete` false says the run has phases to go. */
  const save = async (ingested: IngestFigures, complete: boolean, extra: Record<string, unknown> = {}) => {
    const results: Results = {
      date: new Date().toISOString(),
      machine: machine(),
      settings: {
        accounts: N,
        concurrency: K,
        db: "file (SQLite, WAL)",
        temporal: serverVersion,
        dynamic_config: DYNAMIC_CONFIG,
        cache: CACHE === undefined ? "sdk default" : Number(CACHE),
        facts: FACTS,
        workers: 1,
        poll_ms: POLL_MS,
        deadline_s: DEADLINE_MS / 1000,
        phases: PHASES,
        complete,
        versions,
        load_average_1m: { start: round(loadAtStart), end: round(loadavg()[0] ?? 0) },
      },
      ingest: roundAll(ingested),
      ...Object.fromEntries(Object.entries(phases).map(([name, figures]) => [name, roundAll(figures)])),
      ...extra,
    };
    writeFileSync(file, await formatJson(file, `${JSON.stringify(results, null, 2)}\n`));
  };

  const ingested = await ingest(bench, initial, versions.from);
  await save(ingested, false);
  const paused = { where: `Paused = '${PLAYBOOK}'` };
  const runs: Record<string, () => Promise<PhaseFigures>> = {
    rollout: () =>
      phase(
        bench,
        "rollout",
        () => deployments.deploy({ ...edited, actor: "bench" }),
        () => ({ where: `Plays = '${PLAYBOOK}@${versions.to}'`, moved: (c) => c }),
      ),
    pause: () =>
      phase(
        bench,
        "pause",
        () => deployments.control({ playbook: PLAYBOOK, action: "pause", actor: "bench" }),
        () => ({ ...paused, moved: (c) => c }),
      ),
    resume: () =>
      phase(
        bench,
        "resume",
        () => deployments.control({ playbook: PLAYBOOK, action: "resume", actor: "bench" }),
        () => ({ ...paused, moved: (c) => N - c }),
      ),
  };
  for (const name of Object.keys(runs).filter((name) => PHASES.includes(name))) {
    phases[name] = await (runs[name] as () => Promise<PhaseFigures>)();
    await save(ingested, false);
  }
  printTable(ingested, phases, versions);
  // What a replay of an account the cache lost goes through, after the phases.
  const history = await historyCounts(env, accountWorkflowId("bench-0"));
  console.log(`  one account's history after the phases: ${history.events} events`);
  await save(ingested, true, { history_of_one_account: history });
  console.log(`\nwrote ${file}`);
}

/** The file as `prettier --check` wants it (the repository's settings), when prettier is installed. */
async function formatJson(file: string, text: string): Promise<string> {
  try {
    const prettier = await import("prettier");
    return await prettier.format(text, { ...(await prettier.resolveConfig(file)), filepath: file });
  } catch {
    return text;
  }
}

/** Figures rounded for the file, keys in snake case as in latest.json. */
function roundAll(value: unknown): unknown {
  if (typeof value === "number") return round(value, 3);
  if (Array.isArray(value)) return value.map(roundAll);
  if (typeof value !== "object" || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, field]) => [key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`), roundAll(field)]),
  );
}

try {
  await run();
} catch (error) {
  console.error(error instanceof SetupError ? `rollout bench: ${error.message}` : error);
  if (workerLog.length > 0) console.error(`the worker's last log lines:\n${workerLog.join("\n")}`);
  process.exitCode = 1;
} finally {
  await cleanUp();
}
