// The engine end to end on a real Temporal dev server (the one `playloop dev` runs): the HTTP API,
// search attributes and visibility, signed webhooks with retries, and a worker process killed.
import { spawn, type ChildProcess } from "node:child_process";
import { createServer, type Server } from "node:http";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { WithStartWorkflowOperation } from "@temporalio/client";
import type { AddressInfo } from "node:net";
import { type TestWorkflowEnvironment } from "@temporalio/testing";
import type { Worker } from "@temporalio/worker";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ActionEvent } from "../../engine/journey/action-event.js";
import type { AccountSnapshot } from "../../engine/journey/journey-types.js";
import type { AccountView, PlayView } from "../../engine/journey/account-view.js";
import { SEARCH_ATTRIBUTES } from "../../engine/messages/search-attributes.js";
import {
  ACCOUNT_WORKFLOW,
  accountWorkflowId,
  eventUpdate,
  stateQuery,
  upsertUpdate,
} from "../../engine/messages/account-messages.js";
import { FactStore } from "../../engine/analytics/fact-store.js";
import type { RevenueReport } from "../../engine/analytics/revenue-report.js";
import { webhookSink } from "../../engine/runtime/action-sinks.js";
import { createApiServer } from "../../engine/runtime/http-api.js";
import { AccountClient } from "../../engine/runtime/account-client.js";
import { ingest } from "../../engine/runtime/ingest/ingest.js";
import { PlanRegistry } from "../../engine/runtime/plan-registry.js";
import { createLogger } from "../../engine/runtime/logger.js";
import { createJourneyWorker } from "../../engine/runtime/worker.js";
import { capacityPrompt, eventually, ROOT, readRepoFile, signedWith } from "../helpers.js";
import { actionLog, day, workflowBundle } from "../workflows/harness.js";
import { devServerEnv, playbookFolder, startWorkerProcess as startWorker } from "./cli-processes.js";

const SECRET = `whsec_${Buffer.from("playloop-test-secret-0123456789").toString("base64")}`;
const TASK_QUEUE = "playloop-dev-test";
const TOKEN = "dev-server-test-token-0123456789";

interface Received {
  readonly id: string;
  readonly event: ActionEvent;
  readonly signed: boolean;
}

let env: TestWorkflowEnvironment;
let worker: Worker;
let running: Promise<void>;
let api: Server;
let apiUrl: string;
let receiver: Server;
let facts: FactStore;
const received: Received[] = [];
const attempts = new Map<string, number>();
const children: ChildProcess[] = [];

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return (server.address() as AddressInfo).port;
}

function request(method: string, path: string, body?: unknown, extra: Record<string, string> = {}) {
  const headers = { authorization: `Bearer ${TOKEN}`, ...extra };
  return fetch(`${apiUrl}${path}`, {
    method,
    headers: body === undefined ? headers : { "content-type": "application/json", ...headers },
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
}

/** The account's status once its journeys have stopped moving (deliveries retry once here). */
function settled(accountId: string): Promise<unknown> {
  const arrived = () => received.filter((r) => r.event.subject === accountId).length;
  return eventually(
    async () => {
      const before = arrived();
      const a = JSON.stringify(await (await request("GET", `/v1/accounts/${accountId}`)).json());
      await new Promise((resolve) => setTimeout(resolve, 3000));
      const b = JSON.stringify(await (await request("GET", `/v1/accounts/${accountId}`)).json());
      // Stable, no action arriving meanwhile, and every action that arrived reported back.
      const view = JSON.parse(b) as AccountView;
      const reported = view.plays.flatMap((p) => p.decisions).filter((d) => d.kind === "delivered").length;
      return a === b && before === arrived() && reported === arrived() ? (view as unknown) : undefined;
    },
    `${accountId} to settle`,
    60_000,
  );
}

async function play(accountId: string, playbookId: string): Promise<PlayView | undefined> {
  const response = await request("GET", `/v1/accounts/${accountId}`);
  if (!response.ok) return undefined;
  const body = (await response.json()) as AccountView;
  return body.plays.find((p) => p.playbookId === playbookId);
}

/** `playloop worker` in a child process, on its own task queue and playbooks folder. */
function startWorkerProcess(
  queue: string,
  folder: string,
  actionsFile: string,
  extraEnv: Record<string, string> = {},
): Promise<ChildProcess> {
  return startWorker(children, {
    ...extraEnv,
    TEMPORAL_ADDRESS: env.address,
    PLAYLOOP_TASK_QUEUE: queue,
    PLAYLOOP_ACTIONS_FILE: actionsFile,
    PLAYLOOP_PLAYBOOKS: folder,
  });
}

/** Runs the built CLI against the test's Temporal and API; resolves with its exit code and output. */
function playloop(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(ROOT, "dist/engine/cli/main.js"), ...args], {
      cwd: ROOT,
      env: {
        ...process.env,
        TEMPORAL_ADDRESS: env.address,
        PLAYLOOP_TASK_QUEUE: TASK_QUEUE,
        PLAYLOOP_API_URL: apiUrl,
        PLAYLOOP_API_TOKEN: TOKEN,
      },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.once("exit", (code) => resolve({ code, stdout, stderr }));
  });
}

