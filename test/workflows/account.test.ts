// One account, many playbooks, on the time-skipping server: the account workflow decides which
// play may reach the account, and every suppression is recorded with its reason.
import type { WorkflowHandle } from "@temporalio/client";
import type { TestWorkflowEnvironment } from "@temporalio/testing";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { AccountView, PlayView } from "../../engine/journey/account-view.js";
import type { AccountSnapshot } from "../../engine/journey/journey-types.js";
import { validatePolicy, type AccountPolicy } from "../../engine/validate/validate-policy.js";
import { capacityPrompt, readRepoFile, SKIPPED_BY_WHEN } from "../helpers.js";
import {
  DAY,
  account,
  day,
  plan,
  play,
  recordHistory,
  terminateStarted,
  timeSkippingEnv,
  view,
  withAccountWorker,
  type AccountTestContext,
  currentRun,
  searchAttributes,
  startSmall,
} from "./harness.js";

let env: TestWorkflowEnvironment;

beforeAll(async () => {
  env = await timeSkippingEnv();
}, 60_000);

afterEach(() => terminateStarted(env));

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

const plans = (ids: string[]) => ids.map((id) => plan(id));
const reasons = (p: PlayView) => p.decisions.map((d) => `${d.kind}: ${d.reason}`);
const accountReasons = (v: AccountView) => v.decisions.map((d) => d.reason);
const WAITING_FOR_ACCOUNT = "the account to be free of other plays";

/** Starts the account (under the worker's playbooks), then reports seat utilization; a day passes. */
async function startThenCapacity(
  context: AccountTestContext,
  snapshot: AccountSnapshot,
  utilization: number,
): Promise<WorkflowHandle> {
  const handle = await context.start(snapshot);
  await env.sleep(60_000);
  await context.accounts.sendEvent(snapshot.id, {
    id: "usage-1",
    type: "usage.updated",
    data: { usage: { seat_utilization: utilization } },
  });
  await env.sleep(DAY);
  return handle;
}

