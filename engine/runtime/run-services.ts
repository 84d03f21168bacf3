// The long-running commands: `playloop dev` (embedded Temporal dev server + worker + API),
// `playloop worker` and `playloop serve` (against TEMPORAL_ADDRESS).
import { existsSync, mkdirSync } from "node:fs";
import { hostname } from "node:os";
import { dirname, join } from "node:path";
import type { Server } from "node:http";
import type { Client } from "@temporalio/client";
import { TestWorkflowEnvironment } from "@temporalio/testing";
import type { NativeConnection, Worker } from "@temporalio/worker";
import type { Logger } from "pino";
import { allFactSinks, factFileSink } from "../analytics/fact-events.js";
import { FactStore } from "../analytics/fact-store.js";
import type { PlanSetRef } from "../messages/account-messages.js";
import { SEARCH_ATTRIBUTES } from "../messages/search-attributes.js";
import type { RuntimeConfig } from "./config.js";
import { connectClient, connectWorker } from "./connect.js";
import { createApiServer } from "./http-api.js";
import { AccountQueue } from "./account-queue.js";
import type { ApiTokens } from "./bearer-auth.js";
import { isLoopback } from "./is-loopback.js";
import { resolveApiTokens } from "./resolve-api-tokens.js";
import { AccountClient } from "./account-client.js";
import { announcePlanSet } from "./announce-plan-set.js";
import { DeploymentsClient } from "./deployments-client.js";
import { DeploymentFollower } from "./follow-deployments.js";
import { loadPlaybooks, type LoadedPlaybooks } from "./load-plans.js";
import { PlanRegistry } from "./plan-registry.js";
import { deployActor, deployCommit } from "./run-deploy.js";
import { registerSearchAttributes } from "./register-search-attributes.js";
import { checkRouting, destinationSinks, sinksFromConfig } from "./sinks-from-config.js";
import { taskQueueHasPollers } from "./task-queue-ready.js";
import { findTemporalCli } from "./temporal-binaries.js";
import { createJourneyWorker, createRecordWorker } from "./worker.js";
import { bundleJourneyWorkflows } from "./workflow-bundle.js";

/** How `playloop dev` (and the benchmark) run the dev server's SQLite file. */
export const SQLITE_PRAGMAS = ["--sqlite-pragma", "journal_mode=wal", "--sqlite-pragma", "synchronous=normal"];

/**
 * A deployment reaches accounts through a batch operation, which the server runs at
 * `worker.batcherRPS` signals per second: 50 by default, and 100 here, about what one machine's
 * server and worker take while events still flow (bench/rollout.bench.ts measured 50/s at the
 * default and 97/s at 1,000 with 2,000 accounts). Clusters set it in their dynamic config.
 */
const DEV_DYNAMIC_CONFIG = ["--dynamic-config-value", "worker.batcherRPS=100"];

/** Resolves when the process is asked to stop (Ctrl-C or SIGTERM). */
function stopRequested(): Promise<string> {
  return new Promise((resolve) => {
    process.once("SIGINT", () => resolve("SIGINT"));
    process.once("SIGTERM", () => resolve("SIGTERM"));
  });
}

/** Listens on PLAYLOOP_API_HOST and PLAYLOOP_API_PORT; returns the API's base URL. */
async function listen(server: Server, config: RuntimeConfig, logger: Logger): Promise<string> {
  const { apiHost: host, apiPort: port } = config;
  await new Promise<void>((resolve, reject) => {
    server.once("error", (error) => {
      const where = `${host} port ${port} (PLAYLOOP_API_HOST, PLAYLOOP_API_PORT)`;
      reject(new Error(`the HTTP API cannot listen on ${where}: ${error.message}`, { cause: error }));
    });
    server.listen(port, host, () => resolve());
  });
  // Tokens travel in every request: in clear text beyond this machine they can be read and replayed.
  if (!isLoopback(host))
    logger.warn(
      `the HTTP API listens on ${host}, beyond loopback: put it behind TLS (a reverse proxy or load balancer that terminates HTTPS), or bearer tokens cross the network in clear text`,
    );
  const address = server.address();
  const bound = typeof address === "object" && address !== null ? address.port : port;
  return `http://${host.includes(":") ? `[${host}]` : host}:${bound}`;
}