/** Starts an account workflow that continues as new once its history passes `limit` events. */
async function startWithHistoryLimit(snapshot: AccountSnapshot, limit: number) {
  await env.client.workflow.executeUpdateWithStart(upsertUpdate, {
    args: [snapshot],
    startWorkflowOperation: new WithStartWorkflowOperation(ACCOUNT_WORKFLOW, {
      workflowId: accountWorkflowId(snapshot.id),
      taskQueue: TASK_QUEUE,
      args: [{ accountId: snapshot.id, maxHistoryEvents: limit }],
      workflowIdConflictPolicy: "USE_EXISTING",
    }),
  });
  return env.client.workflow.getHandle(accountWorkflowId(snapshot.id));
}

beforeAll(async () => {
  env = await devServerEnv();
  // A webhook receiver that checks signatures, fails each action's first attempt with a 503
  // (Temporal retries it with the same id), and keeps one copy per webhook-id.
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const id = String(req.headers["webhook-id"]);
      const count = (attempts.get(id) ?? 0) + 1;
      attempts.set(id, count);
      if (count === 1) {
        res.writeHead(503).end();
        return;
      }
      const signed = signedWith(SECRET, req.headers, body);
      if (!received.some((r) => r.id === id)) received.push({ id, event: JSON.parse(body) as ActionEvent, signed });
      res.writeHead(204).end();
    });
  });
  const receiverPort = await listen(receiver);
  facts = await FactStore.open(":memory:");
  worker = await createJourneyWorker({
    facts,
    connection: env.nativeConnection,
    taskQueue: TASK_QUEUE,
    sinks: [webhookSink(`http://127.0.0.1:${receiverPort}/hooks`, SECRET), actionLog().sink],
    plans: PlanRegistry.fromFolder(join(ROOT, "playbooks")),
    workflowBundle: workflowBundle(),
  });
  running = worker.run();
  api = createApiServer({
    accounts: new AccountClient(env.client, TASK_QUEUE),
    logger: createLogger(),
    ready: async () => worker.getState() === "RUNNING",
    tokens: { readWrite: TOKEN },
    facts,
  });
  apiUrl = `http://127.0.0.1:${await listen(api)}`;
}, 120_000);

afterAll(async () => {
  for (const child of children) child.kill("SIGKILL");
  if (worker?.getState() === "RUNNING") worker.shutdown();
  await running;
  await new Promise((resolve) => api?.close(resolve));
  await new Promise((resolve) => receiver?.close(resolve));
  await env?.teardown();
  facts?.close();
}, 60_000);