describe("arbitration between the plays of one account", () => {
  it("gives an account eligible for both seat-upsell and renewal-bundle only renewal-bundle's outreach", async () => {
    await withAccountWorker(env, plans(ALL_PLAYBOOKS), async (context) => {
      const { log, now } = context;
      const both = account("both-1", now, {
        renewal_date: day(now, 80),
        usage: { active_seats: 46, seat_utilization: 0.92 },
      });
      const handle = await startThenCapacity(context, both, 0.93);
      // renewal-bundle waits in prove for the QBR: a positive one leads to its bundle offer.
      await context.accounts.sendEvent("both-1", { id: "qbr-1", type: "qbr.completed", data: { outcome: "positive" } });
      await env.sleep(DAY);
      expect(log.read().map((e) => e.id)).toEqual([
        "renewal-bundle:both-1:0:orchestrate.1",
        "renewal-bundle:both-1:0:orchestrate.2",
        "renewal-bundle:both-1:0:orchestrate.3",
        "renewal-bundle:both-1:0:prove.1",
        "renewal-bundle:both-1:0:commit.1",
      ]);
      // seat-upsell gets its variant, then waits for the account at that variant's prompt (having
      // skipped the other variant's prompt when it comes first).
      const prompt = capacityPrompt("both-1");
      const upsell = await play(handle, "seat-upsell");
      expect(upsell).toMatchObject({ status: "running", step: prompt.step, waitingFor: WAITING_FOR_ACCOUNT });
      expect(reasons(upsell)).toEqual([
        "fired: trigger capacity",
        `experiment: experiment capacity_prompt: variant ${prompt.variant} (50%)`,
        ...(prompt.skipped < prompt.step ? [SKIPPED_BY_WHEN] : []),
        "suppressed: suppressed: renewal-bundle active",
      ]);
      const v = await view(handle);
      expect(v.active?.playbookId).toBe("renewal-bundle");
      expect(accountReasons(v)).toEqual(["seat-upsell suppressed: renewal-bundle active"]);
      expect(v.plays.map((p) => p.playbookId)).toEqual([...ALL_PLAYBOOKS].sort());
      expect(v.offers.map((o) => o.playbookId)).toEqual(["renewal-bundle"]);
      expect(await searchAttributes(handle)).toMatchObject({
        LastSuppression: "seat-upsell: suppressed: renewal-bundle active",
        Stages: [
          "at-risk-retention:detect",
          "downsell-save:detect",
          "new-department-cross-sell:detect",
          "renewal-bundle:commit",
          "seat-upsell:orchestrate",
        ],
      });
      await recordHistory(handle, "account-arbitration");
    });
  });

  it("gives an at-risk account the retention play and no upsell", async () => {
    await withAccountWorker(env, plans(ALL_PLAYBOOKS), async (context) => {
      const { log, now } = context;
      const atRisk = account("risk-1", now, {
        health_score: 32,
        risk: { open_escalations: 1, cancellation_intent: false },
      });
      const handle = await startThenCapacity(context, atRisk, 0.95);
      expect(log.read().map((e) => e.id)).toEqual([
        "at-risk-retention:risk-1:0:orchestrate.1",
        "at-risk-retention:risk-1:0:orchestrate.2",
        "at-risk-retention:risk-1:0:prove.1",
      ]);
      expect(log.read().map((e) => e.data.owner)).toEqual(["csm", "executive_sponsor", "csm"]);
      const upsell = await play(handle, "seat-upsell");
      // The variant's prompt, the CSM task and the ROI snapshot; the other prompt is skipped by its `when`.
      const prompt = capacityPrompt("risk-1");
      expect(upsell.decisions.filter((d) => d.kind === "suppressed")).toEqual([
        expect.objectContaining({ step: prompt.step, reason: "suppressed: at_risk" }),
        expect.objectContaining({ step: "orchestrate.4", reason: "suppressed: at_risk" }),
        expect.objectContaining({ step: "prove.1", reason: "suppressed: at_risk" }),
      ]);
      expect(upsell.decisions.filter((d) => d.kind === "skipped")).toEqual([
        expect.objectContaining({ step: prompt.skipped, reason: "skipped: its `when` condition does not hold" }),
      ]);
      expect(upsell).toMatchObject({ status: "running", stage: "prove", waitingFor: "qbr.completed" });
      expect((await play(handle, "at-risk-retention")).decisions[0]).toMatchObject({
        kind: "fired",
        reason: "trigger renewal_approaching", // the first of its triggers: the account renews in 99 days
      });
      expect((await view(handle)).active?.playbookId).toBe("at-risk-retention");
    });
  });

  it("caps offers across playbooks per the policy file, and ignores repeated event ids", async () => {
    const { policy } = validatePolicy(readRepoFile("test/fixtures/journeys/one-offer-policy.yaml"));
    await withAccountWorker(
      env,
      plans(["offer-first", "offer-later"]),
      async (context) => {
        const { log, now, accounts } = context;
        const handle = await context.start(account("cap-1", now));
        await env.sleep(60_000);
        expect(log.read().map((e) => e.id)).toEqual(["offer-first:cap-1:0:commit.1"]);
        expect(await accounts.sendEvent("cap-1", { id: "go", type: "demo.offer_now" })).toEqual({ duplicate: false });
        expect(await accounts.sendEvent("cap-1", { id: "go", type: "demo.offer_now" })).toEqual({ duplicate: true });
        await env.sleep(60_000);
        expect(log.read()).toHaveLength(1);
        const later = await play(handle, "offer-later");
        expect(later.decisions).toContainEqual(
          expect.objectContaining({
            kind: "suppressed",
            step: "commit.1",
            reason: "suppressed: account cap of 1 offers per 90 days reached",
          }),
        );
        expect(later.decisions.filter((d) => d.kind === "fired")).toHaveLength(1); // the repeated event id did nothing
        expect(later).toMatchObject({ status: "ended", outcome: "proposed", offers: [{ status: "withdrawn" }] });
        const v = await view(handle);
        expect(v.offers.map((o) => o.playbookId)).toEqual(["offer-first"]);
        // offer-first re-enters on the event (its re-entry rule is `always`) and meets the cap too.
        expect(await play(handle, "offer-first")).toMatchObject({ status: "ended", outcome: "proposed", run: 2 });
        expect(accountReasons(v)).toEqual([
          "offer-first released the account",
          "offer-first re-entered (run 2)",
          "offer-first offer suppressed: account cap of 1 offers per 90 days reached",
          "offer-later offer suppressed: account cap of 1 offers per 90 days reached",
        ]);
        expect(v.active).toBeUndefined();
        await recordHistory(handle, "account-offer-cap");
      },
      policy,
    );
  });
});

