// Actions routed by destinations.yaml in the real account workflow, on the time-skipping test
// server: each lands at the destination its kind or channel routes to, signed with that
// destination's own secret, and a failing destination holds up neither another nor itself twice.
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ActionEvent } from "../../engine/journey/action-event.js";
import { accountWorkflowId } from "../../engine/messages/account-messages.js";
import { AccountClient } from "../../engine/runtime/account-client.js";
import { PlanRegistry } from "../../engine/runtime/plan-registry.js";
import { destinationSinks } from "../../engine/runtime/sinks-from-config.js";
import { verifySignature, webhookKey } from "../../engine/runtime/webhook-signature.js";
import { createJourneyWorker } from "../../engine/runtime/worker.js";
import { validateDestinations } from "../../engine/validate/validate-destinations.js";
import { DEFAULT_POLICY } from "../../engine/validate/validate-policy.js";
import { readRepoFile } from "../helpers.js";
import { account, actionLog, DAY, play, plan, recordHistory, useTimeSkippingEnv, workflowBundle } from "./harness.js";

const testEnv = useTimeSkippingEnv();

/** A webhook receiver that answers each request with the next status of `statuses` (204 after). */
interface Receiver {
  readonly url: string;
  readonly requests: { readonly id: string; readonly headers: Record<string, unknown>; readonly body: string }[];
  readonly statuses: number[];
  readonly server: Server;
}

/** Every request any receiver got, in arrival order, as `<name> <status> <action>`. */
const arrivals: string[] = [];

async function receiver(name: string): Promise<Receiver> {
  const requests: Receiver["requests"] = [];
  const statuses: number[] = [];
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString()));
    req.on("end", () => {
      const status = statuses.shift() ?? 204;
      requests.push({ id: String(req.headers["webhook-id"]), headers: req.headers, body });
      arrivals.push(`${name} ${status} ${(JSON.parse(body) as ActionEvent).data.action as string}`);
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`, requests, statuses, server };
}

const secret = (fill: number) => `whsec_${Buffer.alloc(32, fill).toString("base64")}`;
const signedWith = (key: string, request: Receiver["requests"][number]) =>
  verifySignature(
    webhookKey(key),
    request.id,
    Number(request.headers["webhook-timestamp"]),
    request.body,
    String(request.headers["webhook-signature"]),
  );

describe("actions routed to their destinations", () => {
  let crm: Receiver;
  let esp: Receiver;
  beforeAll(async () => {
    [crm, esp] = await Promise.all([receiver("crm"), receiver("esp")]);
  });
  afterAll(async () => {
    await Promise.all([crm, esp].map((r) => new Promise((resolve) => r.server.close(resolve))));
  });

  it("lands each action where its kind or channel routes it, signed with that destination's secret", async () => {
    const env = testEnv();
    const { routing } = validateDestinations(readRepoFile("test/fixtures/destinations/destinations.yaml"));
    if (routing === undefined) throw new Error("the destinations fixture does not validate");
    const dataDir = mkdtempSync(join(tmpdir(), "playloop-routed-"));
    const variables = {
      TEST_CRM_URL: crm.url,
      TEST_CRM_SECRET: secret(1),
      TEST_ESP_URL: esp.url,
      TEST_ESP_SECRET: secret(2),
    };
    // The ESP fails its first four requests: the first delivery attempt's three tries, and one retry.
    esp.statuses.push(503, 503, 503, 500);
    const log = actionLog();
    const taskQueue = `routed-${process.pid}`;
    const registry = new PlanRegistry([plan("routed-play")], { ...DEFAULT_POLICY, routing }, 1);
    const worker = await createJourneyWorker({
      connection: env.nativeConnection,
      taskQueue,
      sinks: [log.sink],
      destinationSink: destinationSinks({ dataDir }, variables),
      plans: registry,
      workflowBundle: workflowBundle(),
    });
    const accounts = new AccountClient(env.client, taskQueue);
    await worker.runUntil(async () => {
      const now = await env.currentTimeMs();
      await accounts.upsertAccount(account("routed", now));
      await accounts.sendEvent("routed", {
        id: "u1",
        type: "usage.updated",
        data: { usage: { seat_utilization: 0.9 } },
      });
      const handle = env.client.workflow.getHandle(accountWorkflowId("routed"));
      // Until the ESP takes the email after its retries; each wait lets workflow time pass.
      for (let i = 0; i < 30 && !esp.requests.some((_, n) => n >= 4); i++) await env.sleep(DAY / 24);
      for (let i = 0; i < 30 && (await play(handle, "routed-play")).status !== "ended"; i++) await env.sleep(DAY / 24);
      const decisions = (await play(handle, "routed-play")).decisions.map((d) => d.reason);
      await recordHistory(handle, "routed-to-destinations");

      // crm.task goes to the CRM and to `default` (the action log); the email only to the ESP.
      expect(crm.requests.map((r) => (JSON.parse(r.body) as ActionEvent).data.action)).toEqual(["crm.task"]);
      expect(signedWith(secret(1), crm.requests[0]!)).toBe(true);
      expect(signedWith(secret(2), crm.requests[0]!)).toBe(false);
      const emails = esp.requests.map((r) => JSON.parse(r.body) as ActionEvent);
      expect(emails.map((e) => e.data.action)).toEqual(Array(5).fill("email.send"));
      // Every retry carries the same webhook-id, so the receiver can tell it got the same action.
      expect(new Set(esp.requests.map((r) => r.id))).toEqual(new Set([emails[0]!.id]));
      expect(esp.requests.every((r) => signedWith(secret(2), r))).toBe(true);
      // The CRM had its task while the ESP was still failing: one destination does not hold up another.
      expect(arrivals.indexOf("crm 204 crm.task")).toBeLessThan(arrivals.indexOf("esp 204 email.send"));

      // The in-app prompt (channel in_app) lands in the product destination's file, in the data folder.
      const product = join(dataDir, "routed/in-app.ndjson");
      expect(existsSync(product)).toBe(true);
      const prompts = readFileSync(product, "utf8")
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line) as ActionEvent);
      expect(prompts.map((e) => e.data.action)).toEqual(["inapp.prompt"]);
      // The action log (`default`) has the crm.task routed there too and the unrouted ROI snapshot.
      expect(log.read().map((e) => e.data.action)).toEqual(["crm.task", "report.roi_snapshot"]);

      // Each delivery is a decision naming where it went.
      expect(decisions).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^email\.send delivered to esp as routed-play:routed:0:orchestrate\.1$/),
          expect.stringMatching(/^crm\.task delivered to crm as /),
          expect.stringMatching(/^crm\.task delivered to default as /),
          expect.stringMatching(/^inapp\.prompt delivered to product as /),
          expect.stringMatching(/^report\.roi_snapshot delivered as /),
        ]),
      );
    });
  });
});