/**
 * The HTTP API. `plans` follows the current deployment: every update carries its set, so an
 * account on an older set loads the current one before it applies the input.
 */
function startApi(
  client: Client,
  config: RuntimeConfig,
  logger: Logger,
  plans: PlanRegistry,
  tokens: ApiTokens,
  facts?: FactStore,
): Server {
  let ready = false;
  const queue = new AccountQueue(client, config.taskQueue, () => {
    const set = plans.setIfLoaded;
    return set === undefined ? undefined : { plans: plans.plans, policy: set.policy };
  });
  return createApiServer({
    ...(facts === undefined ? {} : { facts }),
    queue: (filters) => queue.rank(filters),
    accounts: new AccountClient(client, config.taskQueue, () => plans.setIfLoaded),
    deployments: new DeploymentsClient(client, config.taskQueue),
    logger,
    tokens,
    ready: async () => {
      ready ||= await taskQueueHasPollers(client, config.namespace, config.taskQueue).catch(() => false);
      return ready;
    },
  });
}

/** A worker process's parts: the plans it serves follow the deployments record. */
interface FleetWorker {
  /** Runs the accounts. */
  readonly worker: Worker;
  /** Runs the deployments record, on its own task queue. */
  readonly record: Worker;
  readonly registry: PlanRegistry;
  readonly follower: DeploymentFollower;
  readonly deployments: DeploymentsClient;
  /** The analytics database the worker stores facts in (none when PLAYLOOP_FACTS_DB=off). */
  readonly facts?: FactStore;
}

async function startWorker(
  client: Client,
  connection: NativeConnection,
  config: RuntimeConfig,
  logger: Logger,
): Promise<FleetWorker> {
  const registry = new PlanRegistry();
  const deployments = new DeploymentsClient(client, config.taskQueue);
  const facts = config.factsDb === undefined ? undefined : await openFacts(config, logger);
  // The identity the worker polls with, which `playloop deploy` finds among the queue's pollers.
  const identity = `${process.pid}@${hostname()}`;
  const follower = new DeploymentFollower(deployments, registry, logger, identity);
  const common = {
    connection,
    namespace: config.namespace,
    taskQueue: config.taskQueue,
    identity,
    plans: registry,
    workflowBundle: await bundleJourneyWorkflows(),
    announce: (set: PlanSetRef) => announcePlanSet(client, config.namespace, config.taskQueue, set),
  };
  const factSink = allFactSinks([
    ...(facts === undefined ? [] : [facts]),
    ...(config.factsFile === undefined ? [] : [factFileSink(config.factsFile)]),
  ]);
  const worker = await createJourneyWorker({
    ...common,
    sinks: sinksFromConfig(config),
    destinationSink: destinationSinks(config),
    catchUp: (hint) => follower.catchUp(hint),
    maxCachedWorkflows: config.maxCachedWorkflows,
    ...(factSink === undefined ? {} : { facts: factSink }),
  });
  return {
    worker,
    record: await createRecordWorker(common),
    registry,
    follower,
    deployments,
    ...(facts === undefined ? {} : { facts }),
  };
}

/**
 * Opens the analytics database for writing. When another process has the default file (a second
 * worker on the machine), this one runs without it and says so; a file named by PLAYLOOP_FACTS_DB
 * that cannot be opened stops the worker with what to do.
 */
async function openFacts(config: RuntimeConfig, logger: Logger): Promise<FactStore | undefined> {
  const path = config.factsDb ?? "";
  mkdirSync(dirname(path), { recursive: true });
  try {
    return await FactStore.open(path);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (config.factsDbIsDefault === true && /lock/i.test(message)) {
      logger.warn(
        { path },
        "the analytics database is open in another process: this worker stores no facts (set PLAYLOOP_FACTS_FILE to send them to a file a warehouse loads)",
      );
      return undefined;
    }
    throw new Error(
      `cannot open the analytics database ${path}: ${message}. One worker process writes it; give other workers PLAYLOOP_FACTS_DB=off (or a file of their own)`,
      { cause: error },
    );
  }
}