describe("detection inside the account workflow", () => {
  it("detects every play at once, opens renewal-bundle's window on a timer, times seat-upsell out, and detects it again", async () => {
    await withAccountWorker(env, plans(ALL_PLAYBOOKS), async (context) => {
      const { log, now, accounts } = context;
      // Renewal in 250 days: renewal-bundle's window opens in 160, at-risk-retention's in 130.
      const acct = account("quiet-4", now, { renewal_date: day(now, 250) });
      const handle = await context.start(acct);
      await env.sleep(60_000);
      const before = await view(handle);
      expect(before.plays.map((p) => [p.playbookId, p.status, p.run])).toEqual(
        [...ALL_PLAYBOOKS].sort().map((id) => [id, "detecting", 1]),
      );
      const upsell = before.plays.find((p) => p.playbookId === "seat-upsell");
      expect(upsell?.waitingFor).toBe("capacity (usage.updated)");
      expect(Date.parse(upsell?.waitingUntil ?? "") - now).toBeGreaterThanOrEqual(180 * DAY);
      expect(Date.parse(upsell?.waitingUntil ?? "") - now).toBeLessThan(180 * DAY + 60_000);
      expect(log.read()).toEqual([]);

      await env.sleep(161 * DAY);
      const renewal = await play(handle, "renewal-bundle");
      expect(renewal.decisions.find((d) => d.kind === "fired")).toMatchObject({
        step: "detect.1",
        reason: "trigger renewal_window",
      });
      expect(log.read()[0]?.id).toBe("renewal-bundle:quiet-4:0:orchestrate.1");
      // at-risk-retention's window opened too, but the account is not at risk: it goes on detecting.
      expect(await play(handle, "at-risk-retention")).toMatchObject({
        status: "detecting",
        waitingFor: "renewal_approaching or became_at_risk",
      });

      await env.sleep(20 * DAY);
      const timedOut = await play(handle, "seat-upsell");
      expect(timedOut).toMatchObject({ status: "ended", outcome: "timed_out", run: 1 });
      expect(reasons(timedOut)).toEqual([
        "timeout: no capacity (usage.updated) within 180 days",
        "ended: journey ended: timed_out",
      ]);
      // renewal-bundle waits in prove for the QBR (30 days from its window opening).
      expect(await play(handle, "renewal-bundle")).toMatchObject({
        status: "running",
        stage: "prove",
        step: "qbr",
        run: 1,
      });

      // seat-upsell may enter again (its re-entry rule allows it): a snapshot starts its second run.
      expect(await accounts.upsertAccount({ ...acct, health_score: 84 })).toEqual({ changed: true });
      await env.sleep(60_000);
      expect(await play(handle, "seat-upsell")).toMatchObject({
        status: "detecting",
        run: 2,
        waitingFor: "capacity (usage.updated)",
      });
      expect(accountReasons(await view(handle))).toEqual(["seat-upsell re-entered (run 2)"]);
      await recordHistory(handle, "account-detect-window-timeout");
    });
  });

  it("ends a detecting play on its exit condition and starts the play whose trigger the same update fires", async () => {
    await withAccountWorker(env, plans(["seat-upsell", "downsell-save"]), async (context) => {
      const { log, now, accounts } = context;
      const handle = await context.start(account("leaving-1", now, { renewal_date: day(now, 250) }));
      await env.sleep(60_000);
      await accounts.sendEvent("leaving-1", {
        id: "intent-1",
        type: "account.updated",
        data: { risk: { open_escalations: 0, cancellation_intent: true } },
      });
      await env.sleep(DAY);
      const upsell = await play(handle, "seat-upsell");
      expect(upsell).toMatchObject({ status: "ended", outcome: "exited: risk.cancellation_intent == true", run: 1 });
      const save = await play(handle, "downsell-save");
      expect(save).toMatchObject({ status: "running", run: 1, stage: "commit", waitingFor: "deal.closed" });
      expect(save.decisions.find((d) => d.kind === "fired")?.reason).toBe("trigger cancellation_intent");
      expect(log.read().map((e) => e.id)).toEqual([
        "downsell-save:leaving-1:0:orchestrate.1",
        "downsell-save:leaving-1:0:prove.1",
        "downsell-save:leaving-1:0:commit.1",
      ]);
    });
  });
});

