// Facts as CloudEvents in an NDJSON file, for a warehouse: each id once however often it is sent,
// and the file loads into the reports' table (the recipe docs/reports.md gives) with the same base
// metrics as the embedded database.
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { factEvent, factFileSink } from "../../engine/analytics/fact-events.js";
import { FactStore } from "../../engine/analytics/fact-store.js";
import { baseMetrics } from "../../engine/analytics/revenue-report.js";
import type { Fact } from "../../engine/journey/account-facts.js";

const facts: Fact[] = [
  { id: "a:arr:1", type: "arr.observed", account: "a", at: "2025-12-15T00:00:00.000Z", data: { arr: 100 } },
  {
    id: "a:arr:2",
    type: "arr.observed",
    account: "a",
    at: "2026-06-15T00:00:00.000Z",
    data: { arr: 150, before: 100 },
  },
  { id: "b:arr:1", type: "arr.observed", account: "b", at: "2025-11-01T00:00:00.000Z", data: { arr: 200 } },
  { id: "b:churn:2", type: "account.churned", account: "b", at: "2026-03-01T00:00:00.000Z", data: { before: 200 } },
  { id: "b:arr:2", type: "arr.observed", account: "b", at: "2026-03-01T00:00:00.000Z", data: { arr: 0, before: 200 } },
  {
    id: "a:seat-upsell:1:entered",
    type: "play.entered",
    account: "a",
    at: "2026-05-01T00:00:00.000Z",
    playbook: "seat-upsell",
    run: 1,
    holdout: false,
    data: { version: "sha256:1", motion: "upsell", attribution_ms: 7776000000 },
  },
];

describe("facts as CloudEvents", () => {
  it("are CloudEvents named after the fact, at its business time, about its account", () => {
    expect(factEvent(facts[0] as Fact)).toEqual({
      specversion: "1.0",
      id: "a:arr:1",
      source: "playloop",
      type: "playloop.fact.arr.observed",
      time: "2025-12-15T00:00:00.000Z",
      subject: "a",
      datacontenttype: "application/json",
      data: facts[0],
    });
  });

  it("are written to the file once each, even when sent again by another sink on the same file", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "playloop-facts-")), "facts.ndjson");
    await factFileSink(path).record(facts);
    await factFileSink(path).record(facts.slice(2));
    const lines = readFileSync(path, "utf8").trim().split("\n");
    expect(lines.map((line) => (JSON.parse(line) as { id: string }).id)).toEqual(facts.map((f) => f.id));
  });

  it("load into the reports' table and give the same base metrics as the embedded database", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "playloop-facts-")), "facts.ndjson");
    await factFileSink(path).record(facts);
    const embedded = await FactStore.open(":memory:");
    const loaded = await FactStore.open(":memory:");
    try {
      await embedded.record(facts);
      await loaded.query(
        `INSERT INTO facts
           SELECT data.id, data.type, data.account, CAST(time AS TIMESTAMP), data.playbook, data.run,
                  data.holdout, to_json(data.data)
           FROM read_json($1, format = 'newline_delimited')`,
        [path],
      );
      const from = "2026-01-01T00:00:00.000Z";
      const to = "2027-01-01T00:00:00.000Z";
      const metrics = await baseMetrics(loaded, from, to);
      expect(metrics).toEqual(await baseMetrics(embedded, from, to));
      expect(metrics).toMatchObject({ accounts: 2, starting_arr: 300, ending_arr: 150, churned_arr: 200 });
      expect(await loaded.query("SELECT * FROM play_entries($1, $2)", [from, to])).toHaveLength(1);
    } finally {
      embedded.close();
      loaded.close();
    }
  });
});
