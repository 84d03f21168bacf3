// The queue over the bundled sample accounts and playbooks: ranked by score, each account with
// its next best play (the highest-priority one that would enter and nothing blocks) and why, or
// what blocks every play; filters by owner, segment and band; and, from an account's state, the
// blocks only the core knows of (a play in progress, the holder, the offer caps, the touch caps).
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { AccountStanding } from "../../engine/journey/account-standing.js";
import { formatQueue } from "../../engine/queue/format-queue.js";
import { nextBestPlays } from "../../engine/queue/next-best-play.js";
import { QueueRefused, rankQueue, type QueueReport } from "../../engine/queue/rank-queue.js";
import { loadMapping } from "../../engine/runtime/ingest/field-mapping.js";
import { loadPlaybooks } from "../../engine/runtime/load-plans.js";
import { readAccountFiles } from "../../engine/simulate/read-account-files.js";
import { DEFAULT_POLICY } from "../../engine/validate/validate-policy.js";
import { ROOT } from "../helpers.js";

const NOW = Date.parse("2026-12-01T00:00:00Z");
const loaded = loadPlaybooks(join(ROOT, "playbooks"));
const samples = (await readAccountFiles([join(ROOT, "playbooks/samples")])).accounts;
const exported = (
  await readAccountFiles(
    [join(ROOT, "playbooks/samples/crm-accounts.csv")],
    loadMapping(join(ROOT, "playbooks/samples/crm-mapping.yaml")),
  )
).accounts;

function queue(accounts = samples, filters = {}): QueueReport {
  return rankQueue(
    accounts.map((account) => ({ account })),
    { plans: loaded.plans, policy: loaded.policy, now: NOW, filters },
  );
}

/** Every property the issue names, over a report. */
function expectRanked(report: QueueReport): void {
  const scores = report.rows.map((row) => row.score);
  expect(scores).toEqual([...scores].sort((a, b) => b - a));
  expect(report.rows.map((row) => row.rank)).toEqual(report.rows.map((_, i) => i + 1));
  for (const row of report.rows.filter((r) => r.band === "ready")) {
    expect(row.next, `${row.account} is ready`).not.toBeNull();
    expect(row.next?.why.length).toBeGreaterThan(0);
    expect(row.next?.why[0]).toMatch(/^trigger \w+|^no entry trigger/);
  }
  for (const row of report.rows.filter((r) => r.next === null))
    expect(row.blocked.length, `${row.account} says why each play is blocked`).toBe(loaded.plans.length);
}

describe("the queue over the bundled samples", () => {
  it("ranks the six sample accounts by score, each ready one with a next best play and why", () => {
    const report = queue();
    expect(report).toMatchObject({ scorecard: "expansion", accounts: 6, matched: 6, at: "2026-12-01T00:00:00.000Z" });
    expectRanked(report);
    expect(report.rows.map((r) => [r.account, r.score, r.band, r.next?.playbook ?? null])).toEqual([
      ["hooli", 80, "ready", "renewal-bundle"], // renews in 71 days: the renewal window is open
      ["acme", 78, "ready", "seat-upsell"], // 88% of seats: enters on the next usage update
      ["initech", 68, "warming", null], // no marketing consent: every play needs it but retention
      ["umbrella", 68, "warming", "renewal-bundle"],
      ["globex", 58, "warming", "at-risk-retention"], // at risk: retention, not an upsell
      ["soylent", 30, "not_now", "downsell-save"], // said it may cancel
    ]);
    const acme = report.rows.find((r) => r.account === "acme");
    expect(acme?.top).toEqual([
      { signal: "seat_capacity", weight: 30, value: 0.88, points: 28 },
      { signal: "healthy", weight: 20, value: true, points: 20 },
      { signal: "positive_qbr", weight: 10, value: true, points: 10 },
    ]);
    expect(acme?.next).toEqual({
      playbook: "seat-upsell",
      name: "Seat upsell at capacity",
      motion: "upsell",
      priority: 50,
      offer: { step: "commit.1", sku: "seats", quantity: "+20%", discount: 0.1 },
      why: [
        "trigger capacity (Seat utilization reached 80% of the plan): enters on the next usage.updated",
        "eligible: health_score >= 70, arr >= 20000, days_since(onboarded_at) >= 60, consent.marketing",
        "not suppressed: at_risk",
      ],
    });
    // The plays above it, and why each may not go now.
    expect(acme?.blocked.map((b) => `${b.playbook}: ${b.reason}`)).toEqual([
      "at-risk-retention: not eligible: at_risk",
      "downsell-save: no trigger: cancellation_intent (account.updated) or inactive_30d",
      "renewal-bundle: no trigger: renewal_window",
      "dsr-engagement-upsell: no trigger: proposal_interest (document.viewed)",
    ]);
    const initech = report.rows.find((r) => r.account === "initech");
    expect(initech?.blocked.find((b) => b.playbook === "seat-upsell")?.reason).toBe("not eligible: consent.marketing");
  });

  it("ranks the CRM export read through its mapping, with a next best play for each account that has one", () => {
    const report = queue(exported);
    expect(report.accounts).toBe(5);
    expectRanked(report);
    expect(report.rows.map((r) => [r.account, r.score, r.band, r.next?.playbook ?? null])).toEqual([
      ["crm-001", 70, "ready", "seat-upsell"],
      ["crm-004", 60, "warming", null], // no marketing consent
      ["crm-005", 60, "warming", null], // onboarded 42 days ago
      ["crm-003", 50, "warming", "at-risk-retention"],
      ["crm-002", 40, "warming", "renewal-bundle"],
    ]);
    expect(formatQueue(report)).toMatch(/^1 {5}crm-001 {2}70 {5}ready {4}- {6}seat-upsell /m);
  });

  it("filters by band, segment and owner, and lists at most `limit`", () => {
    expect(queue(samples, { band: "warming" }).rows.map((r) => r.account)).toEqual(["initech", "umbrella", "globex"]);
    expect(queue(samples, { segment: "at_risk" }).rows.map((r) => r.account)).toEqual(["globex"]);
    const owned = samples.map((a) => ({ ...a, owner: a.id === "acme" || a.id === "soylent" ? "Dana" : "Lee" }));
    const dana = queue(owned, { owner: "dana" });
    expect(dana.rows.map((r) => [r.account, r.owner])).toEqual([
      ["acme", "Dana"],
      ["soylent", "Dana"],
    ]);
    const top = queue(samples, { limit: 2 });
    expect([top.matched, top.rows.map((r) => r.account)]).toEqual([6, ["hooli", "acme"]]);
  });

  it("refuses without a scorecard, or for a segment no playbook defines", () => {
    const rank = (policy = loaded.policy, filters = {}) =>
      rankQueue([], { plans: loaded.plans, policy, now: NOW, filters });
    expect(() => rank(DEFAULT_POLICY)).toThrow(QueueRefused);
    expect(() => rank(DEFAULT_POLICY)).toThrow(/no scorecard is deployed/);
    expect(() => rank(loaded.policy, { segment: "at_rsk" })).toThrow(/no playbook defines the segment "at_rsk"/);
    expect(() => rank(loaded.policy, { limit: 501 })).toThrow(/limit must be a whole number from 1 to 500/);
  });
});

