// Shared setup for workflow tests on a real Temporal test server (time-skipping).
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { WithStartWorkflowOperation, type WorkflowHandle } from "@temporalio/client";
import { defaultPayloadConverter } from "@temporalio/common";
import { historyToJSON } from "@temporalio/common/lib/proto-utils.js";
import { TestWorkflowEnvironment } from "@temporalio/testing";
import { DefaultLogger, Runtime, type Worker } from "@temporalio/worker";
import { afterAll, afterEach, beforeAll, inject } from "vitest";
import { compilePlaybook, type CompiledPlan } from "../../engine/index.js";
import type { ActionEvent } from "../../engine/journey/action-event.js";
import type { AccountView, PlayView } from "../../engine/journey/account-view.js";
import type { AccountSnapshot } from "../../engine/journey/journey-types.js";
import {
  ACCOUNT_WORKFLOW,
  accountWorkflowId,
  deploySignal,
  stateQuery,
  upsertUpdate,
  type AccountWorkflowInput,
} from "../../engine/messages/account-messages.js";
import { AccountClient } from "../../engine/runtime/account-client.js";
import { ndjsonSink, type ActionSink } from "../../engine/runtime/action-sinks.js";
import type { FactSink } from "../../engine/runtime/activities.js";
import { PlanRegistry } from "../../engine/runtime/plan-registry.js";
import { DEFAULT_POLICY, type AccountPolicy } from "../../engine/validate/validate-policy.js";
import { registerSearchAttributes } from "../../engine/runtime/register-search-attributes.js";
import { findTestServer } from "../../engine/runtime/temporal-binaries.js";
import { createJourneyWorker } from "../../engine/runtime/worker.js";
import { ROOT, readRepoFile } from "../helpers.js";

Runtime.install({ logger: new DefaultLogger("ERROR") });

export const DAY = 86_400_000;

/** Starts the time-skipping test server installed by the project (see tools/install-temporal.mjs). */
export async function timeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  const path = findTestServer();
  if (path === undefined) throw new Error("no Temporal test server: run `npm install` (tools/install-temporal.mjs)");
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: "existing-path", path } },
  });
  await registerSearchAttributes(env.connection, "default");
  return env;
}

/** The workflow bundle made once by the global setup. */
export function workflowBundle(): { code: string } {
  return { code: readFileSync(inject("workflowBundlePath"), "utf8") };
}

/** Compiles a playbook from playbooks/ or test/fixtures/journeys/. */
export function plan(name: string): CompiledPlan {
  const file = existsSync(join(ROOT, "playbooks", `${name}.yaml`))
    ? `playbooks/${name}.yaml`
    : `test/fixtures/journeys/${name}.yaml`;
  const result = compilePlaybook(readRepoFile(file), file);
  if (result.plan === undefined) throw new Error(`${file}: ${JSON.stringify(result.diagnostics)}`);
  return result.plan;
}

/** A sample account, with dates moved relative to `now` so tests do not age. */
export function account(id: string, now: number, changes: Record<string, unknown> = {}): AccountSnapshot {
  const base = JSON.parse(readRepoFile("playbooks/samples/acme.json")) as Record<string, unknown>;
  return { ...base, onboarded_at: day(now, -174), renewal_date: day(now, 99), ...changes, id } as AccountSnapshot;
}

/** The date `offset` days from `now`, as YYYY-MM-DD. */
export function day(now: number, offset: number): string {
  return new Date(now + offset * DAY).toISOString().slice(0, 10);
}

/** An NDJSON action log in a fresh temp folder, and a reader for what it holds. */
export function actionLog(): { sink: ActionSink; read: () => ActionEvent[]; path: string } {
  const path = join(mkdtempSync(join(tmpdir(), "playloop-actions-")), "actions.ndjson");
  return {
    path,
    sink: ndjsonSink(path),
    read: () =>
      existsSync(path)
        ? readFileSync(path, "utf8")
            .split("\n")
            .filter((line) => line !== "")
            .map((line) => JSON.parse(line) as ActionEvent)
        : [],
  };
}

