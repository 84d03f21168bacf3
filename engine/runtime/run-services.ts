// The long-running commands: `playloop dev` (embedded Temporal dev server + worker + API),
// `playloop worker` and `playloop serve` (against TEMPORAL_ADDRESS).
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Server } from "node:http";
import type { Client } from "@temporalio/client";
import { TestWorkflowEnvironment } from "@temporalio/testing";
import type { NativeConnection, Worker } from "@temporalio/worker";
import type { Logger } from "pino";
import { SEARCH_ATTRIBUTES } from "../messages/search-attributes.js";
import type { RuntimeConfig } from "./config.js";
import { connectClient, connectWorker } from "./connect.js";
import { createApiServer } from "./http-api.js";
import { AccountClient } from "./account-client.js";
import type { PlanSetRef } from "../messages/account-messages.js";
import { announcePlanSet } from "./announce-plan-set.js";
import { optionalPlans, PlanRegistry } from "./plan-registry.js";
import { registerSearchAttributes } from "./register-search-attributes.js";
import { sinksFromConfig } from "./sinks-from-config.js";
import { taskQueueHasPollers } from "./task-queue-ready.js";
import { findTemporalCli } from "./temporal-binaries.js";
import { createJourneyWorker } from "./worker.js";

/** How `playloop dev` (and the benchmark) run the dev server's SQLite file. */
export const SQLITE_PRAGMAS = ["--sqlite-pragma", "journal_mode=wal", "--sqlite-pragma", "synchronous=normal"];

/** Resolves when the process is asked to stop (Ctrl-C or SIGTERM). */
function stopRequested(): Promise<string> {
  return new Promise((resolve) => {
    process.once("SIGINT", () => resolve("SIGINT"));
    process.once("SIGTERM", () => resolve("SIGTERM"));
  });
}

async function listen(server: Server, port: number): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve());
  });
  const address = server.address();
  return typeof address === "object" && address !== null ? address.port : port;
}

/**
 * The HTTP API. `plans` is this process's copy of the playbooks: every update carries its set, so
 * an account on an older set loads the worker's before it applies the input.
 */
function startApi(client: Client, config: RuntimeConfig, logger: Logger, plans: PlanRegistry | undefined): Server {
  let ready = false;
  return createApiServer({
    accounts: new AccountClient(client, config.taskQueue, plans === undefined ? undefined : () => plans.set),
    logger,
    ready: async () => {
      ready ||= await taskQueueHasPollers(client, config.namespace, config.taskQueue).catch(() => false);
      return ready;
    },
  });
}

/** Announces a plan set to the accounts not on it yet; a failure is logged, not fatal. */
function announce(client: Client, config: RuntimeConfig, logger: Logger, set: PlanSetRef): void {
  announcePlanSet(client, config.namespace, set).then(
    (job) => logger.info({ set: set.id, job }, `plan set ${set.id} announced to the accounts not on it`),
    (error: unknown) =>
      logger.warn(
        { err: error },
        `could not announce plan set ${set.id} with a batch operation; accounts take it when their next run starts`,
      ),
  );
}

/**
 * Watches the playbooks folder the worker serves: a change is reloaded and announced to the
 * accounts, as the set loaded at start is. A folder that stops validating keeps the set that ran
 * before, and the log says why.
 */
function watchPlans(registry: PlanRegistry, config: RuntimeConfig, logger: Logger, client: Client): void {
  registry.watchFolder(
    config.playbooksDir,
    (set) => {
      logger.info({ set: set.id, versions: set.versions }, "playbooks changed: announcing the new set to the accounts");
      announce(client, config, logger, set);
    },
    (error) =>
      logger.error(
        `playbooks changed but do not load; still running the set loaded before: ${error instanceof Error ? error.message : String(error)}`,
      ),
  );
  announce(client, config, logger, registry.set);
}

async function startWorker(connection: NativeConnection, config: RuntimeConfig, plans: PlanRegistry): Promise<Worker> {
  return createJourneyWorker({
    connection,
    namespace: config.namespace,
    taskQueue: config.taskQueue,
    sinks: sinksFromConfig(config),
    plans,
    maxCachedWorkflows: config.maxCachedWorkflows,
  });
}