describe("the next best play with the account's state", () => {
  const pick = nextBestPlays(loaded.plans, loaded.policy);
  const acme = samples.find((a) => a.id === "acme");
  if (acme === undefined) throw new Error("no acme sample");
  const standing = (changes: Partial<AccountStanding> = {}): AccountStanding => ({
    account: acme,
    plays: {},
    offers: [],
    ...changes,
  });
  const day = (offset: number) => new Date(NOW + offset * 86_400_000).toISOString();

  it("skips a play in progress and one of lower priority than the holder", () => {
    const running = standing({
      plays: {
        "seat-upsell": {
          playbookId: "seat-upsell",
          status: "running",
          stage: "prove",
          run: 1,
          holdout: false,
          startedAt: day(-10),
          offers: [],
        },
      },
      active: { playbookId: "seat-upsell", priority: 50, since: day(-10) },
    });
    const { next, blocked } = pick({ account: acme, standing: running }, NOW);
    expect(next).toBeUndefined();
    expect(blocked.find((b) => b.playbook === "seat-upsell")?.reason).toBe(
      `in progress: prove since ${day(-10).slice(0, 10)}`,
    );
    expect(blocked.find((b) => b.playbook === "new-department-cross-sell")?.reason).toBe(
      "suppressed: seat-upsell active",
    );
  });

  it("blocks an offer past the account's cap or within the cooldown after a decline", () => {
    const capped = standing({
      offers: [
        { playbookId: "renewal-bundle", at: day(-30), status: "proposed" },
        { playbookId: "dsr-engagement-upsell", at: day(-20), status: "proposed" },
      ],
    });
    const seat = (s: AccountStanding) =>
      pick({ account: acme, standing: s }, NOW).blocked.find((b) => b.playbook === "seat-upsell");
    expect(seat(capped)).toEqual({
      playbook: "seat-upsell",
      priority: 50,
      reason: "suppressed: account cap of 2 offers per 90 days reached",
    });
    const declined = standing({ offers: [{ playbookId: "renewal-bundle", at: day(-10), status: "declined" }] });
    expect(seat(declined)?.reason).toBe("suppressed: cooldown after a declined offer (renewal-bundle)");
    // Without those offers the same account gets seat-upsell.
    expect(pick({ account: acme, standing: standing() }, NOW).next?.playbook).toBe("seat-upsell");
  });

  it("reads the score in eligibility: a play that requires `score.expansion >= 80` waits for it", () => {
    const plan = loaded.plans.find((p) => p.id === "seat-upsell");
    if (plan === undefined) throw new Error("no seat-upsell");
    const gated = {
      ...plan,
      eligibility: {
        ...plan.eligibility,
        require: [
          ...plan.eligibility.require,
          { label: "score.expansion >= 80", rule: { ">=": [{ var: "score.expansion" }, 80] } },
        ],
      },
    };
    const onlyGated = nextBestPlays([gated], loaded.policy);
    const at = (score: number) =>
      onlyGated(
        { account: acme, score: { scorecard: "expansion", score, band: "ready", contributions: [], at: "" } },
        NOW,
      );
    expect(at(79).blocked).toEqual([
      { playbook: "seat-upsell", priority: 50, reason: "not eligible: score.expansion >= 80" },
    ]);
    expect(at(80).next?.why).toContain(
      "eligible: health_score >= 70, arr >= 20000, days_since(onboarded_at) >= 60, consent.marketing, score.expansion >= 80",
    );
  });
});
