// One account, many playbooks, on the time-skipping server: the coordinator decides who may reach
// the account, and every suppression is recorded with its reason.
import type { WorkflowHandle } from "@temporalio/client";
import type { TestWorkflowEnvironment } from "@temporalio/testing";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { CompiledPlan } from "../../engine/index.js";
import { accountWorkflowId, type AccountInput, type AccountState } from "../../engine/journey/account-types.js";
import { journeyWorkflowId, type JourneyState } from "../../engine/journey/journey-types.js";
import { SEARCH_ATTRIBUTES } from "../../engine/journey/search-attributes.js";
import { DEFAULT_POLICY, validatePolicy, type AccountPolicy } from "../../engine/validate/validate-policy.js";
import { readRepoFile } from "../helpers.js";
import { DAY, account, day, plan, recordHistory, timeSkippingEnv, withJourneyWorker } from "./harness.js";

let env: TestWorkflowEnvironment;
const started: AccountInput[] = [];

beforeAll(async () => {
  env = await timeSkippingEnv();
}, 60_000);

afterEach(async () => {
  // Coordinators abandon their journeys when they close, so terminate both.
  for (const input of started.splice(0)) {
    const ids = [
      accountWorkflowId(input.account.id),
      ...input.plans.map((p) => journeyWorkflowId(p.id, input.account.id)),
    ];
    await Promise.all(
      ids.map((id) =>
        env.client.workflow
          .getHandle(id)
          .terminate()
          .catch(() => undefined),
      ),
    );
  }
});

afterAll(async () => {
  await env?.teardown();
});

const ALL_PLAYBOOKS = [
  "seat-upsell",
  "renewal-bundle",
  "new-department-cross-sell",
  "downsell-save",
  "at-risk-retention",
];

async function startAccount(taskQueue: string, input: AccountInput): Promise<WorkflowHandle> {
  const handle = await env.client.workflow.signalWithStart("account", {
    taskQueue,
    workflowId: accountWorkflowId(input.account.id),
    args: [input],
    signal: "snapshot",
    signalArgs: [input.account],
  });
  started.push(input);
  return handle;
}

function journey(playbookId: string, accountId: string): Promise<JourneyState> {
  return env.client.workflow.getHandle(journeyWorkflowId(playbookId, accountId)).query<JourneyState>("state");
}

const plans = (ids: string[]): CompiledPlan[] => ids.map((id) => plan(id));

/** Starts the account under all five playbooks, then reports seat utilization; a day passes. */
async function allPlaybooksThenCapacity(
  taskQueue: string,
  acct: AccountInput["account"],
  utilization: number,
): Promise<WorkflowHandle> {
  const coordinator = await startAccount(taskQueue, {
    account: acct,
    plans: plans(ALL_PLAYBOOKS),
    policy: DEFAULT_POLICY,
  });
  await env.sleep(60_000);
  await coordinator.signal("event", {
    id: "usage-1",
    type: "usage.updated",
    data: { usage: { seat_utilization: utilization } },
  });
  await env.sleep(DAY);
  return coordinator;
}