describe("enrollment", () => {
  it("ends a play when a deal closes, records the outcome, and re-enters only after the re-entry delay", async () => {
    await withAccountWorker(env, plans(["reentry-play"]), async (context) => {
      const { log, now, accounts } = context;
      const acct = account("reenter-1", now);
      const handle = await context.start(acct);
      await env.sleep(60_000);
      expect(log.read().map((e) => e.id)).toEqual(["reentry-play:reenter-1:0:orchestrate.1"]);
      await accounts.sendEvent("reenter-1", { id: "deal-1", type: "deal.closed", data: { outcome: "won" } });
      await env.sleep(60_000);
      expect(await play(handle, "reentry-play")).toMatchObject({ status: "ended", outcome: "closed_won", run: 1 });
      const stages = (await searchAttributes(handle)).Stages;
      expect(stages).toEqual(["reentry-play:ended", "reentry-play:ended:closed_won"]);

      await env.sleep(10 * DAY);
      await accounts.upsertAccount({ ...acct, health_score: 81 });
      await env.sleep(60_000);
      expect(await play(handle, "reentry-play")).toMatchObject({ status: "ended", run: 1 });

      await env.sleep(21 * DAY);
      await accounts.upsertAccount({ ...acct, health_score: 80 });
      await env.sleep(60_000);
      expect(await play(handle, "reentry-play")).toMatchObject({ status: "running", run: 2 });
      expect(log.read().map((e) => e.id)).toEqual([
        "reentry-play:reenter-1:0:orchestrate.1",
        "reentry-play:reenter-1:r2.0:orchestrate.1",
      ]);
      expect(accountReasons(await view(handle))).toEqual([
        "reentry-play released the account",
        "reentry-play re-entered (run 2)",
      ]);
      await recordHistory(handle, "account-reentry");
    });
  });
});

