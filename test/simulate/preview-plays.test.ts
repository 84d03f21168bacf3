import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { CompiledPlan } from "../../engine/compile/plan.js";
import type { AccountSnapshot } from "../../engine/journey/journey-types.js";
import { loadMapping } from "../../engine/runtime/ingest/field-mapping.js";
import { loadPlaybooks } from "../../engine/runtime/load-plans.js";
import { AccountRunner } from "../../engine/simulate/account-runner.js";
import { ENTERS, playVerdicts, previewPlays } from "../../engine/simulate/preview-plays.js";
import { readAccounts } from "../../engine/simulate/read-accounts.js";
import { ROOT } from "../helpers.js";
import { testAccount } from "./test-account.js";

const loaded = loadPlaybooks(`${ROOT}/playbooks`);
const NOW = Date.parse("2026-12-04T00:00:00Z");
const DAY = 86_400_000;
const day = (offset: number): string => new Date(NOW + offset * DAY).toISOString().slice(0, 10);
const plan = (id: string): CompiledPlan => {
  const found = loaded.plans.find((p) => p.id === id);
  if (found === undefined) throw new Error(`no bundled playbook ${id}`);
  return found;
};

const account = (id: string, over: Record<string, unknown> = {}): AccountSnapshot => testAccount(id, NOW, over);

describe("playloop preview", () => {
  it("reads the sample CRM export with its mapping and says, per play, who enters and why the others do not", async () => {
    const mapping = loadMapping(`${ROOT}/playbooks/samples/crm-mapping.yaml`);
    const read = await readAccounts(`${ROOT}/playbooks/samples/crm-accounts.csv`, mapping);
    expect(read.rejected).toEqual([]);
    const report = previewPlays({ plans: loaded.plans, policy: loaded.policy, accounts: read.accounts, now: NOW });
    expect(report.accounts).toBe(read.accounts.length);
    for (const play of report.plays) {
      // Every account has exactly one reason, and the examples are accounts of that reason.
      expect(
        Object.values(play.reasons).reduce((a, b) => a + b, 0),
        play.playbook,
      ).toBe(report.accounts);
      const entering = Object.entries(play.reasons)
        .filter(([reason]) => reason === ENTERS || reason.startsWith("enters on the next"))
        .reduce((sum, [, count]) => sum + count, 0);
      expect(play.entering, play.playbook).toBe(entering);
      expect(play.eligible).toBeGreaterThanOrEqual(play.entering);
    }
    const seat = report.plays.find((p) => p.playbook === "seat-upsell");
    // crm-004 has no marketing consent; crm-003 has an open escalation (at_risk).
    expect(seat?.examples["not eligible: consent.marketing"]).toEqual(["crm-004"]);
    expect(seat?.examples["suppressed: at_risk"]).toEqual(["crm-003"]);
    // crm-001 runs at 92% of its seats: seat-upsell's capacity trigger holds, on its next usage event.
    expect(seat?.examples["enters on the next usage.updated"]).toEqual(["crm-001"]);
  });

  it("gives a contested account to the higher priority and counts the loss on the other play", () => {
    const accounts = [
      // Renewal in 80 days (renewal-bundle's window is open) and at capacity (seat-upsell).
      account("both", { renewal_date: day(80) }),
      account("seats-only"),
    ];
    const plans = [plan("seat-upsell"), plan("renewal-bundle")];
    const report = previewPlays({ plans, policy: loaded.policy, accounts, now: NOW });
    const [seat, renewal] = report.plays;
    expect(report.contested).toBe(1);
    expect(report.contests).toEqual([
      {
        account: "both",
        plays: ["seat-upsell", "renewal-bundle"],
        winner: "renewal-bundle",
        why: "priority 60 over 50",
      },
    ]);
    expect(renewal?.contests).toEqual({ won: 1, lost: {} });
    expect(seat?.contests).toEqual({ won: 0, lost: { "renewal-bundle": 1 } });
    expect(seat?.examples["suppressed: renewal-bundle active"]).toEqual(["both"]);
    expect(seat?.examples["enters on the next usage.updated"]).toEqual(["seats-only"]);
    expect(renewal?.examples["no trigger: renewal_window"]).toEqual(["seats-only"]);
  });

  it("does not guess at a trigger whose condition reads the event", () => {
    const verdict = playVerdicts(plan("new-department-cross-sell"))(account("a"), NOW);
    expect(verdict).toEqual({
      enters: false,
      eligible: true,
      fires: false,
      reason: "no trigger: new_department (stakeholder.added) or reporting_pain (support.ticket_opened)",
    });
  });

  it("evaluates 10,000 generated accounts without a throw, every account with one reason per play", () => {
    const accounts = fc
      .sample(generatedAccount, { numRuns: 10_000, seed: 20261204 })
      .map((a, i) => ({ ...a, id: `g${i}` }));
    const report = previewPlays({ plans: loaded.plans, policy: loaded.policy, accounts, now: NOW });
    for (const play of report.plays)
      expect(
        Object.values(play.reasons).reduce((a, b) => a + b, 0),
        play.playbook,
      ).toBe(accounts.length);
  });
});

