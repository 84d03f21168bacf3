// One account's plays on the real Temporal time-skipping test server: months of waiting in
// milliseconds, each account one workflow running every play on the journey core.
import type { TestWorkflowEnvironment } from "@temporalio/testing";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { PlayView } from "../../engine/journey/account-view.js";
import { compilePlaybook, type CompiledPlan } from "../../engine/index.js";
import { DEFAULT_POLICY } from "../../engine/validate/validate-policy.js";
import { capacityPrompt, capacityPromptDecisions, readRepoFile, SKIPPED_BY_WHEN } from "../helpers.js";
import { stateQuery } from "../../engine/messages/account-messages.js";
import { UnknownAccountError } from "../../engine/runtime/account-client.js";
import {
  DAY,
  account,
  announce,
  day,
  plan,
  play,
  recordHistory,
  terminateStarted,
  timeSkippingEnv,
  view,
  viewWhen,
  withAccountWorker,
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

const types = (events: { type: string }[]) => events.map((e) => e.type.replace("playloop.action.", ""));
const reasons = (p: PlayView) => p.decisions.map((d) => `${d.kind}: ${d.reason}`);
const HOUR = 3_600_000;

describe("seat-upsell on a real Temporal server", () => {
  it("delivers orchestrate actions on 80% usage, times out the QBR and the 45-day deal wait, and loops back to detect", async () => {
    const seatUpsell = plan("seat-upsell");
    await withAccountWorker(env, [seatUpsell], async (context) => {
      const { log, now, accounts } = context;
      const handle = await context.start(account("acme-1", now));
      await env.sleep(1000);
      expect((await play(handle, "seat-upsell")).waitingFor).toBe("capacity (usage.updated)");
      await accounts.sendEvent("acme-1", {
        id: "u1",
        type: "usage.updated",
        data: { usage: { seat_utilization: 0.7 } },
      });
      await env.sleep(DAY);
      expect(log.read()).toEqual([]); // 70% is below the trigger
      await accounts.sendEvent("acme-1", {
        id: "u2",
        type: "usage.updated",
        data: { usage: { seat_utilization: 0.92 } },
      });
      await env.sleep(DAY);
      expect(types(log.read())).toEqual(["inapp.prompt", "crm.task", "report.roi_snapshot"]);
      // The capacity_prompt experiment gives acme-1 one of the two prompts (the insight one).
      const variant = capacityPrompt("acme-1");
      const [prompt, task] = log.read();
      expect(prompt).toMatchObject({
        specversion: "1.0",
        id: `seat-upsell:acme-1:0:${variant.step}`,
        source: "playloop/playbooks/seat-upsell",
        subject: "acme-1",
        datacontenttype: "application/json",
        data: {
          playbook: { id: "seat-upsell", version: seatUpsell.version },
          stage: "orchestrate",
          step: variant.step,
          template: variant.template,
          experiments: { capacity_prompt: variant.variant },
        },
      });
      expect(task?.data).toMatchObject({
        step: "orchestrate.4",
        owner: "csm",
        title: "Capacity review with Acme Corp",
        body: `Seat utilization is at 92% of the plan. In-app prompt variant: ${variant.variant}.`,
        sla_ms: 2 * DAY,
        experiments: { capacity_prompt: variant.variant },
      });
      expect((await searchAttributes(handle)).Plays).toContain(`seat-upsell#capacity_prompt=${variant.variant}`);

      await env.sleep(31 * DAY); // no QBR within 30 days: on to commit
      expect(types(log.read()).at(-1)).toBe("offer.propose");
      expect(log.read().at(-1)?.data).toMatchObject({ offer: { sku: "seats", quantity: "+20%", discount: 0.1 } });
      expect((await play(handle, "seat-upsell")).waitingFor).toBe("deal.closed");

      await env.sleep(46 * DAY); // no deal within 45 days: on to expand
      let p = await play(handle, "seat-upsell");
      expect(p.stage).toBe("expand");
      expect(reasons(p)).toContain("timeout: no deal.closed within 45 days");
      expect(types(log.read()).at(-1)).toBe("crm.task");

      await env.sleep(91 * DAY); // the loop's 90-day pause, then back to detect
      p = await play(handle, "seat-upsell");
      expect(p.stage).toBe("detect");
      expect(p.iteration).toBe(1);
      expect(p.waitingFor).toBe("capacity (usage.updated)");
      const described = await handle.describe();
      expect(described.typedSearchAttributes.getAll().map((pair) => pair.key.name)).toContain("Stages");
      await recordHistory(handle, "seat-upsell-loop");
      expect((await view(handle)).plays).toHaveLength(1);
    });
  });

  it("re-checks guardrails before the offer: an account that became at risk during the wait gets none", async () => {
    await withAccountWorker(env, [plan("seat-upsell")], async (context) => {
      const { log, now, accounts } = context;
      const handle = await context.start(account("guard-1", now));
      await accounts.sendEvent("guard-1", {
        id: "u1",
        type: "usage.updated",
        data: { usage: { seat_utilization: 0.95 } },
      });
      await env.sleep(DAY);
      expect(types(log.read())).toEqual(["inapp.prompt", "crm.task", "report.roi_snapshot"]);
      await accounts.sendEvent("guard-1", { id: "a1", type: "account.updated", data: { health_score: 32 } });
      await env.sleep(31 * DAY); // the QBR wait times out: on to the offer, which the guardrails now refuse
      const p = await play(handle, "seat-upsell");
      expect(types(log.read())).toEqual(["inapp.prompt", "crm.task", "report.roi_snapshot"]);
      expect(p.decisions).toContainEqual(
        expect.objectContaining({ kind: "suppressed", reason: "suppressed: at_risk", step: "commit.1" }),
      );
      expect(p.offers).toEqual([]);
      expect(p).toMatchObject({ status: "running", stage: "commit", step: "commit.2", waitingFor: "deal.closed" });
      expect((await view(handle)).offers).toEqual([]);
      expect((await searchAttributes(handle)).LastSuppression).toBe("seat-upsell: suppressed: at_risk");
      await recordHistory(handle, "seat-upsell-suppressed");
    });
  });

  it("ignores a repeated event id and never delivers an action twice", async () => {
    await withAccountWorker(env, [plan("seat-upsell")], async (context) => {
      const { log, now, accounts } = context;
      const handle = await context.start(account("acme-3", now));
      const event = { id: "same", type: "usage.updated", data: { usage: { seat_utilization: 0.9 } } };
      expect(await accounts.sendEvent("acme-3", event)).toEqual({ duplicate: false });
      expect(await accounts.sendEvent("acme-3", event)).toEqual({ duplicate: true });
      expect(await accounts.sendEvent("acme-3", { ...event, id: "other" })).toEqual({ duplicate: false });
      await env.sleep(DAY);
      expect(await accounts.sendEvent("acme-3", event)).toEqual({ duplicate: true }); // still, once applied
      const ids = log.read().map((e) => e.id);
      expect(ids).toEqual([
        `seat-upsell:acme-3:0:${capacityPrompt("acme-3").step}`,
        "seat-upsell:acme-3:0:orchestrate.4",
        "seat-upsell:acme-3:0:prove.1",
      ]);
      const p = await play(handle, "seat-upsell");
      expect(p.decisions.filter((d) => d.kind === "fired").map((d) => d.reason)).toEqual(["trigger capacity"]);
      // A retried delivery of the same action (same id) adds nothing either.
      const first = log.read()[0];
      if (first !== undefined) await log.sink.deliver(first);
      expect(log.read()).toHaveLength(3);
    });
  });

  it("does not lose an event that arrives with the account's start", async () => {
    await withAccountWorker(env, [plan("seat-upsell")], async (context) => {
      const { log, now, accounts } = context;
      // The event is sent while the account starts, as soon as its workflow exists: it usually lands
      // in the workflow's first task with the snapshot, before the core has applied either.
      const starting = context.start(account("early-1", now));
      const event = { id: "u1", type: "usage.updated", data: { usage: { seat_utilization: 0.9 } } };
      let sent: { duplicate: boolean } | undefined;
      while (sent === undefined) {
        try {
          sent = await accounts.sendEvent("early-1", event);
        } catch (error) {
          if (!(error instanceof UnknownAccountError)) throw error;
          await env.sleep(1);
        }
      }
      expect(sent).toEqual({ duplicate: false });
      const handle = await starting;
      await env.sleep(DAY);
      const prompt = capacityPrompt("early-1");
      expect(log.read().map((e) => e.data.step)).toEqual([prompt.step, "orchestrate.4", "prove.1"]);
      const p = await play(handle, "seat-upsell");
      expect(reasons(p).slice(0, 4)).toEqual([
        "fired: trigger capacity",
        `experiment: experiment capacity_prompt: variant ${prompt.variant} (50%)`,
        SKIPPED_BY_WHEN, // the other variant's prompt; the delivery reports come after the steps
        `delivered: inapp.prompt delivered as seat-upsell:early-1:0:${prompt.step}`,
      ]);
      await recordHistory(handle, "seat-upsell-early-event");
    });
  });

  it("records a holdout's decisions and delivers nothing", async () => {
    // acme-2 falls in seat-upsell's 10% control group (a stable hash of the playbook and account).
    await withAccountWorker(env, [plan("seat-upsell")], async (context) => {
      const { log, now, accounts } = context;
      const handle = await context.start(account("acme-2", now));
      await accounts.sendEvent("acme-2", {
        id: "u1",
        type: "usage.updated",
        data: { usage: { seat_utilization: 0.9 } },
      });
      await env.sleep(DAY);
      const v = await viewWhen(env, handle, (current) => current.plays[0]?.stage === "prove");
      const p = await play(handle, "seat-upsell");
      expect(log.read()).toEqual([]);
      expect(p).toMatchObject({ holdout: true, engaged: true, stage: "prove", waitingFor: "qbr.completed" });
      expect(reasons(p)).toEqual([
        "holdout: holdout: in the 10% control group; decisions recorded, no actions delivered",
        "fired: trigger capacity",
        // A held-out play gets a variant too: its prompt is held out, the other one skipped.
        ...capacityPromptDecisions(
          capacityPrompt("acme-2"),
          "holdout: holdout: playloop.action.inapp.prompt not delivered",
        ),
        "holdout: holdout: playloop.action.crm.task not delivered",
        "holdout: holdout: playloop.action.report.roi_snapshot not delivered",
      ]);
      expect(v.active).toBeUndefined(); // a held-out play never holds the account
      expect(await searchAttributes(handle)).toMatchObject({
        Holdouts: ["seat-upsell"],
        Stages: ["seat-upsell:prove"],
      });
      await recordHistory(handle, "seat-upsell-holdout");
    });
  });
});

describe("time windows", () => {
  it("renewal-bundle fires 90 days before renewal, not before", async () => {
    await withAccountWorker(env, [plan("renewal-bundle")], async (context) => {
      const { log, now } = context;
      const renewal = Date.parse(day(now, 200));
      const handle = await context.start(account("hooli-1", now, { renewal_date: day(now, 200) }));
      await env.sleep(108 * DAY);
      expect(log.read()).toEqual([]);
      expect(await play(handle, "renewal-bundle")).toMatchObject({
        status: "detecting",
        run: 1,
        waitingFor: "renewal_window",
      });
      await env.sleep(4 * DAY);
      const first = log.read()[0];
      expect(types(log.read()).slice(0, 2)).toEqual(["crm.task", "email.send"]);
      expect(first?.id).toBe("renewal-bundle:hooli-1:0:orchestrate.1");
      // Rendered with Liquid inside the workflow: nested fields, and dates in the account's zone.
      expect(first?.data.body).toMatch(
        /^Acme Corp \(growth, 50 seats, ARR 48000\) renews on \w+ \d+, \d{4}; the window opened \w+ \w+ \d+ at \d+:\d\d [ap]m E[SD]T\.$/,
      );
      const renews = new Date(renewal).toLocaleDateString("en-US", { dateStyle: "long", timeZone: "UTC" });
      expect(log.read()[1]?.data.variables).toEqual({ company: "Acme Corp", tier: "Growth", renews_on: renews });
      const firedAt = Date.parse(first?.time ?? "");
      expect(firedAt).toBeGreaterThanOrEqual(renewal - 90 * DAY);
      expect(firedAt).toBeLessThan(renewal - 89 * DAY);
      const p = await play(handle, "renewal-bundle");
      expect(p.decisions.find((d) => d.kind === "fired")).toMatchObject({
        stage: "detect",
        step: "detect.1",
        reason: "trigger renewal_window",
      });
      await recordHistory(handle, "renewal-bundle-window");
    });
  });

  it("re-arms the window when a CRM update moves the renewal date during the wait", async () => {
    await withAccountWorker(env, [plan("renewal-bundle")], async (context) => {
      const { log, now, accounts } = context;
      const original = account("hooli-2", now, { renewal_date: day(now, 200) });
      const handle = await context.start(original);
      await env.sleep(50 * DAY);
      expect(await accounts.upsertAccount({ ...original, renewal_date: day(now, 400) })).toEqual({ changed: true });
      expect(await accounts.upsertAccount({ ...original, renewal_date: day(now, 400) })).toEqual({ changed: false });
      await env.sleep(70 * DAY); // day 120: past the old window's opening
      expect(log.read()).toEqual([]);
      expect(await play(handle, "renewal-bundle")).toMatchObject({ status: "detecting", waitingFor: "renewal_window" });
      await env.sleep(192 * DAY); // day 312: 88 days before the new date
      const firedAt = Date.parse(log.read()[0]?.time ?? "");
      expect(firedAt).toBeGreaterThanOrEqual(Date.parse(day(now, 400)) - 90 * DAY);
      expect(firedAt).toBeLessThan(Date.parse(day(now, 400)) - 89 * DAY);
      await recordHistory(handle, "renewal-bundle-moved");
    });
  });

  it("fires 60 days after onboarding", async () => {
    await withAccountWorker(env, [plan("onboarding-upsell")], async (context) => {
      const { log, now } = context;
      const handle = await context.start(account("new-1", now, { onboarded_at: day(now, 0) }));
      await env.sleep(59 * DAY);
      expect(log.read()).toEqual([]);
      await env.sleep(2 * DAY);
      expect(await play(handle, "onboarding-upsell")).toMatchObject({ status: "ended", outcome: "engaged", run: 1 });
      expect(log.read().map((e) => e.id)).toEqual(["onboarding-upsell:new-1:0:orchestrate.1"]);
      const firedAt = Date.parse(log.read()[0]?.time ?? "");
      expect(firedAt).toBeGreaterThanOrEqual(Date.parse(day(now, 60)));
      expect(firedAt).toBeLessThan(Date.parse(day(now, 61)));
      await recordHistory(handle, "onboarding-window");
    });
  });

  it("holds an action outside the send window until it opens in the account's time zone", async () => {
    await withAccountWorker(env, [plan("send-window")], async (context) => {
      const { log, now } = context;
      // Start at 20:00 in Tokyo (11:00 UTC) on a Monday to Thursday: the window opens at 09:00 the next day.
      let start = Math.ceil((now + HOUR) / DAY) * DAY + 11 * HOUR;
      while (![1, 2, 3, 4].includes(new Date(start + 9 * HOUR).getUTCDay())) start += DAY;
      await env.sleep(start - (await env.currentTimeMs()));
      const handle = await context.start(account("tokyo-1", now, { timezone: "Asia/Tokyo" }));
      const opens = start + 13 * HOUR;
      await env.sleep(2 * DAY);
      const p = await play(handle, "send-window");
      expect(reasons(p)).toEqual([
        `held: held: outside send window until ${new Date(opens).toISOString()} (Asia/Tokyo)`,
        "ended: journey ended: done", // the journey moves on while the action is delivered
        "delivered: crm.task delivered as send-window:tokyo-1:0:orchestrate.1",
      ]);
      const sentAt = Date.parse(log.read()[0]?.time ?? "");
      expect(sentAt).toBeGreaterThanOrEqual(opens);
      expect(sentAt).toBeLessThan(opens + 60_000);
      const local = new Intl.DateTimeFormat("en-US", {
        timeZone: "Asia/Tokyo",
        weekday: "short",
        hour: "numeric",
        hourCycle: "h23",
      }).formatToParts(new Date(sentAt));
      expect(Number(local.find((part) => part.type === "hour")?.value)).toBe(9);
      expect(["Tue", "Wed", "Thu", "Fri"]).toContain(local.find((part) => part.type === "weekday")?.value);
      await recordHistory(handle, "send-window-tokyo");
    });
  });
});

describe("discount fences and approvals", () => {
  it("asks for approval above the threshold, escalates when the SLA passes, and offers once granted", async () => {
    await withAccountWorker(env, [plan("approval-upsell")], async (context) => {
      const { log, now, accounts } = context;
      const handle = await context.start(account("acme-5", now));
      await accounts.sendEvent("acme-5", {
        id: "u1",
        type: "usage.updated",
        data: { usage: { seat_utilization: 0.9 } },
      });
      await env.sleep(60_000);
      expect(log.read().map((e) => e.id)).toEqual(["approval-upsell:acme-5:0:commit.1:approval"]);
      expect(log.read()[0]).toMatchObject({ type: "playloop.action.approval.request", data: { approver: "finance" } });
      expect(await play(handle, "approval-upsell")).toMatchObject({
        waitingFor: "approval of commit.1 by finance",
        offers: [{ step: "commit.1", status: "awaiting_approval" }],
      });
      await env.sleep(3 * DAY + 60_000);
      expect(log.read().map((e) => e.id)).toEqual([
        "approval-upsell:acme-5:0:commit.1:approval",
        "approval-upsell:acme-5:0:commit.1:escalation",
      ]);
      expect(log.read().at(-1)?.data).toMatchObject({
        approver: "vp_finance",
        reason: "no answer from finance within 3 days",
      });
      expect((await play(handle, "approval-upsell")).waitingFor).toBe("approval of commit.1 by vp_finance");
      await accounts.sendEvent("acme-5", { id: "ok", type: "approval.granted", data: { step: "commit.1" } });
      await env.sleep(60_000);
      expect(types(log.read())).toEqual(["approval.request", "approval.request", "offer.propose"]);
      expect(log.read().at(-1)?.id).toBe("approval-upsell:acme-5:0:commit.1");
      const p = await play(handle, "approval-upsell");
      expect(p).toMatchObject({ status: "ended", outcome: "proposed", offers: [{ status: "proposed" }] });
      expect(reasons(p)).toEqual([
        "fired: trigger capacity",
        "approval: approval requested: discount 12% above the approval threshold (10%)",
        "delivered: approval.request delivered as approval-upsell:acme-5:0:commit.1:approval",
        "approval: approval SLA of 3 days passed: escalated to vp_finance",
        "delivered: approval.request delivered as approval-upsell:acme-5:0:commit.1:escalation",
        "ended: journey ended: proposed",
        "delivered: offer.propose delivered as approval-upsell:acme-5:0:commit.1",
      ]);
      await recordHistory(handle, "approval-escalated");
    });
  });

  it("never emits an offer the approver rejects", async () => {
    await withAccountWorker(env, [plan("approval-upsell")], async (context) => {
      const { log, now, accounts } = context;
      const handle = await context.start(account("acme-6", now));
      await accounts.sendEvent("acme-6", {
        id: "u1",
        type: "usage.updated",
        data: { usage: { seat_utilization: 0.9 } },
      });
      await env.sleep(60_000);
      await accounts.sendEvent("acme-6", { id: "no", type: "approval.rejected", data: { step: "commit.1" } });
      await env.sleep(60_000);
      expect(types(log.read())).toEqual(["approval.request"]);
      const p = await play(handle, "approval-upsell");
      expect(p).toMatchObject({ status: "ended", outcome: "proposed" });
      expect(p.offers.map((o) => o.status)).toEqual(["rejected"]);
      expect(reasons(p)).toContain("blocked: offer rejected by the approver");
      expect((await view(handle)).offers).toEqual([]); // never in the account's ledger
    });
  });

  it("blocks offers above the account's tier fence or below the floor price, and records why", async () => {
    await withAccountWorker(env, [plan("fenced-offer")], async (context) => {
      const { log, now } = context;
      const growthHandle = await context.start(account("growth-1", now));
      await env.sleep(60_000);
      const entHandle = await context.start(
        account("ent-1", now, { plan: { tier: "enterprise", seats: 200, list_price_per_seat: 80 } }),
      );
      await env.sleep(60_000);
      expect(log.read().map((e) => e.id)).toEqual([
        "fenced-offer:growth-1:0:tier_fenced",
        "fenced-offer:growth-1:0:inside",
        "fenced-offer:ent-1:0:inside",
      ]);
      const growth = await play(growthHandle, "fenced-offer");
      const enterprise = await play(entHandle, "fenced-offer");
      expect(growth).toMatchObject({ status: "ended", outcome: "done" });
      expect(enterprise).toMatchObject({ status: "ended", outcome: "done" });
      expect(growth.decisions).toContainEqual(
        expect.objectContaining({
          kind: "blocked",
          step: "below_floor",
          reason: "offer not emitted: price per seat 68.00 below the floor (70)",
        }),
      );
      expect(enterprise.decisions).toContainEqual(
        expect.objectContaining({
          kind: "blocked",
          step: "tier_fenced",
          reason: "offer not emitted: discount 10% above the enterprise tier's fence (5%)",
        }),
      );
      expect(enterprise.decisions).toContainEqual(
        expect.objectContaining({
          kind: "blocked",
          step: "below_floor",
          reason: "offer not emitted: discount 15% above the enterprise tier's fence (5%)",
        }),
      );
      await recordHistory(entHandle, "fenced-offer-enterprise");
    });
  });
});

describe("accounts that run for years", () => {
  it("continue as new, carrying the iteration, and keep delivering once per iteration", async () => {
    await withAccountWorker(env, [plan("looping")], async (context) => {
      const { log, now } = context;
      const handle = await startSmall(env, context, account("loop-1", now), 40);
      await env.sleep(40 * DAY + 12 * HOUR); // an iteration every two days: the 20th loop at day 40
      const { runId, firstRunId } = await currentRun(env, handle);
      expect(runId).not.toBe(firstRunId);
      await recordHistory(env.client.workflow.getHandle(handle.workflowId, firstRunId), "looping-continued-as-new");
      const p = await play(handle, "looping");
      expect(p.iteration).toBe(20);
      const ids = log.read().map((e) => e.id);
      expect(ids).toEqual(Array.from({ length: 20 }, (_, i) => `looping:loop-1:${i}:orchestrate.1`));
      const history = await handle.fetchHistory();
      expect(history.events?.length ?? 0).toBeLessThan(80);
    });
  });

  it("continues as new while a play waits for a deal, and the deal still moves it on; seen event ids are carried", async () => {
    await withAccountWorker(env, [plan("deal-wait")], async (context) => {
      const { log, now, accounts } = context;
      // Thirty events: the start fits in the first run; a few notes later it continues as new.
      const handle = await startSmall(env, context, account("midwait-1", now), 30);
      await env.sleep(60_000);
      expect(log.read().map((e) => e.id)).toEqual(["deal-wait:midwait-1:0:orchestrate.1"]);
      const first = (await handle.describe()).runId;
      const sent: string[] = [];
      for (let i = 1; i <= 10 && (await handle.describe()).runId === first; i++) {
        sent.push(`note-${i}`);
        expect(await accounts.sendEvent("midwait-1", { id: `note-${i}`, type: "note.added" })).toEqual({
          duplicate: false,
        });
        await env.sleep(60_000);
      }

      // The run now going started from a continue-as-new that carried the wait, its start and the
      // event ids the account had seen ...
      const { runId, firstRunId, previousRunId, input } = await currentRun(env, handle);
      expect(runId).not.toBe(firstRunId);
      expect(input.maxHistoryEvents).toBe(30);
      expect(input.carried?.core.plays["deal-wait"]).toMatchObject({
        status: "running",
        step: "orchestrate.2",
        wait: { kind: "step" },
      });
      expect(sent.length).toBeGreaterThan(0);
      expect(input.carried?.core.seen).toEqual(sent);
      // ... and the first run closed by continuing as new while the play waited for deal.closed.
      expect(previousRunId).toBe(firstRunId);
      const previous = env.client.workflow.getHandle(handle.workflowId, firstRunId);
      const closed = (await previous.fetchHistory()).events?.at(-1);
      expect(closed?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId).toBe(runId);
      expect((await previous.query(stateQuery)).plays[0]).toMatchObject({
        status: "running",
        step: "orchestrate.2",
        waitingFor: "deal.closed",
      });
      await recordHistory(previous, "deal-wait-continued-as-new");
      // The id seen before the continue-as-new is still a repeat.
      expect(await accounts.sendEvent("midwait-1", { id: "note-1", type: "note.added" })).toEqual({
        duplicate: true,
      });
      // Soft: the deal below says whether the wait itself survived.
      const p = await play(handle, "deal-wait");
      expect.soft(p).toMatchObject({ status: "running", waitingFor: "deal.closed" });
      expect.soft(Date.parse(p.waitingUntil ?? "") - now).toBeGreaterThanOrEqual(60 * DAY);
      expect.soft(Date.parse(p.waitingUntil ?? "") - now).toBeLessThan(60 * DAY + 60_000);

      await env.sleep(5 * DAY);
      expect(
        await accounts.sendEvent("midwait-1", { id: "deal-1", type: "deal.closed", data: { outcome: "won" } }),
      ).toEqual({ duplicate: false });
      await env.sleep(60_000);
      expect(log.read().map((e) => e.id)).toEqual([
        "deal-wait:midwait-1:0:orchestrate.1",
        "deal-wait:midwait-1:0:expand.1",
      ]);
      const ended = await play(handle, "deal-wait");
      expect(ended).toMatchObject({ status: "ended", outcome: "won" });
      expect(reasons(ended)).toContain("fired: deal.closed received");
      expect(await accounts.sendEvent("midwait-1", { id: "deal-1", type: "deal.closed" })).toEqual({
        duplicate: true,
      });
      await recordHistory(handle, "deal-wait-after-continue-as-new");
    });
  });
});

describe("plans referenced by version", () => {
  it("moves a detecting play to an edited playbook, keeps a running one on its version until it loops back to detect, and starts an added playbook", async () => {
    const v1 = plan("seat-upsell");
    const source = readRepoFile("playbooks/seat-upsell.yaml").replace(
      "template: capacity-insight",
      "template: capacity-insight-v2",
    );
    const compiled = compilePlaybook(source, "playbooks/seat-upsell.yaml").plan;
    if (compiled === undefined) throw new Error("the edited playbook does not compile");
    const v2: CompiledPlan = compiled;
    await withAccountWorker(env, [v1], async (context) => {
      const { log, now, accounts, registry } = context;
      const running = await context.start(account("pinned-1", now));
      const detecting = await context.start(account("moved-1", now));
      await accounts.sendEvent("pinned-1", {
        id: "u1",
        type: "usage.updated",
        data: { usage: { seat_utilization: 0.9 } },
      });
      await env.sleep(DAY);
      expect((await play(running, "seat-upsell")).stage).toBe("prove");

      // A deploy: the worker now serves v2 and a new playbook.
      registry.deploy([v2, plan("offer-later")], DEFAULT_POLICY, 2);
      await announce(registry, running, detecting);
      await accounts.sendEvent("moved-1", {
        id: "u1",
        type: "usage.updated",
        data: { usage: { seat_utilization: 0.9 } },
      });
      await accounts.sendEvent("pinned-1", { id: "n1", type: "note.added" });
      await env.sleep(DAY);
      // Both accounts get the insight prompt, whose template v2 edits.
      expect([capacityPrompt("moved-1").variant, capacityPrompt("pinned-1").variant]).toEqual(["insight", "insight"]);
      const moved = log.read().filter((e) => e.subject === "moved-1");
      expect(moved[0]?.data).toMatchObject({ template: "capacity-insight-v2", playbook: { version: v2.version } });
      expect((await view(detecting)).plays.map((p) => [p.playbookId, p.status])).toEqual([
        ["offer-later", "detecting"],
        ["seat-upsell", "running"],
      ]);
      const pinned = await play(running, "seat-upsell");
      expect(pinned.version).toBe(v1.version);
      expect((await view(running)).planSet).toEqual({
        "offer-later": plan("offer-later").version,
        "seat-upsell": v2.version,
      });

      // The running play ends its iteration on v1, then loops back to detect and takes v2.
      await env.sleep(200 * DAY);
      const after = await play(running, "seat-upsell");
      expect(after).toMatchObject({ version: v2.version, stage: "detect", iteration: 1, status: "detecting" });
      expect(after.decisions.map((d) => d.reason)).toContain(`now follows version ${v2.version} (was ${v1.version})`);
      await accounts.sendEvent("pinned-1", {
        id: "u2",
        type: "usage.updated",
        data: { usage: { seat_utilization: 0.95 } },
      });
      await env.sleep(DAY);
      const second = log
        .read()
        .filter(
          (e) => e.subject === "pinned-1" && e.id === `seat-upsell:pinned-1:1:${capacityPrompt("pinned-1").step}`,
        );
      expect(second[0]?.data).toMatchObject({ template: "capacity-insight-v2" });
      await recordHistory(running, "playbook-changed-between-runs");
      await recordHistory(detecting, "playbook-changed-while-detecting");
    });
  });
});

describe("operators and new versions while journeys run", () => {
  /** seat-upsell compiled from its YAML with `edit` applied. */
  const seatUpsellEdited = (edit: (text: string) => string): CompiledPlan => {
    const compiled = compilePlaybook(
      edit(readRepoFile("playbooks/seat-upsell.yaml")),
      "playbooks/seat-upsell.yaml",
    ).plan;
    if (compiled === undefined) throw new Error("the edited playbook does not compile");
    return compiled;
  };

  it("migrates a journey waiting in prove to the new version at commit, which sends the new offer", async () => {
    const v1 = plan("seat-upsell");
    const v2 = seatUpsellEdited(
      (text) => `versioning: { running: at_stage_boundary }\n${text.replace("quantity: +20%", "quantity: +30%")}`,
    );
    await withAccountWorker(env, [v1], async (context) => {
      const { log, now, accounts, registry } = context;
      const handle = await context.start(account("migrating-1", now));
      await accounts.sendEvent("migrating-1", {
        id: "u1",
        type: "usage.updated",
        data: { usage: { seat_utilization: 0.9 } },
      });
      await env.sleep(DAY);
      expect((await play(handle, "seat-upsell")).stage).toBe("prove");
      registry.deploy([v2], DEFAULT_POLICY, 2);
      await announce(registry, handle);
      await env.sleep(DAY);
      // Mid-stage it stays on v1, still waiting for the QBR.
      expect(await play(handle, "seat-upsell")).toMatchObject({ version: v1.version, stage: "prove" });
      await accounts.sendEvent("migrating-1", { id: "qbr-1", type: "qbr.completed" });
      await env.sleep(DAY);
      const migrated = await play(handle, "seat-upsell");
      expect(migrated).toMatchObject({ version: v2.version, stage: "commit", status: "running" });
      expect(migrated.decisions.map((d) => d.reason)).toContain(
        `migrated to version ${v2.version} (was ${v1.version}) entering commit`,
      );
      const offer = log.read().find((e) => e.subject === "migrating-1" && e.data.action === "offer.propose");
      expect(offer?.data).toMatchObject({ offer: { quantity: "+30%" }, playbook: { version: v2.version } });
      await recordHistory(handle, "migrated-at-stage-boundary");
    });
  });

  it("holds a paused play's actions in the account and sends them when it resumes", async () => {
    const v1 = plan("seat-upsell");
    await withAccountWorker(env, [v1], async (context) => {
      const { log, now, accounts, registry } = context;
      const handle = await context.start(account("paused-1", now));
      const set = registry.set;
      registry.adopt({ ...set, id: `${set.id}-paused`, loadedAt: 2, controls: { "seat-upsell": "paused" } }, []);
      await announce(registry, handle);
      await accounts.sendEvent("paused-1", {
        id: "u1",
        type: "usage.updated",
        data: { usage: { seat_utilization: 0.9 } },
      });
      await env.sleep(DAY);
      expect(await play(handle, "seat-upsell")).toMatchObject({ stage: "prove", control: "paused", held: 3 });
      expect(log.read().filter((e) => e.subject === "paused-1")).toEqual([]);
      expect((await searchAttributes(handle)).Paused).toBe("seat-upsell");
      registry.adopt({ ...set, loadedAt: 3 }, []);
      await announce(registry, handle);
      await env.sleep(DAY);
      expect(
        log
          .read()
          .filter((e) => e.subject === "paused-1")
          .map((e) => e.data.action),
      ).toEqual(["inapp.prompt", "crm.task", "report.roi_snapshot"]);
      expect(await play(handle, "seat-upsell")).toMatchObject({ held: 0 });
      expect((await searchAttributes(handle)).Paused).toBeUndefined();
      await recordHistory(handle, "paused-held-and-released");
    });
  });
});
