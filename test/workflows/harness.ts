// Shared setup for workflow tests on a real Temporal test server (time-skipping).
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { WorkflowHandle } from "@temporalio/client";
import { historyToJSON } from "@temporalio/common/lib/proto-utils.js";
import { TestWorkflowEnvironment } from "@temporalio/testing";
import { DefaultLogger, Runtime, type Worker } from "@temporalio/worker";
import { inject } from "vitest";
import { compilePlaybook, type CompiledPlan } from "../../engine/index.js";
import type { ActionEvent } from "../../engine/journey/action-event.js";
import { journeyWorkflowId, type JourneyInput, type JourneyState } from "../../engine/journey/journey-types.js";
import { ndjsonSink, type ActionSink } from "../../engine/runtime/action-sinks.js";
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
export function account(id: string, now: number, changes: Record<string, unknown> = {}): JourneyInput["account"] {
  const base = JSON.parse(readRepoFile("playbooks/samples/acme.json")) as Record<string, unknown>;
  return { ...base, onboarded_at: day(now, -174), renewal_date: day(now, 99), ...changes, id };
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

/** A worker on its own task queue, so tests in one file do not share work. */
export async function journeyWorker(
  env: TestWorkflowEnvironment,
  sinks: ActionSink[],
): Promise<{ worker: Worker; taskQueue: string }> {
  const taskQueue = `test-${process.pid}-${++queue}`;
  const worker = await createJourneyWorker({
    connection: env.nativeConnection,
    taskQueue,
    sinks,
    workflowBundle: workflowBundle(),
  });
  return { worker, taskQueue };
}

const started: WorkflowHandle[] = [];

/**
 * Terminates the journeys a test left running: a workflow whose worker is gone would hold a
 * workflow task open and stop the test server from skipping time for the next test.
 */
export async function terminateStarted(): Promise<void> {
  const handles = started.splice(0);
  await Promise.all(handles.map((handle) => handle.terminate("test finished").catch(() => undefined)));
}

/**
 * Runs `test` with a fresh action log and a worker on its own task queue; `now` is the test
 * server's clock when it starts. The worker stops when `test` settles.
 */
export async function withJourneyWorker(
  env: TestWorkflowEnvironment,
  test: (context: { log: ReturnType<typeof actionLog>; taskQueue: string; now: number }) => Promise<void>,
): Promise<void> {
  const log = actionLog();
  const { worker, taskQueue } = await journeyWorker(env, [log.sink]);
  await worker.runUntil(async () => test({ log, taskQueue, now: await env.currentTimeMs() }));
}

/** Starts a journey for a plan and account. */
export async function startJourney(
  env: TestWorkflowEnvironment,
  taskQueue: string,
  input: JourneyInput,
): Promise<WorkflowHandle> {
  const handle = await env.client.workflow.start("journey", {
    taskQueue,
    workflowId: `${journeyWorkflowId(input.plan.id, input.account.id)}/${taskQueue}`,
    args: [input],
  });
  started.push(handle);
  return handle;
}

export function state(handle: WorkflowHandle): Promise<JourneyState> {
  return handle.query<JourneyState>("state");
}

/** Queries the journey until `done` holds, letting a minute of workflow time pass between tries. */
export async function stateWhen(
  env: TestWorkflowEnvironment,
  handle: WorkflowHandle,
  done: (s: JourneyState) => boolean,
): Promise<JourneyState> {
  let current = await state(handle);
  for (let i = 0; i < 20 && !done(current); i++) {
    await env.sleep(60_000);
    current = await state(handle);
  }
  return current;
}

/** Saves a finished or running journey's history for the replay test, when asked to. */
export async function recordHistory(handle: WorkflowHandle, name: string): Promise<void> {
  if (process.env.PLAYLOOP_RECORD_HISTORIES !== "1") return;
  const history = await handle.fetchHistory();
  writeFileSync(join(ROOT, "test/fixtures/histories", `${name}.json`), `${historyToJSON(history)}\n`);
}
