// The HTTP API lets no one in who does not belong: bearer tokens on a real API server (port 0)
// over a worker on the time-skipping test server, the CLI's hints, and where the tokens come from.
import { spawn, spawnSync } from "node:child_process";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import type { TestWorkflowEnvironment } from "@temporalio/testing";
import type { Worker } from "@temporalio/worker";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AccountView } from "../../engine/journey/account-view.js";
import { AccountClient } from "../../engine/runtime/account-client.js";
import { createApiServer } from "../../engine/runtime/http-api.js";
import { isLoopback } from "../../engine/runtime/is-loopback.js";
import { createLogger } from "../../engine/runtime/logger.js";
import { resolveApiTokens } from "../../engine/runtime/resolve-api-tokens.js";
import { ROOT } from "../helpers.js";
import { account, accountWorker, actionLog, plan, timeSkippingEnv } from "../workflows/harness.js";

const READ_WRITE = "auth-test-read-write-token-0123456789";
const READ_ONLY = "auth-test-read-only-token-0123456789";
const CLI = join(ROOT, "dist/engine/cli/main.js");

let env: TestWorkflowEnvironment;
let worker: Worker;
let running: Promise<void>;
let api: Server;
let apiUrl: string;

function request(method: string, path: string, authorization?: string, body?: unknown): Promise<Response> {
  return fetch(`${apiUrl}${path}`, {
    method,
    headers: {
      ...(authorization === undefined ? {} : { authorization }),
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

/** Runs the CLI without blocking this process, which serves the API the CLI calls. */
function playloop(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: ROOT,
    env: { ...process.env, PLAYLOOP_API_TOKEN: "", PLAYLOOP_API_URL: apiUrl, ...env },
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.once("close", (code) => resolve({ code, stdout, stderr })));
}

beforeAll(async () => {
  env = await timeSkippingEnv();
  const started = await accountWorker(env, [actionLog().sink], [plan("seat-upsell")]);
  worker = started.worker;
  running = worker.run();
  api = createApiServer({
    accounts: new AccountClient(env.client, started.taskQueue),
    logger: createLogger(),
    ready: async () => true,
    tokens: { readWrite: READ_WRITE, readOnly: READ_ONLY },
  });
  await new Promise<void>((resolve) => api.listen(0, "127.0.0.1", resolve));
  apiUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
}, 60_000);

afterAll(async () => {
  await new Promise((resolve) => api?.close(resolve));
  if (worker?.getState() === "RUNNING") worker.shutdown();
  await running;
  await env?.teardown();
}, 60_000);

describe("the HTTP API's bearer tokens", () => {
  it("answers GET /healthz without a token", async () => {
    const response = await request("GET", "/healthz");
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: "ok" });
  });

  it("answers 401 with a Bearer challenge and a JSON error to a request without a token", async () => {
    for (const [method, path] of [
      ["GET", "/v1/accounts/auth-1"],
      ["PUT", "/v1/accounts/auth-1"],
      ["POST", "/v1/accounts/auth-1/events"],
      ["GET", "/v1/no-such-route"], // routes are not revealed to strangers either
      ["POST", "/healthz"],
    ] as const) {
      const response = await request(method, path, undefined, method === "GET" ? undefined : {});
      expect(response.status, `${method} ${path}`).toBe(401);
      expect(response.headers.get("www-authenticate")).toBe('Bearer realm="playloop"');
      expect(await response.json()).toEqual({ error: "send Authorization: Bearer <token> (PLAYLOOP_API_TOKEN)" });
    }
  });

  it("answers 401 to a wrong token, a cut or lengthened one, and another scheme", async () => {
    for (const authorization of [
      "Bearer not-the-token-at-all-0123456789",
      `Bearer ${READ_WRITE.slice(0, -1)}`,
      `Bearer ${READ_WRITE}x`,
      `Bearer ${READ_WRITE} ${READ_WRITE}`,
      `Basic ${Buffer.from(`user:${READ_WRITE}`).toString("base64")}`,
      READ_WRITE,
    ]) {
      const response = await request("GET", "/v1/accounts/auth-1", authorization);
      expect(response.status, authorization).toBe(401);
      expect(response.headers.get("www-authenticate")).toBe('Bearer realm="playloop", error="invalid_token"');
      expect(await response.json()).toEqual({ error: "the bearer token is not one of the API's tokens" });
    }
  });

  it("lets the read-write token PUT, POST and GET (the scheme in any case), and the read-only token GET", async () => {
    const snapshot = account("auth-1", Date.now());
    const put = await request("PUT", "/v1/accounts/auth-1", `Bearer ${READ_WRITE}`, snapshot);
    expect(put.status).toBe(200);
    expect(await put.json()).toEqual({ id: "auth-1", changed: true });
    const event = { id: "auth-event-1", type: "usage.updated", data: { usage: { seat_utilization: 0.5 } } };
    const post = await request("POST", "/v1/accounts/auth-1/events", `bearer ${READ_WRITE}`, event);
    expect(post.status).toBe(202);
    for (const token of [READ_WRITE, READ_ONLY]) {
      const get = await request("GET", "/v1/accounts/auth-1", `Bearer ${token}`);
      expect(get.status).toBe(200);
      expect(((await get.json()) as AccountView).plays.map((p) => p.playbookId)).toEqual(["seat-upsell"]);
    }
  });

  it("answers 403 when the read-only token writes, and never lets the write through", async () => {
    const writes: [string, string, unknown][] = [
      ["PUT", "/v1/accounts/auth-2", account("auth-2", Date.now())],
      ["POST", "/v1/accounts/auth-1/events", { id: "auth-event-2", type: "usage.updated", data: {} }],
      ["DELETE", "/v1/accounts/auth-1", undefined],
    ];
    for (const [method, path, body] of writes) {
      const response = await request(method, path, `Bearer ${READ_ONLY}`, body);
      expect(response.status, method).toBe(403);
      expect(response.headers.get("www-authenticate")).toBe('Bearer realm="playloop", error="insufficient_scope"');
      expect(await response.json()).toEqual({
        error: `the read-only token (PLAYLOOP_API_READ_TOKEN) may not ${method}; use PLAYLOOP_API_TOKEN`,
      });
    }
    expect((await request("GET", "/v1/accounts/auth-2", `Bearer ${READ_ONLY}`)).status).toBe(404);
  });
});

describe("the CLI's token", () => {
  it("sends PLAYLOOP_API_TOKEN, and says what to do about a 401 or a 403", async () => {
    const status = await playloop(["status", "auth-1", "--json"], { PLAYLOOP_API_TOKEN: READ_ONLY });
    expect(status.code).toBe(0);
    expect((JSON.parse(status.stdout) as AccountView).plays.map((p) => p.playbookId)).toEqual(["seat-upsell"]);

    const none = await playloop(["status", "auth-1"], {});
    expect(none.code).toBe(1);
    expect(none.stderr).toContain("set PLAYLOOP_API_TOKEN to the token `playloop dev` printed");

    const wrong = await playloop(["status", "auth-1"], { PLAYLOOP_API_TOKEN: "an-old-dev-token-0123456789" });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain("the API refused PLAYLOOP_API_TOKEN");

    const write = await playloop(["event", "auth-1", "usage.updated"], { PLAYLOOP_API_TOKEN: READ_ONLY });
    expect(write.code).toBe(1);
    expect(write.stderr).toContain("PLAYLOOP_API_TOKEN holds the read-only token");
  });
});

describe("where the API's tokens and address come from", () => {
  it("`playloop serve` refuses to start without PLAYLOOP_API_TOKEN", () => {
    const result = spawnSync(process.execPath, [CLI, "serve"], {
      cwd: ROOT,
      encoding: "utf8",
      timeout: 10_000,
      env: { ...process.env, PLAYLOOP_API_TOKEN: "", TEMPORAL_ADDRESS: "127.0.0.1:1" },
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("PLAYLOOP_API_TOKEN is not set: `playloop serve` answers every request");
  });

  it("`playloop dev` makes a random token when none is set, and takes the one that is", () => {
    const first = resolveApiTokens({}, "dev");
    const second = resolveApiTokens({}, "dev");
    expect(first.generated).toBe(true);
    expect(first.tokens.readWrite).toMatch(/^[A-Za-z0-9_-]{43}$/); // 32 random bytes, base64url
    expect(second.tokens.readWrite).not.toBe(first.tokens.readWrite);
    expect(resolveApiTokens({ apiToken: READ_WRITE, apiReadToken: READ_ONLY }, "dev")).toEqual({
      tokens: { readWrite: READ_WRITE, readOnly: READ_ONLY },
      generated: false,
    });
  });

  it.each([
    ["127.0.0.1", true],
    ["127.10.20.30", true],
    ["::1", true],
    ["0:0:0:0:0:0:0:1", true],
    ["::ffff:127.0.0.1", true],
    ["localhost", true],
    ["LOCALHOST", true],
    ["0.0.0.0", false],
    ["::", false],
    ["10.0.0.5", false],
    ["128.0.0.1", false],
    ["::ffff:10.0.0.5", false],
    ["api.example.com", false],
  ])("takes %s as loopback: %s", (host, loopback) => {
    expect(isLoopback(host)).toBe(loopback);
  });
});