// What the preview says of one play and one account must be what the journey core does with that
// account's snapshot (and the trigger's event): enter and deliver, suppress with the same reason,
// hold out, or not fire. The core is given that one play alone, so no arbitration interferes.
const generatedAccount: fc.Arbitrary<AccountSnapshot> = fc
  .record({
    health: fc.integer({ min: 10, max: 100 }),
    utilization: fc.double({ min: 0, max: 1.2, noNaN: true }),
    consent: fc.boolean(),
    escalations: fc.integer({ min: 0, max: 2 }),
    renewal: fc.integer({ min: -30, max: 400 }),
    onboarded: fc.integer({ min: 0, max: 900 }),
    arr: fc.integer({ min: 0, max: 200_000 }),
    analytics: fc.boolean(),
    cancellation: fc.boolean(),
  })
  .map((r) =>
    account("x", {
      arr: r.arr,
      health_score: r.health,
      usage: { active_seats: Math.round(50 * r.utilization), seat_utilization: r.utilization },
      consent: { marketing: r.consent },
      risk: { open_escalations: r.escalations, cancellation_intent: r.cancellation },
      renewal_date: day(r.renewal),
      onboarded_at: day(-r.onboarded),
      products: r.analytics ? ["core", "analytics"] : ["core"],
    }),
  );

/** What the core did with one play for one account: its first reason, as the preview words it. */
function coreVerdict(p: CompiledPlan, snapshot: AccountSnapshot): string {
  const runner = new AccountRunner({ plans: [p], account: snapshot, policy: loaded.policy, start: NOW });
  const trigger = Object.values(p.triggers).find((t) => t.kind === "event");
  if (trigger?.kind === "event") runner.sendEvent({ id: "e1", type: trigger.event });
  const decisions = runner.log.flatMap((l) => (l.command.kind === "decision" ? [l.command.decision] : []));
  if (decisions.some((d) => d.kind === "holdout")) return "holdout: enters, no actions";
  const ended = decisions.find((d) => d.kind === "ended" && d.reason.startsWith("journey ended: exited: "));
  if (ended !== undefined) return ended.reason.replace("journey ended: ", "");
  if (!decisions.some((d) => d.kind === "fired")) return "no trigger";
  if (runner.log.some((l) => l.command.kind === "deliver")) return "enters";
  return decisions.find((d) => d.kind === "suppressed")?.reason ?? "fired, nothing delivered";
}

describe("preview agrees with the journey core", () => {
  const plays = loaded.plans.filter((p) => p.id !== "new-department-cross-sell" && p.id !== "dsr-engagement-upsell");
  it.each(plays.map((p) => [p.id, p] as const))("%s, on 300 generated accounts", (_id, p) => {
    const verdict = playVerdicts(p);
    const accounts = fc.sample(generatedAccount, { numRuns: 300, seed: 7 }).map((a, i) => ({ ...a, id: `f${i}` }));
    const seen = new Set<string>();
    for (const snapshot of accounts) {
      const preview = verdict(snapshot, NOW);
      // The core weighs eligibility at the first outreach, once the trigger fired; the preview
      // names a blocker whether or not the trigger holds.
      const before = /^(holdout|exited)/.test(preview.reason);
      const expected = before
        ? preview.reason
        : !preview.fires
          ? "no trigger"
          : preview.enters
            ? "enters"
            : preview.reason;
      expect(coreVerdict(p, snapshot), `${snapshot.id}: ${JSON.stringify(snapshot)}`).toBe(expected);
      seen.add(expected.replace(/:.*/, ""));
    }
    // The accounts reach every kind of outcome, so the agreement is not over one path only.
    expect(seen.has("no trigger")).toBe(true);
    expect([...seen].filter((kind) => ["enters", "suppressed", "not eligible"].includes(kind)).length).toBeGreaterThan(
      0,
    );
  });
});
