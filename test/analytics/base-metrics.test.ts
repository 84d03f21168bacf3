// NRR, GRR, expansion, contraction and churn of a small base, against values worked out by hand:
// the facts come from the journey core (snapshots and dated CRM updates), the metrics from the
// macros of reports/*.sql in an in-memory DuckDB.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FactStore } from "../../engine/analytics/fact-store.js";
import { baseMetrics, revenueReport } from "../../engine/analytics/revenue-report.js";
import type { Fact } from "../../engine/journey/account-facts.js";
import type { CoreCommand } from "../../engine/journey/core-types.js";
import { CoreHarness, sampleAccount } from "../journey/core-harness.js";

const FROM = "2026-01-01T00:00:00.000Z";
const TO = "2027-01-01T00:00:00.000Z";

const factsOf = (commands: readonly CoreCommand[]): Fact[] =>
  commands.flatMap((command) => (command.kind === "facts" ? command.facts : []));

/**
 * One account's history: first seen on `first` with `arr`, then dated CRM updates (backfilled
 * after the snapshot, so the snapshot keeps today's value while the facts keep each date).
 */
function history(id: string, first: string, arr: number, updates: [string, string, number?][]): Fact[] {
  const runner = new CoreHarness({ plans: [], account: sampleAccount(id, { arr }), start: Date.parse(first) });
  const facts = factsOf(runner.log.map((entry) => entry.command));
  for (const [at, type, value] of updates)
    facts.push(
      ...factsOf(
        runner.send({
          kind: "event",
          event: { id: `${id}-${at}`, type, at, ...(value === undefined ? {} : { data: { arr: value } }) },
        }),
      ),
    );
  return facts;
}

describe("base metrics", () => {
  let store: FactStore;
  beforeAll(async () => {
    store = await FactStore.open(":memory:");
    const facts = [
      // A: 100 -> 150 in June: expansion 50.
      ...history("acct-a", "2025-12-01T00:00:00Z", 100, [["2026-06-15T00:00:00Z", "account.updated", 150]]),
      // B: 200 -> 120 in March: contraction 80.
      ...history("acct-b", "2025-11-01T00:00:00Z", 200, [["2026-03-01T00:00:00Z", "account.updated", 120]]),
      // C: 50, churned in May: churned 50.
      ...history("acct-c", "2025-10-01T00:00:00Z", 50, [["2026-05-01T00:00:00Z", "account.churned"]]),
      // D: 80 all year.
      ...history("acct-d", "2025-12-15T00:00:00Z", 80, []),
      // E: first paying in February: not in the base.
      ...history("acct-e", "2026-02-01T00:00:00Z", 300, []),
      // F: 0 at the start: not in the base, even though it pays later.
      ...history("acct-f", "2025-12-01T00:00:00Z", 0, [["2026-04-01T00:00:00Z", "account.updated", 40]]),
      // G: 60 -> 90 in December 2026 -> back to 60 after the period: expansion 30 within it.
      ...history("acct-g", "2025-12-01T00:00:00Z", 60, [
        ["2026-12-01T00:00:00Z", "account.updated", 90],
        ["2027-02-01T00:00:00Z", "account.updated", 60],
      ]),
    ];
    expect(await store.record(facts)).toBe(facts.length);
    // Sent again (a retried activity): nothing is stored twice.
    expect(await store.record(facts)).toBe(0);
  });
  afterAll(() => store.close());

  it("computes the base's retention as worked out by hand", async () => {
    // starting = 100 + 200 + 50 + 80 + 60 = 490; ending = 150 + 120 + 0 + 80 + 90 = 440
    const base = await baseMetrics(store, FROM, TO);
    expect(base).toMatchObject({
      accounts: 5,
      starting_arr: 490,
      ending_arr: 440,
      expansion_arr: 80,
      contraction_arr: 80,
      churned_arr: 50,
    });
    expect(base.nrr).toBeCloseTo(440 / 490, 10);
    expect(base.grr).toBeCloseTo((490 - 80 - 50) / 490, 10);
  });

  it("takes the ARR at a time as the latest value at or before it", async () => {
    // At the end of March: A 100, B 120, C 50, D 80, G 60.
    const march = await baseMetrics(store, FROM, "2026-04-01T00:00:00.000Z");
    expect(march).toMatchObject({ starting_arr: 490, ending_arr: 410, contraction_arr: 80, churned_arr: 0 });
  });

  it("keeps the snapshot's ARR when a backfilled update is older than it", async () => {
    const runner = new CoreHarness({
      plans: [],
      account: sampleAccount("acct-x", { arr: 500 }),
      start: Date.parse("2026-12-01T00:00:00Z"),
    });
    const facts = factsOf(
      runner.send({
        kind: "event",
        event: { id: "x-1", type: "account.updated", at: "2026-02-01T00:00:00Z", data: { arr: 300 } },
      }),
    );
    expect(runner.state.account.arr).toBe(500);
    expect(facts).toEqual([
      expect.objectContaining({
        type: "arr.observed",
        at: "2026-02-01T00:00:00.000Z",
        data: { arr: 300, before: 500 },
      }),
    ]);
  });

  it("reports NRR and GRR by month and the base in the full report", async () => {
    const report = await revenueReport(store, { from: FROM, to: TO });
    // Twelve months, 2026-01 first.
    expect(report.months.map((m) => m.month)).toEqual(
      Array.from({ length: 12 }, (_, i) => new Date(Date.UTC(2026, 0 + i, 1)).toISOString().slice(0, 7)),
    );
    expect(report.months[0]).toEqual({ month: "2026-01", nrr: 1, grr: 1 });
    // By the end of May: B contracted (80) and C churned (50).
    expect(report.months[4]?.nrr).toBeCloseTo(360 / 490, 10);
    expect(report.months[4]?.grr).toBeCloseTo(360 / 490, 10);
    expect(report.months.at(-1)?.nrr).toBeCloseTo(440 / 490, 10);
    expect(report.base.nrr).toBeCloseTo(440 / 490, 10);
    expect(report.plays).toEqual([]);
  });
});
