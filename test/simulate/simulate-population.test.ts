import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import type { AccountSnapshot } from "../../engine/journey/journey-types.js";
import { loadPlaybooks } from "../../engine/runtime/load-plans.js";
import { AccountRunner } from "../../engine/simulate/account-runner.js";
import { simulatePopulation, type TimedEvent } from "../../engine/simulate/simulate-population.js";
import { parseSignals, signalEvents } from "../../engine/simulate/simulated-signals.js";
import { ROOT } from "../helpers.js";
import { testAccount } from "./test-account.js";

const loaded = loadPlaybooks(`${ROOT}/playbooks`);
const START = Date.parse("2026-12-01T00:00:00Z");
const DAY = 86_400_000;
const day = (offset: number): string => new Date(START + offset * DAY).toISOString().slice(0, 10);

/** The test account, at 60% of its seats and renewing in 300 days unless `over` says otherwise. */
function account(id: string, over: Record<string, unknown> = {}): AccountSnapshot {
  return testAccount(id, START, {
    usage: { active_seats: 30, seat_utilization: 0.6 },
    renewal_date: day(300),
    ...over,
  });
}

const usage = (id: string, at: number, utilization: number): TimedEvent => ({
  id,
  type: "usage.updated",
  data: { usage: { seat_utilization: utilization, active_seats: Math.round(50 * utilization) } },
  at: new Date(START + at * DAY).toISOString(),
});

describe("playloop simulate", () => {
  it("counts what the journey core does for each account, event by event", () => {
    const accounts = [account("a1"), account("a2"), account("a3", { consent: { marketing: false } })];
    const history = new Map<string, TimedEvent[]>([
      ["a1", [usage("u1", 10, 0.92)]],
      ["a3", [usage("u3", 20, 0.95)]],
    ]);
    const report = simulatePopulation({ ...loaded, accounts, history, seed: 1, start: START, days: 120 });
    expect(report.events).toEqual({ history: 2, signals: 0 });
    // The same accounts through the runner directly: the report must hold the same counts.
    const direct = new Map<string, number>();
    for (const snapshot of accounts) {
      const runner = new AccountRunner({ plans: loaded.plans, account: snapshot, policy: loaded.policy, start: START });
      for (const event of history.get(snapshot.id) ?? []) {
        runner.advanceTo(Date.parse(event.at));
        runner.sendEvent(event);
      }
      runner.advanceTo(START + 120 * DAY);
      for (const { command } of runner.log)
        if (command.kind === "deliver" && command.playbookId === "seat-upsell") {
          const kind = String(command.action.data.action);
          direct.set(kind, (direct.get(kind) ?? 0) + 1);
        }
    }
    const seat = report.plays.find((p) => p.playbook === "seat-upsell");
    expect(seat?.actions).toEqual(Object.fromEntries(direct));
    // a1 crossed 80% and got the play; a3 did too, without consent: held back, not engaged.
    expect(seat?.accounts_entered).toBe(2);
    expect(seat?.engaged).toBe(1);
    expect(seat?.suppressions).toEqual({ "not eligible: consent.marketing": 1 });
    expect(seat?.offers).toBe(seat?.actions["offer.propose"] ?? 0);
    // The entry fell in week 2 (day 10), the a3 entry in week 3 (day 20).
    expect(seat?.weekly.entered.slice(0, 4)).toEqual([0, 1, 1, 0]);
    expect(seat?.weekly.actions.reduce((a, b) => a + b, 0)).toBe([...direct.values()].reduce((a, b) => a + b, 0));
  });

  it("is the same for the same seed, and gives each signal to its share of accounts", () => {
    const { signals, diagnostics } = parseSignals(
      "signals:\n  - { event: usage.updated, share: 10%, per: month, data: { usage: { seat_utilization: 0.9 } } }\n",
      "signals.yaml",
    );
    expect(diagnostics).toEqual([]);
    const ids = Array.from({ length: 2000 }, (_, i) => `s${i}`);
    const months = 12;
    const given = ids.map((id) => signalEvents(signals ?? [], id, 7, START, START + months * 30 * DAY).length);
    const total = given.reduce((a, b) => a + b, 0);
    const expected = ids.length * months * 0.1;
    const sigma = Math.sqrt(ids.length * months * 0.1 * 0.9);
    expect(Math.abs(total - expected)).toBeLessThan(3 * sigma);
    expect(signalEvents(signals ?? [], "s1", 7, START, START + 365 * DAY)).toEqual(
      signalEvents(signals ?? [], "s1", 7, START, START + 365 * DAY),
    );
    const accounts = ids.slice(0, 50).map((id) => account(id));
    const run = (seed: number) => simulatePopulation({ ...loaded, accounts, signals, seed, start: START, days: 90 });
    expect(run(7)).toEqual(run(7));
    // Another seed draws other accounts and times.
    const draw = (seed: number) => ids.map((id) => signalEvents(signals ?? [], id, seed, START, START + 90 * DAY));
    expect(draw(8)).not.toEqual(draw(7));
  });

  it("reports a bad signals file at its line and column", () => {
    const { signals, diagnostics } = parseSignals(
      "signals:\n  - { event: usage.updated, share: lots, per: month }\n",
      "s.yaml",
    );
    expect(signals).toBeUndefined();
    expect(diagnostics[0]).toMatchObject({ file: "s.yaml", line: 2, code: "E_SCHEMA_VALUE" });
  });
});

describe("the simulate command", () => {
  const CLI = join(ROOT, "dist/engine/cli/main.js");
  const run = (...args: string[]) =>
    spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: "utf8", timeout: 60_000 });

  it("prints JSON per play and writes an HTML report with a funnel and actions per week for each", () => {
    const html = join(mkdtempSync(join(tmpdir(), "playloop-sim-")), "report.html");
    const samples = join(ROOT, "playbooks/samples");
    const result = run(
      "simulate",
      "--accounts",
      join(samples, "crm-accounts.csv"),
      "--mapping",
      join(samples, "crm-mapping.yaml"),
      "--signals",
      join(samples, "signals.yaml"),
      "--start",
      "2026-12-01",
      "--days",
      "180",
      "--json",
      "--html",
      html,
    );
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    const report = JSON.parse(result.stdout) as { accounts: number; days: number; plays: { playbook: string }[] };
    expect(report).toMatchObject({ accounts: 5, days: 180 });
    expect(report.plays.map((p) => p.playbook).sort()).toEqual(loaded.plans.map((p) => p.id).sort());
    const page = readFileSync(html, "utf8");
    for (const play of loaded.plans) expect(page).toContain(`data-playbook="${play.id}"`);
    expect(page.match(/<svg class="funnel"/g)).toHaveLength(loaded.plans.length);
    expect(page.match(/<svg class="weekly"/g)).toHaveLength(loaded.plans.length);
  });

  it("exits 2 on a bad option or file, naming it", () => {
    const dir = mkdtempSync(join(tmpdir(), "playloop-sim-"));
    const signals = join(dir, "signals.yaml");
    writeFileSync(signals, "signals: []\n");
    const accounts = join(ROOT, "playbooks/samples/crm-accounts.csv");
    const bad = run("simulate", "--accounts", accounts, "--signals", signals);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/signals\.yaml:1:\d+ error E_SCHEMA/);
    expect(run("simulate", "--accounts", accounts, "--days", "0").status).toBe(2);
    expect(run("simulate", "--accounts", join(dir, "none.ndjson")).status).toBe(2);
  });
});