describe("the account coordinator", () => {
  it("gives an account eligible for both seat-upsell and renewal-bundle only renewal-bundle's outreach", async () => {
    await withJourneyWorker(env, async ({ log, taskQueue, now }) => {
      const both = account("both-1", now, {
        renewal_date: day(now, 80),
        usage: { active_seats: 46, seat_utilization: 0.92 },
      });
      const coordinator = await allPlaybooksThenCapacity(taskQueue, both, 0.93);
      const sources = new Set(log.read().map((e) => e.source));
      expect([...sources]).toEqual(["playloop/playbooks/renewal-bundle"]);
      const upsell = await journey("seat-upsell", "both-1");
      expect(upsell.decisions.map((d) => d.reason)).toContain("suppressed: renewal-bundle active");
      const state = await coordinator.query<AccountState>("state");
      expect(state.active?.playbookId).toBe("renewal-bundle");
      expect(state.decisions.map((d) => d.reason)).toContain("seat-upsell suppressed: renewal-bundle active");
      expect(Object.keys(state.journeys).sort()).toEqual([...ALL_PLAYBOOKS].sort());
      await recordHistory(coordinator, "account-arbitration-detecting");
      await recordHistory(
        env.client.workflow.getHandle(journeyWorkflowId("seat-upsell", "both-1")),
        "seat-upsell-suppressed-by-renewal-detecting",
      );
    });
  });

  it("gives an at-risk account the retention play and no upsell", async () => {
    await withJourneyWorker(env, async ({ log, taskQueue, now }) => {
      const atRisk = account("risk-1", now, {
        health_score: 32,
        risk: { open_escalations: 1, cancellation_intent: false },
      });
      await allPlaybooksThenCapacity(taskQueue, atRisk, 0.95);
      const sources = new Set(log.read().map((e) => e.source));
      expect([...sources]).toEqual(["playloop/playbooks/at-risk-retention"]);
      expect(log.read().map((e) => e.data.owner)).toEqual(expect.arrayContaining(["csm", "executive_sponsor"]));
      expect((await journey("seat-upsell", "risk-1")).decisions.map((d) => d.reason)).toContain("suppressed: at_risk");
    });
  });

  it("caps offers across playbooks per the policy file, and ignores repeated event ids", async () => {
    const { policy } = validatePolicy(readRepoFile("test/fixtures/journeys/one-offer-policy.yaml"));
    await withJourneyWorker(env, async ({ log, taskQueue, now }) => {
      const coordinator = await startAccount(taskQueue, {
        account: account("cap-1", now),
        plans: plans(["offer-first", "offer-later"]),
        policy: policy as AccountPolicy,
      });
      await env.sleep(60_000);
      expect(log.read().map((e) => e.source)).toEqual(["playloop/playbooks/offer-first"]);
      await coordinator.signal("event", { id: "go", type: "demo.offer_now" });
      await coordinator.signal("event", { id: "go", type: "demo.offer_now" });
      await env.sleep(60_000);
      expect(log.read()).toHaveLength(1);
      const later = await journey("offer-later", "cap-1");
      expect(later.decisions.map((d) => d.reason)).toContain("suppressed: account cap of 1 offers per 90 days reached");
      expect(later.decisions.filter((d) => d.kind === "fired")).toHaveLength(1); // the repeated event id did nothing
      const state = await coordinator.query<AccountState>("state");
      expect(state.offers.map((o) => o.playbookId)).toEqual(["offer-first"]);
      expect(state.journeys["offer-first"]).toMatchObject({ status: "ended", outcome: "proposed" });
      expect(state.active).toBeUndefined();
      await recordHistory(coordinator, "account-offer-cap-detecting");
    });
  });
});

async function journeyExists(playbookId: string, accountId: string): Promise<boolean> {
  try {
    await env.client.workflow.getHandle(journeyWorkflowId(playbookId, accountId)).describe();
    return true;
  } catch (error) {
    if (error instanceof Error && error.name === "WorkflowNotFoundError") return false;
    throw error;
  }
}