let queue = 0;

/** A worker serving `plans` on its own task queue, so tests in one file do not share work. */
export async function accountWorker(
  env: TestWorkflowEnvironment,
  sinks: ActionSink[],
  plans: readonly CompiledPlan[],
  policy: AccountPolicy = DEFAULT_POLICY,
  facts?: FactSink,
): Promise<{ worker: Worker; taskQueue: string; registry: PlanRegistry }> {
  const taskQueue = `test-${process.pid}-${++queue}`;
  const registry = new PlanRegistry(plans, policy, 1);
  const worker = await createJourneyWorker({
    connection: env.nativeConnection,
    taskQueue,
    sinks,
    plans: registry,
    workflowBundle: workflowBundle(),
    ...(facts === undefined ? {} : { facts }),
  });
  return { worker, taskQueue, registry };
}

const started: string[] = [];

/**
 * The time-skipping server for a test file: started before its tests, torn down after them, the
 * accounts each test started terminated after it. Returns a getter for the environment.
 */
export function useTimeSkippingEnv(): () => TestWorkflowEnvironment {
  let env: TestWorkflowEnvironment | undefined;
  beforeAll(async () => {
    env = await timeSkippingEnv();
  }, 60_000);
  afterEach(() => (env === undefined ? undefined : terminateStarted(env)));
  afterAll(async () => {
    await env?.teardown();
  });
  return () => {
    if (env === undefined) throw new Error("the time-skipping server did not start");
    return env;
  };
}

/**
 * Terminates the accounts a test left running: a workflow whose worker is gone would hold a
 * workflow task open and stop the test server from skipping time for the next test.
 */
export async function terminateStarted(env: TestWorkflowEnvironment): Promise<void> {
  const ids = started.splice(0);
  await Promise.all(
    ids.map((id) =>
      env.client.workflow
        .getHandle(id)
        .terminate("test finished")
        .catch(() => undefined),
    ),
  );
}

/** What a test gets: the action log, the worker's task queue and plans, a client, and the start time. */
export interface AccountTestContext {
  readonly log: ReturnType<typeof actionLog>;
  readonly taskQueue: string;
  readonly registry: PlanRegistry;
  readonly accounts: AccountClient;
  readonly now: number;
  /** Upserts an account (starting its workflow) and returns its handle. */
  readonly start: (snapshot: AccountSnapshot) => Promise<WorkflowHandle>;
}

/**
 * Runs `test` with a fresh action log and a worker serving `plans` on its own task queue; `now`
 * is the test server's clock when it starts. The worker stops when `test` settles.
 */
export async function withAccountWorker(
  env: TestWorkflowEnvironment,
  plans: readonly CompiledPlan[],
  test: (context: AccountTestContext) => Promise<void>,
  policy?: AccountPolicy,
  facts?: FactSink,
): Promise<void> {
  const log = actionLog();
  const { worker, taskQueue, registry } = await accountWorker(env, [log.sink], plans, policy, facts);
  const accounts = new AccountClient(env.client, taskQueue);
  const start = async (snapshot: AccountSnapshot): Promise<WorkflowHandle> => {
    await accounts.upsertAccount(snapshot);
    started.push(accountWorkflowId(snapshot.id));
    return env.client.workflow.getHandle(accountWorkflowId(snapshot.id));
  };
  await worker.runUntil(async () =>
    test({ log, taskQueue, registry, accounts, now: await env.currentTimeMs(), start }),
  );
}

/** The account's plays as the API shows them. */
export function view(handle: WorkflowHandle): Promise<AccountView> {
  return handle.query(stateQuery);
}

/** One play of the account. */
export async function play(handle: WorkflowHandle, playbookId: string): Promise<PlayView> {
  const found = (await view(handle)).plays.find((p) => p.playbookId === playbookId);
  if (found === undefined) throw new Error(`no play ${playbookId} for ${handle.workflowId}`);
  return found;
}