/** Shuts down the workers still running. */
function shutdownRunning(workers: readonly Worker[]): void {
  for (const worker of workers) if (worker.getState() === "RUNNING") worker.shutdown();
}

/** Runs both workers of a fleet member until either stops; shutting one down shuts down the other. */
async function runFleet(fleet: FleetWorker): Promise<void> {
  const workers = [fleet.worker, fleet.record];
  await Promise.all(workers.map((worker) => worker.run().finally(() => shutdownRunning(workers))));
}

/**
 * Deploys the playbooks folder (as `playloop deploy --yes` would) and, when `watch`, again on each
 * change. `onlyIfNew` (a worker's start): plans deployed before are not deployed again, so a worker
 * restarted from an old folder does not roll the fleet back.
 */
async function deployFolder(
  fleet: FleetWorker,
  folder: LoadedPlaybooks,
  config: RuntimeConfig,
  logger: Logger,
  onlyIfNew: boolean,
): Promise<void> {
  const dir = config.playbooksDir;
  const commit = deployCommit(dir);
  const { deployment, changed } = await fleet.deployments.deploy({
    plans: folder.plans,
    sources: folder.sources,
    policy: folder.policy,
    actor: deployActor(dir),
    ...(commit === undefined ? {} : { commit }),
    onlyIfNew,
  });
  if (changed) logger.info({ deployment: deployment.id }, `deployed ${dir} as ${deployment.id}: ${deployment.summary}`);
  else logger.info({ deployment: deployment.id }, `the current deployment is ${deployment.id} (${deployment.summary})`);
  await fleet.follower.refresh();
}

function watchFolder(fleet: FleetWorker, config: RuntimeConfig, logger: Logger): void {
  fleet.registry.watchFolder(
    config.playbooksDir,
    (folder) =>
      void deployFolder(fleet, folder, config, logger, false).catch((error: unknown) =>
        logger.error({ err: error }, "playbooks changed but could not be deployed"),
      ),
    (error) =>
      logger.error(
        `playbooks changed but do not load; still running the deployment before: ${error instanceof Error ? error.message : String(error)}`,
      ),
  );
}

async function runUntilStopped(
  workers: readonly Worker[],
  running: Promise<void> | undefined,
  logger: Logger,
  cleanup: () => Promise<void>,
): Promise<void> {
  const reason = await Promise.race([
    stopRequested(),
    running?.then(() => "worker stopped") ?? new Promise<string>(() => {}),
  ]);
  logger.info(`stopping (${reason})`);
  shutdownRunning(workers);
  await running;
  await cleanup();
}