describe("liveness: every play waiting for the account gets it once it is free", () => {
  it("a play that holds the account and ends frees it: the waiting offer is then made", async () => {
    await withAccountWorker(env, plans(["hold-account", "offer-later"]), async (context) => {
      const { log, now, accounts } = context;
      const handle = await context.start(account("free-1", now));
      await env.sleep(60_000);
      expect(log.read().map((e) => e.id)).toEqual(["hold-account:free-1:0:orchestrate.1"]);
      await accounts.sendEvent("free-1", { id: "go", type: "demo.offer_now" });
      await env.sleep(60_000);
      expect(await play(handle, "offer-later")).toMatchObject({
        status: "running",
        step: "commit.1",
        waitingFor: WAITING_FOR_ACCOUNT,
      });
      expect((await view(handle)).offers).toEqual([]);

      await env.sleep(10 * DAY);
      expect(log.read().map((e) => e.id)).toEqual([
        "hold-account:free-1:0:orchestrate.1",
        "hold-account:free-1:0:orchestrate.3",
        "offer-later:free-1:0:commit.1",
      ]);
      expect(await play(handle, "offer-later")).toMatchObject({
        status: "ended",
        outcome: "proposed",
        offers: [{ status: "proposed" }],
      });
      const v = await view(handle);
      expect(v.offers.map((o) => [o.playbookId, o.status])).toEqual([["offer-later", "proposed"]]);
      expect(accountReasons(v)).toEqual([
        "offer-later suppressed: hold-account active",
        "hold-account released the account",
        "offer-later released the account",
      ]);
      expect(v.active).toBeUndefined();
      await recordHistory(handle, "liveness-holder-ends");
    });
  });

  it("a higher priority pre-empts the active play, which gets the account back afterwards", async () => {
    await withAccountWorker(env, plans(["hold-account", "urgent-play"]), async (context) => {
      const { log, now, accounts } = context;
      const handle = await context.start(account("preempt-1", now));
      await env.sleep(60_000);
      await accounts.sendEvent("preempt-1", { id: "urgent", type: "demo.urgent" });
      await env.sleep(60_000);
      expect(log.read().map((e) => e.id)).toEqual([
        "hold-account:preempt-1:0:orchestrate.1",
        "urgent-play:preempt-1:0:orchestrate.1",
      ]);
      expect(accountReasons(await view(handle))).toEqual([
        "hold-account pre-empted by urgent-play (priority 90 over 50)",
        "urgent-play released the account",
      ]);
      expect(await play(handle, "hold-account")).toMatchObject({ status: "running", waitingFor: "10 days to pass" });

      await env.sleep(10 * DAY);
      expect(
        log
          .read()
          .map((e) => e.id)
          .at(-1),
      ).toBe("hold-account:preempt-1:0:orchestrate.3");
      expect(await play(handle, "hold-account")).toMatchObject({ status: "ended", outcome: "done" });
      const v = await view(handle);
      expect(accountReasons(v).at(-1)).toBe("hold-account released the account");
      expect(v.active).toBeUndefined();
      await recordHistory(handle, "liveness-preempt");
    });
  });

  it("equal_priority first_come: the play that holds the account keeps it until it ends", async () => {
    await withAccountWorker(
      env,
      plans(["hold-account", "wait-account"]),
      async (context) => {
        const { log, now, accounts } = context;
        const handle = await context.start(account("first-1", now));
        await env.sleep(60_000);
        await accounts.sendEvent("first-1", { id: "go", type: "demo.go" });
        await env.sleep(60_000);
        expect(log.read().map((e) => e.id)).toEqual(["hold-account:first-1:0:orchestrate.1"]);
        const waiting = await play(handle, "wait-account");
        expect(waiting).toMatchObject({ status: "running", waitingFor: WAITING_FOR_ACCOUNT });
        expect(reasons(waiting)).toEqual(["fired: trigger go", "suppressed: suppressed: hold-account active"]);
        expect((await view(handle)).active?.playbookId).toBe("hold-account");

        await env.sleep(10 * DAY);
        expect(log.read().map((e) => e.id)).toEqual([
          "hold-account:first-1:0:orchestrate.1",
          "hold-account:first-1:0:orchestrate.3",
          "wait-account:first-1:0:orchestrate.1",
        ]);
        expect(accountReasons(await view(handle))).toEqual([
          "wait-account suppressed: hold-account active",
          "hold-account released the account",
          "wait-account released the account",
        ]);
      },
      { name: "first-come", equalPriority: "first_come" },
    );
  });

  it("equal_priority latest: the later play of the same priority takes the account", async () => {
    await withAccountWorker(
      env,
      plans(["hold-account", "wait-account"]),
      async (context) => {
        const { log, now, accounts } = context;
        const handle = await context.start(account("latest-1", now));
        await env.sleep(60_000);
        await accounts.sendEvent("latest-1", { id: "go", type: "demo.go" });
        await env.sleep(60_000);
        expect(log.read().map((e) => e.id)).toEqual([
          "hold-account:latest-1:0:orchestrate.1",
          "wait-account:latest-1:0:orchestrate.1",
        ]);
        expect(accountReasons(await view(handle))).toEqual([
          "hold-account pre-empted by wait-account (priority 50 over 50)",
          "wait-account released the account",
        ]);

        await env.sleep(10 * DAY);
        expect(
          log
            .read()
            .map((e) => e.id)
            .at(-1),
        ).toBe("hold-account:latest-1:0:orchestrate.3");
        expect(await play(handle, "hold-account")).toMatchObject({ status: "ended", outcome: "done" });
        await recordHistory(handle, "liveness-equal-priority-latest");
      },
      { name: "latest", equalPriority: "latest" },
    );
  });

  it("on_conflict: end ends the play instead of waiting for the account", async () => {
    await withAccountWorker(env, plans(["hold-account", "yield-play"]), async (context) => {
      const { log, now, accounts } = context;
      const handle = await context.start(account("yield-1", now));
      await env.sleep(60_000);
      await accounts.sendEvent("yield-1", { id: "go", type: "demo.go" });
      await env.sleep(60_000);
      const yielded = await play(handle, "yield-play");
      expect(yielded).toMatchObject({ status: "ended", outcome: "suppressed: hold-account active" });
      expect(reasons(yielded)).toEqual([
        "fired: trigger go",
        "suppressed: suppressed: hold-account active",
        "ended: journey ended: suppressed: hold-account active",
      ]);
      expect(accountReasons(await view(handle))).toEqual(["yield-play suppressed: hold-account active"]);

      await env.sleep(10 * DAY); // the account is free again, but the play ended and never re-enters
      expect(log.read().map((e) => e.id)).toEqual([
        "hold-account:yield-1:0:orchestrate.1",
        "hold-account:yield-1:0:orchestrate.3",
      ]);
      expect(await play(handle, "yield-play")).toMatchObject({ status: "ended", run: 1 });
    });
  });

  it("waits out the cooldown after a declined offer, then offers again", async () => {
    const policy: AccountPolicy = {
      name: "cooldown",
      equalPriority: "first_come",
      frequency: { cooldownAfterDeclineMs: 60 * DAY },
    };
    await withAccountWorker(
      env,
      plans(["offer-now", "offer-later"]),
      async (context) => {
        const { log, now, accounts } = context;
        const handle = await context.start(account("cool-1", now));
        await env.sleep(60_000);
        expect(log.read().map((e) => e.id)).toEqual(["offer-now:cool-1:0:commit.1"]);
        await accounts.sendEvent("cool-1", { id: "no", type: "offer.declined" });
        await accounts.sendEvent("cool-1", { id: "go-1", type: "demo.offer_now" });
        await env.sleep(60_000);
        expect(log.read()).toHaveLength(1);
        const later = await play(handle, "offer-later");
        expect(later).toMatchObject({ status: "ended", outcome: "proposed", run: 1 });
        expect(reasons(later)).toContain("suppressed: suppressed: cooldown after a declined offer (offer-now)");

        await env.sleep(61 * DAY);
        await accounts.sendEvent("cool-1", { id: "go-2", type: "demo.offer_now" });
        await env.sleep(60_000);
        expect(log.read().map((e) => e.id)).toEqual([
          "offer-now:cool-1:0:commit.1",
          "offer-later:cool-1:r2.0:commit.1",
        ]);
        const v = await view(handle);
        expect(v.offers.map((o) => [o.playbookId, o.status])).toEqual([
          ["offer-now", "declined"],
          ["offer-later", "proposed"],
        ]);
        expect(accountReasons(v)).toEqual([
          "offer-now released the account",
          "offer-later offer suppressed: cooldown after a declined offer (offer-now)",
          "offer-later re-entered (run 2)",
          "offer-later released the account",
        ]);
        await recordHistory(handle, "liveness-cooldown");
      },
      policy,
    );
  });

  it("a play waiting for the account still gets it after the account continues as new", async () => {
    await withAccountWorker(env, plans(["hold-account", "wait-account"]), async (context) => {
      const { log, now, accounts } = context;
      // Thirty events: the start and the play that waits fit in the first run; the next input does not.
      const handle = await startSmall(env, context, account("canwait-1", now), 30);
      await env.sleep(60_000);
      await accounts.sendEvent("canwait-1", { id: "go", type: "demo.go" });
      await env.sleep(60_000);
      expect(await play(handle, "wait-account")).toMatchObject({ status: "running", waitingFor: WAITING_FOR_ACCOUNT });
      // The next input finds a history longer than twenty events: the account continues as new.
      await accounts.sendEvent("canwait-1", { id: "note-1", type: "note.added" });
      await env.sleep(60_000);
      // The run now going started from a continue-as-new that carried the wait and the holder.
      const { runId, firstRunId, previousRunId, input } = await currentRun(env, handle);
      expect(runId).not.toBe(firstRunId);
      expect(previousRunId).toBe(firstRunId);
      expect(input.carried?.core.active?.playbookId).toBe("hold-account");
      expect(input.carried?.core.plays["wait-account"]).toMatchObject({
        status: "running",
        step: "orchestrate.1",
        wait: { kind: "account", holder: "hold-account" },
      });
      await recordHistory(
        env.client.workflow.getHandle(handle.workflowId, firstRunId),
        "liveness-continue-as-new-waiting",
      );

      await env.sleep(10 * DAY);
      expect(log.read().map((e) => e.id)).toEqual([
        "hold-account:canwait-1:0:orchestrate.1",
        "hold-account:canwait-1:0:orchestrate.3",
        "wait-account:canwait-1:0:orchestrate.1",
      ]);
      expect(await play(handle, "wait-account")).toMatchObject({ status: "ended", outcome: "done" });
      await recordHistory(handle, "liveness-after-continue-as-new");
    });
  });

  it("a play waiting for the account gets it when the holder loops back to detect", async () => {
    await withAccountWorker(env, plans(["loop-holder", "wait-account"]), async (context) => {
      const { log, now, accounts } = context;
      const handle = await context.start(account("loopwait-1", now));
      await accounts.sendEvent("loopwait-1", { id: "p1", type: "demo.ping" });
      await env.sleep(60_000);
      await accounts.sendEvent("loopwait-1", { id: "go", type: "demo.go" });
      await env.sleep(60_000);
      expect(log.read().map((e) => e.id)).toEqual(["loop-holder:loopwait-1:0:orchestrate.1"]);
      expect(await play(handle, "wait-account")).toMatchObject({ waitingFor: WAITING_FOR_ACCOUNT });

      await env.sleep(7 * DAY); // five days' wait, the loop's one-day pause, then back to detect
      expect(log.read().map((e) => e.id)).toEqual([
        "loop-holder:loopwait-1:0:orchestrate.1",
        "wait-account:loopwait-1:0:orchestrate.1",
      ]);
      expect(await play(handle, "loop-holder")).toMatchObject({
        status: "detecting",
        stage: "detect",
        iteration: 1,
        waitingFor: "ping (demo.ping)",
      });
      let v = await view(handle);
      expect(accountReasons(v)).toEqual([
        "wait-account suppressed: loop-holder active",
        "loop-holder released the account",
        "wait-account released the account",
      ]);
      expect(v.active).toBeUndefined();

      await accounts.sendEvent("loopwait-1", { id: "p2", type: "demo.ping" });
      await env.sleep(60_000);
      expect(
        log
          .read()
          .map((e) => e.id)
          .at(-1),
      ).toBe("loop-holder:loopwait-1:1:orchestrate.1");
      v = await view(handle);
      expect(v.active?.playbookId).toBe("loop-holder");
      await recordHistory(handle, "liveness-holder-loops");
    });
  });
});