/** Queries the account until `done` holds, letting a minute of workflow time pass between tries. */
export async function viewWhen(
  env: TestWorkflowEnvironment,
  handle: WorkflowHandle,
  done: (v: AccountView) => boolean,
): Promise<AccountView> {
  let current = await view(handle);
  for (let i = 0; i < 20 && !done(current); i++) {
    await env.sleep(60_000);
    current = await view(handle);
  }
  return current;
}

/**
 * Announces the registry's current set to some accounts, as a worker's batch operation does on the
 * dev server (the time-skipping server has no batch operations).
 */
export async function announce(registry: PlanRegistry, ...handles: WorkflowHandle[]): Promise<void> {
  await Promise.all(handles.map((handle) => handle.signal(deploySignal, registry.set)));
}

/** Sends an event to an account through the client, as the API does. */
export function sendEvent(
  context: AccountTestContext,
  accountId: string,
  event: { id: string; type: string; data?: Record<string, unknown> },
): Promise<{ duplicate: boolean }> {
  return context.accounts.sendEvent(accountId, event);
}

/** Starts an account workflow that continues as new once its history is longer than `maxHistoryEvents`. */
export async function startSmall(
  env: TestWorkflowEnvironment,
  context: AccountTestContext,
  snapshot: AccountSnapshot,
  maxHistoryEvents: number,
): Promise<WorkflowHandle> {
  const workflowId = accountWorkflowId(snapshot.id);
  const startWorkflowOperation = new WithStartWorkflowOperation(ACCOUNT_WORKFLOW, {
    workflowId,
    taskQueue: context.taskQueue,
    args: [{ accountId: snapshot.id, maxHistoryEvents } satisfies AccountWorkflowInput],
    workflowIdConflictPolicy: "USE_EXISTING",
  });
  started.push(workflowId);
  await env.client.workflow.executeUpdateWithStart(upsertUpdate, {
    args: [snapshot],
    updateId: `start-${snapshot.id}`,
    startWorkflowOperation,
  });
  return env.client.workflow.getHandle(workflowId);
}

/**
 * The account's current run: its id, the first run's id, the run it continued (if any), and the
 * input it started with (what the previous run carried over).
 */
export async function currentRun(
  env: TestWorkflowEnvironment,
  handle: WorkflowHandle,
): Promise<{ runId: string; firstRunId: string; previousRunId?: string; input: AccountWorkflowInput }> {
  const runId = (await handle.describe()).runId;
  const history = await env.client.workflow.getHandle(handle.workflowId, runId).fetchHistory();
  const startedEvent = history.events?.[0]?.workflowExecutionStartedEventAttributes;
  const payload = startedEvent?.input?.payloads?.[0];
  if (payload === undefined || payload === null) throw new Error(`no start input for ${handle.workflowId}`);
  return {
    runId,
    firstRunId: startedEvent?.firstExecutionRunId ?? "",
    ...(startedEvent?.continuedExecutionRunId ? { previousRunId: startedEvent.continuedExecutionRunId } : {}),
    input: defaultPayloadConverter.fromPayload<AccountWorkflowInput>(payload),
  };
}

/** The search attributes of the account workflow, by name. */
export async function searchAttributes(handle: WorkflowHandle): Promise<Record<string, unknown>> {
  const pairs = (await handle.describe()).typedSearchAttributes.getAll();
  return Object.fromEntries(pairs.map((pair) => [pair.key.name, pair.value]));
}

/** Saves an account workflow's history for the replay test, when asked to. */
export async function recordHistory(handle: WorkflowHandle, name: string): Promise<void> {
  if (process.env.PLAYLOOP_RECORD_HISTORIES !== "1") return;
  const history = await handle.fetchHistory();
  writeFileSync(join(ROOT, "test/fixtures/histories", `${name}.json`), `${historyToJSON(history)}\n`);
}