async function runUntilStopped(
  worker: Worker | undefined,
  logger: Logger,
  cleanup: () => Promise<void>,
): Promise<void> {
  const running = worker?.run();
  const reason = await Promise.race([
    stopRequested(),
    running?.then(() => "worker stopped") ?? new Promise<string>(() => {}),
  ]);
  logger.info(`stopping (${reason})`);
  if (worker !== undefined && worker.getState() === "RUNNING") worker.shutdown();
  await running;
  await cleanup();
}

/** `playloop dev`: an embedded Temporal dev server (SQLite, Web UI), a worker and the HTTP API. */
export async function runDev(config: RuntimeConfig, logger: Logger): Promise<void> {
  const started = Date.now();
  const registry = PlanRegistry.fromFolder(config.playbooksDir);
  mkdirSync(config.dataDir, { recursive: true });
  const cli = findTemporalCli();
  const [host, portText] = config.temporalAddress.split(":");
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: cli === undefined ? { type: "cached-download" } : { type: "existing-path", path: cli },
      dbFilename: join(config.dataDir, "temporal.db"),
      ip: host === "localhost" || host === undefined ? "127.0.0.1" : host,
      port: Number(portText ?? 7233),
      ui: true,
      uiPort: Number(process.env.PLAYLOOP_UI_PORT ?? 8233),
      namespace: config.namespace,
      searchAttributes: Object.values(SEARCH_ATTRIBUTES),
      // A write-ahead log, synced at checkpoints: safe across a crash of the process (not of the
      // machine's power), and several times the throughput of SQLite's default journal here.
      extraArgs: ["--log-level", "error", ...SQLITE_PRAGMAS],
    },
  });
  const worker = await startWorker(env.nativeConnection, config, registry);
  watchPlans(registry, config, logger, env.client);
  const api = startApi(env.client, config, logger, registry);
  const apiPort = await listen(api, config.apiPort);
  const uiPort = Number(process.env.PLAYLOOP_UI_PORT ?? 8233);
  process.stderr.write(
    [
      "",
      `playloop dev is running (${((Date.now() - started) / 1000).toFixed(1)} s to start)`,
      `  Temporal Web UI  http://localhost:${uiPort}/namespaces/${config.namespace}/workflows`,
      `  Temporal         ${config.temporalAddress} (namespace ${config.namespace}, state in ${config.dataDir})`,
      `  HTTP API         http://localhost:${apiPort}  (GET /healthz, PUT /v1/accounts/{id}, POST /v1/accounts/{id}/events)`,
      `  actions          ${config.actionsFile}${config.webhookUrl ? ` and ${config.webhookUrl}` : ""}`,
      `  playbooks        ${registry.plans.map((p) => p.id).join(", ")} (policy: ${registry.set.policy.name}; edits are picked up while running)`,
      "Ctrl-C stops everything.",
      "",
    ].join("\n"),
  );
  await runUntilStopped(worker, logger, async () => {
    registry.close();
    await new Promise((resolve) => api.close(resolve));
    await env.teardown();
  });
}

/** `playloop worker`: only the worker, against TEMPORAL_ADDRESS / TEMPORAL_NAMESPACE. */
export async function runWorker(config: RuntimeConfig, logger: Logger): Promise<void> {
  const client = await connectClient(config);
  await registerSearchAttributes(client.connection, config.namespace).catch((error: unknown) => {
    logger.warn(
      { err: error },
      "could not register search attributes; create AccountId, PlanSet, LastSuppression (Keyword) and Plays, Stages, Holdouts (KeywordList) in the namespace",
    );
  });
  const registry = PlanRegistry.fromFolder(config.playbooksDir);
  const connection = await connectWorker(config);
  const worker = await startWorker(connection, config, registry);
  watchPlans(registry, config, logger, client);
  logger.info(
    `worker polling task queue ${config.taskQueue} on ${config.temporalAddress} (namespace ${config.namespace})`,
  );
  await runUntilStopped(worker, logger, async () => {
    registry.close();
    await connection.close();
    await client.connection.close();
  });
}

/** `playloop serve`: only the HTTP API, against TEMPORAL_ADDRESS / TEMPORAL_NAMESPACE. */
export async function runServe(config: RuntimeConfig, logger: Logger): Promise<void> {
  const client = await connectClient(config);
  const api = startApi(client, config, logger, optionalPlans(config, logger));
  const port = await listen(api, config.apiPort);
  logger.info(`HTTP API on http://localhost:${port}`);
  await runUntilStopped(undefined, logger, async () => {
    await new Promise((resolve) => api.close(resolve));
    await client.connection.close();
  });
}
