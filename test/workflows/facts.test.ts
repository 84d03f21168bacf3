// Facts on the real account workflow (time-skipping server): the core's facts reach the analytics
// database through the recordFacts activity, once each, even when the first write fails and
// Temporal retries it; the report then counts the play's funnel from them.
import type { TestWorkflowEnvironment } from "@temporalio/testing";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { FactStore } from "../../engine/analytics/fact-store.js";
import { revenueReport } from "../../engine/analytics/revenue-report.js";
import type { Fact } from "../../engine/journey/account-facts.js";
import type { FactSink } from "../../engine/runtime/activities.js";
import {
  DAY,
  account,
  day,
  plan,
  recordHistory,
  terminateStarted,
  timeSkippingEnv,
  withAccountWorker,
} from "./harness.js";

let env: TestWorkflowEnvironment;
let store: FactStore;

beforeAll(async () => {
  env = await timeSkippingEnv();
  store = await FactStore.open(":memory:");
}, 60_000);

afterEach(() => terminateStarted(env));

afterAll(async () => {
  store?.close();
  await env?.teardown();
});

/** The store, failing its first write (as a locked file would): the activity is retried. */
function flakyStore(): FactSink & { sent: Fact[]; failures: number } {
  const sink = {
    sent: [] as Fact[],
    failures: 0,
    async record(facts: readonly Fact[]): Promise<number> {
      sink.sent.push(...facts);
      if (sink.failures === 0) {
        sink.failures++;
        throw new Error("database is locked");
      }
      return store.record(facts);
    },
  };
  return sink;
}

describe("facts from the account workflow", () => {
  it("stores each fact of a play from entry to a won deal once, and the report counts its funnel", async () => {
    const sink = flakyStore();
    await withAccountWorker(
      env,
      [plan("renewal-bundle")],
      async ({ accounts, now, start, log }) => {
        const handle = await start(account("facts-1", now, { renewal_date: day(now, 80), arr: 20000 }));
        await env.sleep(DAY);
        await accounts.sendEvent("facts-1", { id: "qbr-1", type: "qbr.completed", data: { outcome: "positive" } });
        await env.sleep(DAY);
        expect(
          log
            .read()
            .map((e) => e.id)
            .at(-1),
        ).toBe("renewal-bundle:facts-1:0:commit.1");
        const wonAt = new Date(now + 10 * DAY).toISOString();
        // The CRM renews the contract (ARR and the next renewal date), then closes the deal.
        await accounts.sendEvent("facts-1", {
          id: "arr-1",
          type: "account.updated",
          at: wonAt,
          data: { arr: 37000, renewal_date: day(now, 445) },
        });
        await accounts.sendEvent("facts-1", {
          id: "deal-1",
          type: "deal.closed",
          at: wonAt,
          data: { outcome: "won", amount: 17000, sku: "analytics" },
        });
        await env.sleep(DAY);
        await recordHistory(handle, "facts-recorded");

        const rows = await store.query(
          "SELECT id, type, playbook, holdout, data FROM facts WHERE account = 'facts-1' ORDER BY occurred_at, id",
        );
        // Each fact once, though the first batch was written twice (once failing).
        expect(sink.failures).toBe(1);
        expect(new Set(sink.sent.map((f) => f.id)).size).toBe(rows.length);
        expect(sink.sent.length).toBeGreaterThan(rows.length);
        const types = rows.map((r) => `${String(r.type)}${r.playbook === null ? "" : ` ${String(r.playbook)}`}`);
        expect(types.filter((t) => t === "play.entered renewal-bundle")).toHaveLength(1);
        expect(types.filter((t) => t === "play.ended renewal-bundle")).toHaveLength(1);
        expect(types.filter((t) => t === "play.engaged renewal-bundle")).toHaveLength(1);
        expect(types.filter((t) => t === "offer.proposed renewal-bundle")).toHaveLength(1);
        expect(types.filter((t) => t === "deal.closed renewal-bundle")).toHaveLength(1);
        const arr = rows
          .filter((r) => r.type === "arr.observed")
          .map((r) => (JSON.parse(String(r.data)) as { arr: number }).arr);
        expect(arr).toEqual([20000, 37000]);
        expect(rows.find((r) => r.type === "play.entered")?.holdout).toBe(false);

        const report = await revenueReport(store, {
          from: new Date(now - DAY).toISOString(),
          to: new Date(now + 30 * DAY).toISOString(),
        });
        const play = report.plays.find((p) => p.playbook === "renewal-bundle");
        expect(play?.funnel).toEqual({ identified: 1, engaged: 1, proposed: 1, won: 1, lost: 0 });
        expect(play?.expansion_arr).toBe(17000);
      },
      undefined,
      sink,
    );
  });
});