/** `playloop dev`: an embedded Temporal dev server (SQLite, Web UI), a worker and the HTTP API. */
export async function runDev(config: RuntimeConfig, logger: Logger): Promise<void> {
  const started = Date.now();
  const { tokens, generated } = resolveApiTokens(config, "dev");
  const folder = loadPlaybooks(config.playbooksDir);
  checkRouting(folder.policy.routing);
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
      extraArgs: ["--log-level", "error", ...SQLITE_PRAGMAS, ...DEV_DYNAMIC_CONFIG],
    },
  });
  const fleet = await startWorker(env.client, env.nativeConnection, config, logger);
  const running = runFleet(fleet);
  // In dev the folder is what runs: it is deployed at start and on every change.
  await deployFolder(fleet, folder, config, logger, false);
  fleet.follower.start();
  watchFolder(fleet, config, logger);
  const api = startApi(env.client, config, logger, fleet.registry, tokens, fleet.facts);
  const apiUrl = await listen(api, config, logger);
  const uiPort = Number(process.env.PLAYLOOP_UI_PORT ?? 8233);
  process.stderr.write(
    [
      "",
      `playloop dev is running (${((Date.now() - started) / 1000).toFixed(1)} s to start)`,
      `  Temporal Web UI  http://localhost:${uiPort}/namespaces/${config.namespace}/workflows`,
      `  Temporal         ${config.temporalAddress} (namespace ${config.namespace}, state in ${config.dataDir})`,
      `  HTTP API         ${apiUrl}  (GET /healthz, PUT /v1/accounts/{id}, POST /v1/accounts/{id}/events)`,
      generated
        ? `  API token        ${tokens.readWrite} (export PLAYLOOP_API_TOKEN=${tokens.readWrite} for the CLI; a new one each run)`
        : `  API token        from PLAYLOOP_API_TOKEN${tokens.readOnly === undefined ? "" : ", and a read-only one from PLAYLOOP_API_READ_TOKEN"}`,
      `  actions          ${config.actionsFile}${config.webhookUrl ? ` and ${config.webhookUrl}` : ""}`,
      ...Object.values(folder.policy.routing?.destinations ?? {}).map(
        (d) =>
          `  destination      ${d.name}: ${d.kind === "ndjson" ? join(config.dataDir, d.file) : d.kind === "webhook" ? `webhook from ${d.urlEnv}` : "the action log"}`,
      ),
      `  playbooks        ${fleet.registry.plans.map((p) => p.id).join(", ")} (policy: ${fleet.registry.set.policy.name}; edits are deployed while running)`,
      "Ctrl-C stops everything.",
      "",
    ].join("\n"),
  );
  await runUntilStopped([fleet.worker, fleet.record], running, logger, async () => {
    fleet.registry.close();
    fleet.follower.stop();
    await new Promise((resolve) => api.close(resolve));
    fleet.facts?.close();
    await env.teardown();
  });
}

/** `playloop worker`: only the worker, against TEMPORAL_ADDRESS / TEMPORAL_NAMESPACE. */
export async function runWorker(config: RuntimeConfig, logger: Logger): Promise<void> {
  // A worker deploys a folder it was given (PLAYLOOP_PLAYBOOKS or ./playbooks), never the bundled
  // samples; it is checked before anything connects, so a bad folder stops the worker at once.
  const folder =
    !config.bundledPlaybooks && existsSync(config.playbooksDir) ? loadPlaybooks(config.playbooksDir) : undefined;
  checkRouting(folder?.policy.routing);
  const client = await connectClient(config);
  await registerSearchAttributes(client.connection, config.namespace).catch((error: unknown) => {
    logger.warn(
      { err: error },
      "could not register search attributes; create AccountId, PlanSet, LastSuppression (Keyword) and Plays, Stages, Holdouts (KeywordList) in the namespace",
    );
  });
  const connection = await connectWorker(config);
  const fleet = await startWorker(client, connection, config, logger);
  const running = runFleet(fleet);
  if (folder !== undefined) {
    await deployFolder(fleet, folder, config, logger, true);
    watchFolder(fleet, config, logger);
  } else
    logger.info(
      "no playbooks folder of its own (PLAYLOOP_PLAYBOOKS, ./playbooks): serving what `playloop deploy` deploys",
    );
  fleet.follower.start();
  logger.info(
    `worker polling task queue ${config.taskQueue} on ${config.temporalAddress} (namespace ${config.namespace})`,
  );
  await runUntilStopped([fleet.worker, fleet.record], running, logger, async () => {
    fleet.registry.close();
    fleet.follower.stop();
    fleet.facts?.close();
    await connection.close();
    await client.connection.close();
  });
}

/** `playloop serve`: only the HTTP API, against TEMPORAL_ADDRESS / TEMPORAL_NAMESPACE. */
export async function runServe(config: RuntimeConfig, logger: Logger): Promise<void> {
  // Before connecting: a missing token is a configuration error, not something to wait for.
  const { tokens } = resolveApiTokens(config, "serve");
  const client = await connectClient(config);
  const registry = new PlanRegistry();
  const follower = new DeploymentFollower(new DeploymentsClient(client, config.taskQueue), registry, logger);
  follower.start();
  const api = startApi(client, config, logger, registry, tokens);
  logger.info(`HTTP API on ${await listen(api, config, logger)}`);
  await runUntilStopped([], undefined, logger, async () => {
    follower.stop();
    await new Promise((resolve) => api.close(resolve));
    await client.connection.close();
  });
}