describe("playloop on the Temporal dev server", () => {
  it("answers /healthz once the worker polls", async () => {
    const response = await request("GET", "/healthz");
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: "ok" });
  });

  it("sends seat-upsell's orchestrate actions to an eligible account as signed CloudEvents, and says why the others get none", async () => {
    const today = Date.now();
    // Dates relative to today, so no renewal window opens as the calendar moves on.
    const acme = {
      ...(JSON.parse(readRepoFile("playbooks/samples/acme.json")) as Record<string, unknown>),
      onboarded_at: day(today, -174),
      renewal_date: day(today, 200),
    };
    const accounts = {
      "dev-acme": { ...acme },
      "dev-globex": { ...acme, health_score: 35, risk: { open_escalations: 2, cancellation_intent: false } },
      "dev-initech": { ...acme, consent: { marketing: false } },
      "dev-umbrella": { ...acme, onboarded_at: day(today, -20) },
    };
    for (const [id, body] of Object.entries(accounts)) {
      expect((await request("PUT", `/v1/accounts/${id}`, { ...body, id })).status).toBe(200);
    }
    for (const id of Object.keys(accounts)) {
      const event = { id: `usage-${id}`, type: "usage.updated", data: { usage: { seat_utilization: 0.92 } } };
      const response = await request("POST", `/v1/accounts/${id}/events`, event);
      expect(response.status).toBe(202);
      // The same event again changes nothing.
      expect((await request("POST", `/v1/accounts/${id}/events`, event)).status).toBe(202);
    }

    const delivered = await eventually(async () => {
      const mine = received.filter(
        (r) =>
          r.event.subject === "dev-acme" &&
          r.event.data.playbook !== undefined &&
          r.event.source === "playloop/playbooks/seat-upsell",
      );
      return mine.length >= 3 ? mine : undefined;
    }, "acme's seat-upsell actions");
    expect(delivered.map((r) => r.event.type)).toEqual([
      "playloop.action.inapp.prompt",
      "playloop.action.crm.task",
      "playloop.action.report.roi_snapshot",
    ]);
    // The capacity_prompt experiment gives dev-acme one of the two prompts; every action says which.
    const variant = capacityPrompt("dev-acme");
    expect(delivered.map((r) => r.event.data.step)).toEqual([variant.step, "orchestrate.4", "prove.1"]);
    expect(delivered[0]?.event.data.template).toBe(variant.template);
    for (const r of delivered) {
      expect(r.signed).toBe(true);
      expect(attempts.get(r.id)).toBe(2); // the 503 was retried with the same webhook-id
      expect(r.event).toMatchObject({ specversion: "1.0", subject: "dev-acme", id: r.id });
      expect(r.event.data.experiments).toEqual({ capacity_prompt: variant.variant });
    }

    const why = {
      "dev-globex": "suppressed: at_risk",
      "dev-initech": "not eligible: consent.marketing",
      "dev-umbrella": "not eligible: days_since(onboarded_at) >= 60",
    };
    for (const [id, reason] of Object.entries(why)) {
      const state = await eventually(async () => {
        const s = await play(id, "seat-upsell");
        return s?.decisions.some((d) => d.kind === "suppressed") === true ? s : undefined;
      }, `${id}'s suppression`);
      expect(state.decisions.filter((d) => d.kind === "suppressed").map((d) => d.reason)).toContain(reason);
      expect(
        received.filter((r) => r.event.subject === id && r.event.source === "playloop/playbooks/seat-upsell"),
      ).toEqual([]);
    }

    // Each account is one workflow; operators find them by play, and by play and stage.
    const listed = await eventually(async () => {
      const ids: string[] = [];
      for await (const execution of env.client.workflow.list({
        query: "Plays = 'seat-upsell' AND AccountId STARTS_WITH 'dev-'",
      }))
        ids.push(execution.workflowId);
      return ids.length === 4 ? ids.sort() : undefined;
    }, "the visibility query on Plays");
    expect(listed).toEqual([
      "playloop/account/dev-acme",
      "playloop/account/dev-globex",
      "playloop/account/dev-initech",
      "playloop/account/dev-umbrella",
    ]);
    const inProve = await eventually(async () => {
      const ids: string[] = [];
      for await (const execution of env.client.workflow.list({
        query: "Stages = 'seat-upsell:prove' AND AccountId = 'dev-acme'",
      }))
        ids.push(execution.workflowId);
      return ids.length === 1 ? ids : undefined;
    }, "the visibility query on Stages");
    expect(inProve).toEqual(["playloop/account/dev-acme"]);
    const inVariant = await eventually(async () => {
      const ids: string[] = [];
      for await (const execution of env.client.workflow.list({
        query: `Plays = 'seat-upsell#capacity_prompt=${variant.variant}' AND AccountId = 'dev-acme'`,
      }))
        ids.push(execution.workflowId);
      return ids.length === 1 ? ids : undefined;
    }, "the visibility query on the experiment's variant");
    expect(inVariant).toEqual(["playloop/account/dev-acme"]);
    const description = await env.client.workflow.getHandle("playloop/account/dev-acme").describe();
    expect(await description.staticSummary()).toBe("Account Acme Corp: every play of dev-acme");
    const plays = description.typedSearchAttributes.get(SEARCH_ATTRIBUTES.Plays) ?? [];
    expect(plays.filter((p) => !p.includes("@") && !p.includes("#"))).toEqual([
      "at-risk-retention",
      "downsell-save",
      "dsr-engagement-upsell",
      "new-department-cross-sell",
      "renewal-bundle",
      "seat-upsell",
    ]);
    expect(plays.filter((p) => p.includes("#"))).toEqual([`seat-upsell#capacity_prompt=${variant.variant}`]);
    const status = await eventually(async () => {
      const r = await request("GET", "/v1/accounts/dev-acme");
      const body = (await r.json()) as AccountView;
      return body.plays.find((p) => p.playbookId === "seat-upsell")?.waitingFor === "qbr.completed" ? body : undefined;
    }, "acme waiting for its QBR");
    expect(status.active?.playbookId).toBe("seat-upsell");
    expect(status.plays.map((p) => [p.playbookId, p.status])).toEqual([
      ["at-risk-retention", "detecting"],
      ["downsell-save", "detecting"],
      ["dsr-engagement-upsell", "detecting"],
      ["new-department-cross-sell", "detecting"],
      ["renewal-bundle", "detecting"],
      ["seat-upsell", "running"],
    ]);
  }, 90_000);

  it("rejects bad requests with a 4xx and a message, never a 500", async () => {
    const cases: [string, string, unknown, number, RegExp][] = [
      ["PUT", "/v1/accounts/x1", "{not json", 400, /not valid JSON/],
      ["PUT", "/v1/accounts/x1", { id: "x1", health_score: "high" }, 400, /invalid account/],
      ["PUT", "/v1/accounts/x1", { id: "x2" }, 400, /does not match/],
      ["PUT", "/v1/accounts/x1", { id: "x1", __proto__: { polluted: true }, now: 1 }, 400, /invalid account/],
      ["POST", "/v1/accounts/dev-acme/events", { id: "e", type: "NotAType" }, 400, /invalid event/],
      ["POST", "/v1/accounts/dev-acme/events", { type: "usage.updated" }, 400, /invalid event/],
      ["POST", "/v1/accounts/nobody/events", { id: "e", type: "usage.updated" }, 404, /unknown account/],
      ["GET", "/v1/accounts/nobody", undefined, 404, /unknown account/],
      ["DELETE", "/v1/accounts/dev-acme", undefined, 405, /use GET or PUT/],
      ["GET", "/v1/nothing", undefined, 404, /no route/],
      ["GET", "/v1/accounts/%2E%2E%2Fetc", undefined, 400, /account ids/],
    ];
    for (const [method, path, body, status, message] of cases) {
      const response = await request(method, path, body);
      expect(response.status, `${method} ${path}`).toBe(status);
      expect(((await response.json()) as { error: string }).error).toMatch(message);
    }
    const unsupported = await request("PUT", "/v1/accounts/x1", "id=x1", { "content-type": "text/plain" });
    expect(unsupported.status).toBe(415);
    const huge = await request(
      "PUT",
      "/v1/accounts/x1",
      JSON.stringify({ id: "x1", pad: "x".repeat(2 * 1024 * 1024) }),
    );
    expect(huge.status).toBe(413);
  });

  it("ingests the sample CRM export; a second run changes nothing and reports everything unchanged", async () => {
    const cli = (...args: string[]) => playloop("ingest", ...args);
    const accounts = ["playbooks/samples/crm-accounts.csv", "--mapping", "playbooks/samples/crm-mapping.yaml"];
    const first = await cli(...accounts);
    expect(first.stdout, first.stderr).toContain("crm-accounts.csv: accepted 5, unchanged 0, rejected 0");
    expect(first.code).toBe(0);
    const afterFirst = await settled("crm-001");
    const again = await cli(...accounts);
    expect(again.stdout).toContain("crm-accounts.csv: accepted 0, unchanged 5, rejected 0");
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(await (await request("GET", "/v1/accounts/crm-001")).json()).toEqual(afterFirst);

    const events = await cli("playbooks/samples/crm-events.ndjson");
    expect(events.stdout, events.stderr).toContain("crm-events.ndjson: accepted 4, unchanged 0, rejected 0");
    const before = await settled("crm-001");
    const eventsAgain = await cli("playbooks/samples/crm-events.ndjson");
    expect(eventsAgain.stdout).toContain("crm-events.ndjson: accepted 0, unchanged 4, rejected 0");
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(await (await request("GET", "/v1/accounts/crm-001")).json()).toEqual(before);
    expect((before as AccountView).plays).toHaveLength(6);
  }, 120_000);

  it("after ingesting the sample base with a year of dated history, reports its NRR and GRR and each play's funnel", async () => {
    const accounts = await playloop(
      "ingest",
      "playbooks/samples/year-accounts.csv",
      "--mapping",
      "playbooks/samples/crm-mapping.yaml",
    );
    expect(accounts.stdout, accounts.stderr).toContain("year-accounts.csv: accepted 40, unchanged 0, rejected 0");
    const history = readRepoFile("playbooks/samples/year-history.ndjson")
      .split("\n")
      .filter((line) => line !== "")
      .map((line) => JSON.parse(line) as { account: string; type: string; at: string; data: { arr?: number } });
    const events = await playloop("ingest", "playbooks/samples/year-history.ndjson");
    expect(events.stdout, events.stderr).toContain(`accepted ${history.length}, unchanged 0, rejected 0`);

    // The base worked out from the files: each account's ARR at a time is its latest dated value.
    const from = "2025-12-01T00:00:00.000Z";
    const to = "2026-12-01T00:00:00.000Z";
    const arrAt = (account: string, t: string): number | undefined =>
      history
        .filter((e) => e.account === account && e.at <= t && (e.type === "account.churned" || e.data.arr !== undefined))
        .map((e) => (e.type === "account.churned" ? 0 : (e.data.arr ?? 0)))
        .at(-1);
    const ids = [...new Set(history.map((e) => e.account))];
    const base = ids.flatMap((id) => {
      const start = arrAt(id, from) ?? 0;
      return start > 0 ? [{ start, end: arrAt(id, to) ?? 0 }] : [];
    });
    const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
    const starting = sum(base.map((a) => a.start));
    const contraction = sum(base.filter((a) => a.end > 0 && a.end < a.start).map((a) => a.start - a.end));
    const churned = sum(base.filter((a) => a.end === 0).map((a) => a.start));
    const expected = {
      accounts: base.length,
      starting_arr: starting,
      ending_arr: sum(base.map((a) => a.end)),
      expansion_arr: sum(base.filter((a) => a.end > a.start).map((a) => a.end - a.start)),
      contraction_arr: contraction,
      churned_arr: churned,
      nrr: sum(base.map((a) => a.end)) / starting,
      grr: (starting - contraction - churned) / starting,
    };
    expect(expected.churned_arr).toBeGreaterThan(0);
    expect(expected.contraction_arr).toBeGreaterThan(0);

    // Facts reach the database as the accounts take them in: ask until the base is complete.
    const query = `/v1/reports?from=2025-12-01&to=2026-12-01`;
    const report = await eventually(
      async () => {
        const body = (await (await request("GET", query)).json()) as RevenueReport;
        return body.base.accounts === expected.accounts && body.base.ending_arr === expected.ending_arr
          ? body
          : undefined;
      },
      "the year's facts in the report",
      60_000,
    );
    expect(report.base).toEqual({
      ...expected,
      nrr: expect.closeTo(expected.nrr, 12),
      grr: expect.closeTo(expected.grr, 12),
    });
    // Twelve months, 2025-12 first.
    expect(report.months.map((m) => m.month)).toEqual(
      Array.from({ length: 12 }, (_, i) => new Date(Date.UTC(2025, 11 + i, 1)).toISOString().slice(0, 7)),
    );
    expect(report.months.at(-1)?.nrr).toBeCloseTo(expected.nrr, 12);
    // The history's won deals came before any play proposed them: unattributed.
    const won = history.filter((e) => e.type === "deal.closed" && (e.data as { outcome?: string }).outcome === "won");
    expect(report.unattributed.won).toBe(won.length);

    // The CLI prints the same report from the API, and writes the HTML page.
    const html = join(mkdtempSync(join(tmpdir(), "playloop-report-")), "report.html");
    const printed = await playloop("report", "--from", "2025-12-01", "--to", "2026-12-01", "--html", html);
    expect(printed.code, printed.stderr).toBe(0);
    expect(printed.stdout).toContain(`Base: ${expected.accounts} accounts paying on 2025-12-01`);
    expect(printed.stdout).toContain(
      `NRR ${(expected.nrr * 100).toFixed(1)}%   GRR ${(expected.grr * 100).toFixed(1)}%`,
    );
    expect(readFileSync(html, "utf8")).toContain('data-chart="months"');
    const bad = await playloop("report", "--from", "2026-13-01");
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--from "2026-13-01"');
  }, 180_000);

  it("rejects malformed export lines with their line numbers and ingests the rest", async () => {
    const summary = await ingest({
      file: join(ROOT, "test/fixtures/ingest/accounts-with-errors.ndjson"),
      accounts: new AccountClient(env.client, TASK_QUEUE),
      concurrency: 4,
    });
    expect(summary.accepted).toBe(3);
    expect(summary.rejected.map((r) => r.line)).toEqual([2, 3, 4, 6]);
    expect(summary.rejected[0]?.reason).toMatch(/health_score/);
    expect(summary.rejected[1]?.reason).toMatch(/not valid JSON/);
    expect(summary.rejected[2]?.reason).toMatch(/missing required key `id`/);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const events = await ingest({
      file: join(ROOT, "playbooks/samples/crm-events.ndjson"),
      accounts: new AccountClient(env.client, TASK_QUEUE),
      kind: "events",
    });
    expect(events.accepted + events.unchanged).toBe(4);
    const csv = await ingest({
      file: join(ROOT, "test/fixtures/ingest/broken.csv"),
      accounts: new AccountClient(env.client, TASK_QUEUE),
    });
    expect(csv.accepted).toBe(1);
    expect(csv.rejected).toEqual([{ line: 4, reason: expect.stringMatching(/Quote Not Closed/) }]);
  }, 60_000);

  it("keeps an account's plays and seen event ids across continue-as-new", async () => {
    const acme = {
      ...(JSON.parse(readRepoFile("playbooks/samples/acme.json")) as Record<string, unknown>),
      id: "long-1",
    } as AccountSnapshot;
    const handle = await startWithHistoryLimit(acme, 40);
    const firstRun = (await handle.describe()).runId;
    for (let i = 0; i < 30; i++)
      await handle.executeUpdate(eventUpdate, { args: [{ id: `note-${i}`, type: "note.added", data: { i } }] });
    const latest = env.client.workflow.getHandle(accountWorkflowId("long-1"));
    await eventually(async () => ((await latest.describe()).runId !== firstRun ? true : undefined), "continue-as-new");
    await latest.executeUpdate(eventUpdate, {
      args: [{ id: "u1", type: "usage.updated", data: { usage: { seat_utilization: 0.95 } } }],
    });
    const waiting = await eventually(async () => {
      const s = await latest.query(stateQuery);
      return s.plays.find((p) => p.playbookId === "seat-upsell")?.waitingFor === "qbr.completed" ? s : undefined;
    }, "seat-upsell to reach its QBR wait");
    expect(waiting.plays.find((p) => p.playbookId === "seat-upsell")?.decisions.map((d) => d.reason)).toContain(
      "trigger capacity",
    );
    // Ids seen before and after continue-as-new are both repeats.
    expect(await latest.executeUpdate(eventUpdate, { args: [{ id: "note-0", type: "note.added" }] })).toEqual({
      duplicate: true,
    });
    expect(await latest.executeUpdate(eventUpdate, { args: [{ id: "u1", type: "usage.updated" }] })).toEqual({
      duplicate: true,
    });
  }, 90_000);

  it("loses and duplicates nothing when a worker process is killed mid-play and restarted", async () => {
    const log = actionLog();
    const queue = "playloop-restart-test";
    const folder = playbookFolder({ "restart-demo.yaml": readRepoFile("test/fixtures/journeys/restart-demo.yaml") });
    const first = await startWorkerProcess(queue, folder, log.path);
    const accounts = new AccountClient(env.client, queue);
    const acme = JSON.parse(readRepoFile("playbooks/samples/acme.json")) as AccountSnapshot;
    await accounts.upsertAccount(acme);
    await eventually(async () => (log.read().length === 1 ? true : undefined), "the first action");
    first.kill("SIGKILL");
    await new Promise((resolve) => first.once("exit", resolve));
    // An event sent while no worker runs is an update that completes once a worker is back.
    const sending = accounts.sendEvent(acme.id, { id: "go", type: "demo.continue" });
    await startWorkerProcess(queue, folder, log.path);
    expect(await sending).toEqual({ duplicate: false });
    const done = await eventually(
      async () => {
        const p = (await accounts.status(acme.id)).plays[0];
        return p?.status === "ended" ? p : undefined;
      },
      "the play to end",
      60_000,
    );
    expect(done.outcome).toBe("done");
    // The play ends as its last action is handed to delivery, which may still be under way.
    await eventually(async () => (log.read().length >= 2 ? true : undefined), "the second action");
    expect(log.read().map((e) => e.id)).toEqual([
      "restart-demo:acme:0:orchestrate.1",
      "restart-demo:acme:0:orchestrate.3",
    ]);
  }, 180_000);

  it("moves accounts forward only, through a rolling restart of workers with different folders on one task queue", async () => {
    const queue = "playloop-rolling-test";
    const seatUpsell = readRepoFile("playbooks/seat-upsell.yaml");
    const oldFolder = playbookFolder({ "seat-upsell.yaml": seatUpsell });
    const newFolder = playbookFolder({
      "seat-upsell.yaml": seatUpsell.replace("template: capacity-insight", "template: capacity-insight-v2"),
    });
    const v1 = PlanRegistry.fromFolder(oldFolder).set.versions["seat-upsell"] ?? "";
    const v2 = PlanRegistry.fromFolder(newFolder).set.versions["seat-upsell"] ?? "";
    const old = await startWorkerProcess(queue, oldFolder, actionLog().path);
    const accounts = new AccountClient(env.client, queue);
    const ids = ["roll-a", "roll-b", "roll-c", "roll-d"];
    const base = JSON.parse(readRepoFile("playbooks/samples/acme.json")) as Record<string, unknown>;
    for (const id of ids) await accounts.upsertAccount({ ...base, id } as AccountSnapshot);
    const seen = new Map<string, string[]>(ids.map((id) => [id, []]));
    const round = async (n: number): Promise<void> => {
      for (const id of ids) {
        await accounts.sendEvent(id, { id: `note-${n}`, type: "note.added" });
        seen.get(id)?.push((await accounts.status(id)).planSet["seat-upsell"] ?? "");
      }
    };
    await round(0);
    // The new worker starts beside the old one and announces its set. The old worker, which has
    // the accounts cached, answers their tasks and serves its older set: they stay where they are.
    const next = await startWorkerProcess(queue, newFolder, actionLog().path);
    await round(1);
    await round(2);
    // The old worker goes (the end of the rolling restart): the next input moves each account on.
    old.kill("SIGKILL");
    await new Promise((resolve) => old.once("exit", resolve));
    await round(3);
    await round(4);
    for (const [id, versions] of seen) {
      expect(versions[0], id).toBe(v1);
      expect(versions.at(-1), id).toBe(v2);
      const first = versions.indexOf(v2);
      expect(
        versions.slice(first).every((v) => v === v2),
        `${id}: ${versions.join(" ")}`,
      ).toBe(true);
    }
    next.kill("SIGTERM");
  }, 180_000);

  it("takes an edited playbook to accounts that existed before, while running and across a restart, and starts a new playbook for them", async () => {
    const log = actionLog();
    const queue = "playloop-edit-test";
    const seatUpsell = readRepoFile("playbooks/seat-upsell.yaml");
    const folder = playbookFolder({ "seat-upsell.yaml": seatUpsell });
    let worker = await startWorkerProcess(queue, folder, log.path);
    const accounts = new AccountClient(env.client, queue);
    const base = {
      ...(JSON.parse(readRepoFile("playbooks/samples/acme.json")) as Record<string, unknown>),
      onboarded_at: day(Date.now(), -174),
      renewal_date: day(Date.now(), 200),
    };
    const ids = ["edit-a", "edit-b"];
    for (const id of ids) await accounts.upsertAccount({ ...base, id } as AccountSnapshot);
    const before = (await accounts.status("edit-a")).plays[0]?.version;
    // Each edit renames the template of the in-app prompt the account's variant gets.
    const [promptA, promptB] = [capacityPrompt("edit-a").template, capacityPrompt("edit-b").template];

    // Edited while the worker runs: the worker watches the folder and announces the new set to
    // every account with a batch operation; both accounts move to it without any input.
    writeFileSync(
      join(folder, "seat-upsell.yaml"),
      seatUpsell.replace(`template: ${promptA}`, `template: ${promptA}-v2`),
    );
    for (const id of ids)
      await eventually(async () => {
        const status = await accounts.status(id);
        return status.plays[0]?.version !== before && status.plays[0]?.status === "detecting" ? true : undefined;
      }, `${id} to take the edited playbook`);
    await accounts.sendEvent("edit-a", {
      id: "u1",
      type: "usage.updated",
      data: { usage: { seat_utilization: 0.92 } },
    });
    const prompt = await eventually(async () => log.read().find((e) => e.subject === "edit-a"), "edit-a's prompt");
    expect(prompt.data).toMatchObject({ template: `${promptA}-v2` });
    expect((prompt.data.playbook as { version: string }).version).not.toBe(before);

    // Edited while the worker is stopped, and a playbook added: both reach edit-b after the restart.
    worker.kill("SIGTERM");
    await new Promise((resolve) => worker.once("exit", resolve));
    writeFileSync(
      join(folder, "seat-upsell.yaml"),
      seatUpsell.replace(`template: ${promptB}`, `template: ${promptB}-v3`),
    );
    writeFileSync(join(folder, "offer-later.yaml"), readRepoFile("test/fixtures/journeys/offer-later.yaml"));
    worker = await startWorkerProcess(queue, folder, log.path);
    // The API of `playloop dev` reads the same folder: its updates carry the set it knows.
    const api = new AccountClient(env.client, queue, () => PlanRegistry.fromFolder(folder).set);
    await api.sendEvent("edit-b", {
      id: "u1",
      type: "usage.updated",
      data: { usage: { seat_utilization: 0.92 } },
    });
    const second = await eventually(async () => log.read().find((e) => e.subject === "edit-b"), "edit-b's prompt");
    expect(second.data).toMatchObject({ template: `${promptB}-v3` });
    const status = await accounts.status("edit-b");
    expect(status.plays.map((p) => p.playbookId)).toEqual(["offer-later", "seat-upsell"]);
    expect(status.plays[0]?.status).toBe("detecting");
    worker.kill("SIGTERM");
  }, 180_000);
});
