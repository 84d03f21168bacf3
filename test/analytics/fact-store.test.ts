// The fact store commits the calls that arrive together in one transaction (a worker storing many
// accounts' facts at once), and still answers each call with how many of its own facts were new:
// a fact sent twice is stored once, and a call with a bad fact fails alone.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FactStore } from "../../engine/analytics/fact-store.js";
import type { Fact } from "../../engine/journey/account-facts.js";

const arr = (account: string, n: number): Fact => ({
  id: `${account}:arr:${n}`,
  type: "arr.observed",
  account,
  at: `2026-0${n}-01T00:00:00.000Z`,
  data: { arr: 100 * n },
});

describe("FactStore.record", () => {
  let store: FactStore;
  beforeEach(async () => {
    store = await FactStore.open(":memory:");
  });
  afterEach(() => store.close());

  it("answers each of many concurrent calls with its own new facts, each fact stored once", async () => {
    const calls = Array.from({ length: 50 }, (_, i) => [arr(`acct-${i}`, 1), arr(`acct-${i}`, 2)]);
    // acct-0's first fact again, in a call of its own among the others: already stored or stored by it, never twice.
    const again = [arr("acct-0", 1)];
    const counts = await Promise.all([...calls.map((facts) => store.record(facts)), store.record(again)]);
    expect(counts.slice(0, 50)).toEqual(Array.from({ length: 50 }, () => 2));
    expect(counts[50]).toBe(0);
    expect(await store.count()).toBe(100);
    // A retried call stores nothing.
    expect(await store.record(calls[7] ?? [])).toBe(0);
  });

  it("fails only the call with a bad fact; the calls committed beside it are stored", async () => {
    const bad: Fact = { ...arr("acct-x", 1), at: "not a time" };
    const results = await Promise.allSettled([
      store.record([arr("acct-a", 1)]),
      store.record([arr("acct-b", 1), bad]),
      store.record([arr("acct-c", 1)]),
    ]);
    expect(results.map((result) => result.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect(results[1]?.status === "rejected" && String(results[1].reason)).toContain('fact acct-x:arr:1: "at"');
    // The bad call's good fact went back with it (its transaction rolled back): it is not half stored.
    const rows = await store.query("SELECT id FROM facts ORDER BY id");
    expect(rows.map((row) => row.id)).toEqual(["acct-a:arr:1", "acct-c:arr:1"]);
  });

  it("stores nothing for an empty call", async () => {
    expect(await store.record([])).toBe(0);
    expect(await store.count()).toBe(0);
  });
});
