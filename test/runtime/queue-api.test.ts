// GET /v1/queue on a real Temporal dev server (visibility and search attributes need it): the
// account workflows publish ExpansionScore and ScoreBand, the API lists them by band, asks each for
// its standing and ranks them with their next best play; filters and bad parameters.
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { type TestWorkflowEnvironment } from "@temporalio/testing";
import type { Worker } from "@temporalio/worker";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { QueueReport } from "../../engine/queue/rank-queue.js";
import { AccountClient } from "../../engine/runtime/account-client.js";
import { AccountQueue, queueVisibilityQuery } from "../../engine/runtime/account-queue.js";
import { createApiServer } from "../../engine/runtime/http-api.js";
import { createLogger } from "../../engine/runtime/logger.js";
import { PlanRegistry } from "../../engine/runtime/plan-registry.js";
import { createJourneyWorker } from "../../engine/runtime/worker.js";
import { eventually, ROOT } from "../helpers.js";
import { account, actionLog, workflowBundle } from "../workflows/harness.js";
import { devServerEnv } from "./cli-processes.js";

const TASK_QUEUE = "playloop-queue-test";
const TOKEN = "queue-api-test-token-0123456789";

let env: TestWorkflowEnvironment;
let worker: Worker;
let running: Promise<void>;
let api: Server;
let apiUrl: string;

beforeAll(async () => {
  env = await devServerEnv();
  const registry = PlanRegistry.fromFolder(join(ROOT, "playbooks"));
  worker = await createJourneyWorker({
    connection: env.nativeConnection,
    taskQueue: TASK_QUEUE,
    sinks: [actionLog().sink],
    plans: registry,
    workflowBundle: workflowBundle(),
  });
  running = worker.run();
  const queue = new AccountQueue(env.client, TASK_QUEUE, () => ({
    plans: registry.plans,
    policy: registry.set.policy,
  }));
  api = createApiServer({
    accounts: new AccountClient(env.client, TASK_QUEUE),
    queue: (filters) => queue.rank(filters),
    logger: createLogger(),
    ready: async () => true,
    tokens: { readWrite: TOKEN },
  });
  await new Promise<void>((resolve) => api.listen(0, "127.0.0.1", resolve));
  apiUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
}, 120_000);

afterAll(async () => {
  api?.close();
  if (worker?.getState() === "RUNNING") worker.shutdown();
  await running;
  await env?.teardown();
});

async function get(path: string): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${apiUrl}${path}`, { headers: { authorization: `Bearer ${TOKEN}` } });
  return { status: response.status, body: await response.json() };
}

describe("GET /v1/queue on the Temporal dev server", () => {
  it("ranks the accounts Temporal runs by score, each with its next best play, with filters", async () => {
    const now = Date.now();
    const client = new AccountClient(env.client, TASK_QUEUE);
    // 28 + 20 + 10 + 10 + 10 = 78 ready; health 50: 58 warming; at risk, idle, no consent: 20 not_now.
    await client.upsertAccount(account("q-ready", now, { owner: "Dana" }));
    await client.upsertAccount(account("q-warm", now, { health_score: 50 }));
    await client.upsertAccount(
      account("q-cold", now, { health_score: 30, usage: { seat_utilization: 0.2 }, consent: { marketing: false } }),
    );
    await eventually(async () => {
      const ids: string[] = [];
      for await (const info of env.client.workflow.list({ query: queueVisibilityQuery(TASK_QUEUE, undefined) }))
        ids.push(info.workflowId);
      return ids.length === 3 ? ids : undefined;
    }, "three scored accounts in visibility");

    const all = await get("/v1/queue");
    expect(all.status).toBe(200);
    const report = all.body as QueueReport & { listed: number; weighed: number };
    expect(report).toMatchObject({ scorecard: "expansion", listed: 3, weighed: 3, matched: 3 });
    expect(report.rows.map((r) => [r.rank, r.account, r.score, r.band])).toEqual([
      [1, "q-ready", 78, "ready"],
      [2, "q-warm", 58, "warming"],
      [3, "q-cold", 20, "not_now"],
    ]);
    expect(report.rows[0]).toMatchObject({ owner: "Dana", next: { playbook: "seat-upsell" } });
    expect(report.rows[0]?.next?.why[0]).toMatch(/^trigger capacity/);
    // The at-risk account's retention play entered at once (its renewal is 99 days out): from the
    // account's state, the queue says it is in progress and that it holds the account.
    expect(report.rows[2]).toMatchObject({ next: null, active: { playbookId: "at-risk-retention" } });
    expect(report.rows[2]?.blocked.slice(0, 2).map((b) => b.reason)).toEqual([
      expect.stringMatching(/^in progress: \w+ since \d{4}-\d{2}-\d{2}$/),
      "suppressed: at-risk-retention active",
    ]);

    const ready = (await get("/v1/queue?band=ready")).body as QueueReport;
    expect(ready.rows.map((r) => r.account)).toEqual(["q-ready"]);
    const dana = (await get("/v1/queue?owner=dana")).body as QueueReport;
    expect(dana.rows.map((r) => r.account)).toEqual(["q-ready"]);
    const atRisk = (await get("/v1/queue?segment=at_risk&limit=5")).body as QueueReport;
    expect(atRisk.rows.map((r) => r.account)).toEqual(["q-cold"]);
    // Accounts are asked in batches of 16, highest listed score first: all three here, one listed.
    const first = (await get("/v1/queue?limit=1")).body as QueueReport;
    expect([first.matched, first.rows.map((r) => r.account)]).toEqual([3, ["q-ready"]]);
  });

  it("answers 400 with a message for bad parameters, never a 500", async () => {
    for (const [query, message] of [
      ["band=hot", "band must be one of ready, warming, not_now"],
      ["limit=0", "limit must be a whole number from 1 to 500"],
      ["limit=many", "limit must be a whole number from 1 to 500"],
      ["segment=nope", 'no playbook defines the segment "nope"'],
      ["sort=score", 'unknown parameter "sort": use owner, segment, band and limit'],
    ] as const) {
      const answer = await get(`/v1/queue?${query}`);
      expect(answer.status, query).toBe(400);
      expect((answer.body as { error: string }).error).toContain(message);
    }
  });
});