describe("detection held by the coordinator", () => {
  it("starts no journey until a trigger fires, opens renewal-bundle's window on a timer, and times seat-upsell out", async () => {
    await withJourneyWorker(env, async ({ log, taskQueue, now }) => {
      // Renewal in 250 days: renewal-bundle's window opens in 160, at-risk-retention's in 130.
      const acct = account("quiet-4", now, { renewal_date: day(now, 250) });
      const coordinator = await startAccount(taskQueue, {
        account: acct,
        plans: plans(ALL_PLAYBOOKS),
        policy: DEFAULT_POLICY,
      });
      await env.sleep(60_000);
      const before = await coordinator.query<AccountState>("state");
      expect(Object.values(before.journeys).map((j) => j.status)).toEqual(ALL_PLAYBOOKS.map(() => "detecting"));
      expect(before.journeys["seat-upsell"]).toMatchObject({ runs: 0, waitingFor: "capacity (usage.updated)" });
      expect(Date.parse(before.journeys["seat-upsell"]?.waitingUntil ?? "") - now).toBeGreaterThanOrEqual(180 * DAY);
      for (const id of ALL_PLAYBOOKS) expect(await journeyExists(id, "quiet-4")).toBe(false);

      await env.sleep(161 * DAY);
      const renewal = await journey("renewal-bundle", "quiet-4");
      expect(renewal.decisions.find((d) => d.kind === "fired")?.reason).toBe("trigger renewal_window");
      expect(log.read().map((e) => e.source)).toContain("playloop/playbooks/renewal-bundle");
      expect(await journeyExists("at-risk-retention", "quiet-4")).toBe(false); // its window opened, but the account is not at risk

      await env.sleep(20 * DAY);
      const after = await coordinator.query<AccountState>("state");
      expect(after.journeys["seat-upsell"]).toMatchObject({ status: "ended", outcome: "timed_out", runs: 0 });
      expect(after.journeys["renewal-bundle"]).toMatchObject({ runs: 1 });
      expect(after.journeys["renewal-bundle"]?.status).not.toBe("detecting");
      expect(after.decisions.map((d) => d.reason)).toEqual(
        expect.arrayContaining([
          "renewal-bundle trigger renewal_window: journey started",
          "seat-upsell timed out in detect: no capacity (usage.updated) within 180 days",
        ]),
      );
      expect(await journeyExists("seat-upsell", "quiet-4")).toBe(false);

      // seat-upsell may enter again (its re-entry rule allows it): it is detecting again.
      await coordinator.signal("snapshot", { ...acct, health_score: 84 });
      await env.sleep(60_000);
      expect((await coordinator.query<AccountState>("state")).journeys["seat-upsell"]).toMatchObject({
        status: "detecting",
        runs: 0,
      });
      await recordHistory(coordinator, "account-detect-window-timeout");
    });
  });

  it("ends a detecting play on its exit condition and starts the play whose trigger the same update fires", async () => {
    await withJourneyWorker(env, async ({ log, taskQueue, now }) => {
      const acct = account("leaving-1", now, { renewal_date: day(now, 250) });
      const coordinator = await startAccount(taskQueue, {
        account: acct,
        plans: plans(["seat-upsell", "downsell-save"]),
        policy: DEFAULT_POLICY,
      });
      await env.sleep(60_000);
      await coordinator.signal("event", {
        id: "intent-1",
        type: "account.updated",
        data: { risk: { open_escalations: 0, cancellation_intent: true } },
      });
      await env.sleep(DAY);
      const state = await coordinator.query<AccountState>("state");
      expect(state.journeys["seat-upsell"]).toMatchObject({
        status: "ended",
        outcome: "exited: risk.cancellation_intent == true",
      });
      expect(state.journeys["downsell-save"]).toMatchObject({ status: "running", runs: 1 });
      const save = await journey("downsell-save", "leaving-1");
      expect(save.decisions.find((d) => d.kind === "fired")?.reason).toBe("trigger cancellation_intent");
      expect(new Set(log.read().map((e) => e.source))).toEqual(new Set(["playloop/playbooks/downsell-save"]));
      expect(await journeyExists("seat-upsell", "leaving-1")).toBe(false);
    });
  });
});

describe("enrollment", () => {
  it("ends a journey when a deal closes, records the outcome, and re-enters only after the re-entry delay", async () => {
    await withJourneyWorker(env, async ({ log, taskQueue, now }) => {
      const acct = account("reenter-1", now);
      const coordinator = await startAccount(taskQueue, {
        account: acct,
        plans: plans(["reentry-play"]),
        policy: DEFAULT_POLICY,
      });
      await env.sleep(60_000);
      expect(log.read().map((e) => e.id)).toEqual(["reentry-play:reenter-1:0:orchestrate.1"]);
      await coordinator.signal("event", { id: "deal-1", type: "deal.closed", data: { outcome: "won" } });
      await env.sleep(60_000);
      const first = await env.client.workflow.getHandle(journeyWorkflowId("reentry-play", "reenter-1")).describe();
      expect(first.status.name).toBe("COMPLETED");
      expect(first.typedSearchAttributes.get(SEARCH_ATTRIBUTES.Outcome)).toBe("closed_won");
      expect((await coordinator.query<AccountState>("state")).journeys["reentry-play"]).toMatchObject({
        status: "ended",
        outcome: "closed_won",
        runs: 1,
      });

      await env.sleep(10 * DAY);
      await coordinator.signal("snapshot", { ...acct, health_score: 81 });
      await env.sleep(60_000);
      expect((await coordinator.query<AccountState>("state")).journeys["reentry-play"]?.runs).toBe(1);

      await env.sleep(21 * DAY);
      await coordinator.signal("snapshot", { ...acct, health_score: 80 });
      await env.sleep(60_000);
      expect((await coordinator.query<AccountState>("state")).journeys["reentry-play"]).toMatchObject({
        status: "running",
        runs: 2,
      });
      expect(log.read().map((e) => e.id)).toEqual([
        "reentry-play:reenter-1:0:orchestrate.1",
        "reentry-play:reenter-1:r2.0:orchestrate.1",
      ]);
    });
  });
});
