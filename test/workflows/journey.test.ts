// Journeys on the real Temporal time-skipping test server: months of waiting in milliseconds.
import type { TestWorkflowEnvironment } from "@temporalio/testing";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { JourneyState } from "../../engine/journey/journey-types.js";
import {
  DAY,
  account,
  day,
  plan,
  recordHistory,
  startJourney,
  state,
  stateWhen,
  terminateStarted,
  timeSkippingEnv,
  withJourneyWorker,
} from "./harness.js";

let env: TestWorkflowEnvironment;

beforeAll(async () => {
  env = await timeSkippingEnv();
}, 60_000);

afterEach(terminateStarted);

afterAll(async () => {
  await env?.teardown();
});

const types = (events: { type: string }[]) => events.map((e) => e.type.replace("playloop.action.", ""));
const reasons = (s: JourneyState) => s.decisions.map((d) => `${d.kind}: ${d.reason}`);

describe("seat-upsell on a real Temporal server", () => {
  it("delivers orchestrate actions on 80% usage, times out the QBR and the 45-day deal wait, and loops back to detect", async () => {
    const seatUpsell = plan("seat-upsell");
    await withJourneyWorker(env, async ({ log, taskQueue, now }) => {
      const handle = await startJourney(env, taskQueue, {
        plan: seatUpsell,
        account: account("acme-1", now),
        holdout: false,
      });
      await env.sleep(1000);
      expect((await state(handle)).waitingFor).toBe("capacity (usage.updated)");
      await handle.signal("event", { id: "u1", type: "usage.updated", data: { usage: { seat_utilization: 0.7 } } });
      await env.sleep(DAY);
      expect(log.read()).toEqual([]); // 70% is below the trigger
      await handle.signal("event", { id: "u2", type: "usage.updated", data: { usage: { seat_utilization: 0.92 } } });
      await env.sleep(DAY);
      expect(types(log.read())).toEqual(["inapp.prompt", "crm.task", "report.roi_snapshot"]);
      const [prompt, task] = log.read();
      expect(prompt).toMatchObject({
        specversion: "1.0",
        id: "seat-upsell:acme-1:0:orchestrate.1",
        source: "playloop/playbooks/seat-upsell",
        subject: "acme-1",
        datacontenttype: "application/json",
        data: {
          playbook: { id: "seat-upsell", version: seatUpsell.version },
          stage: "orchestrate",
          step: "orchestrate.1",
        },
      });
      expect(task?.data).toMatchObject({ owner: "csm", title: "Capacity review with Acme Corp", sla_ms: 2 * DAY });

      await env.sleep(31 * DAY); // no QBR within 30 days: on to commit
      expect(types(log.read()).at(-1)).toBe("offer.propose");
      expect(log.read().at(-1)?.data).toMatchObject({ offer: { sku: "seats", quantity: "+20%", discount: 0.1 } });
      expect((await state(handle)).waitingFor).toBe("deal.closed");

      await env.sleep(46 * DAY); // no deal within 45 days: on to expand
      let s = await state(handle);
      expect(s.stage).toBe("expand");
      expect(reasons(s)).toContain("timeout: no deal.closed within 45 days");
      expect(types(log.read()).at(-1)).toBe("crm.task");

      await env.sleep(91 * DAY); // the loop's 90-day pause, then back to detect
      s = await state(handle);
      expect(s.stage).toBe("detect");
      expect(s.iteration).toBe(1);
      expect(s.waitingFor).toBe("capacity (usage.updated)");
      await recordHistory(handle, "seat-upsell-loop");
    });
  });

  it("re-checks guardrails before the offer: an account that became at risk during the wait gets none", async () => {
    await withJourneyWorker(env, async ({ log, taskQueue, now }) => {
      const handle = await startJourney(env, taskQueue, {
        plan: plan("seat-upsell"),
        account: account("acme-2", now),
        holdout: false,
      });
      await handle.signal("event", { id: "u1", type: "usage.updated", data: { usage: { seat_utilization: 0.95 } } });
      await env.sleep(DAY);
      await handle.signal("event", { id: "a1", type: "account.updated", data: { health_score: 32 } });
      await env.sleep(31 * DAY);
      const s = await state(handle);
      expect(types(log.read())).not.toContain("offer.propose");
      expect(s.decisions).toContainEqual(
        expect.objectContaining({ kind: "suppressed", reason: "suppressed: at_risk", step: "commit.1" }),
      );
      await recordHistory(handle, "seat-upsell-suppressed");
    });
  });

  it("ignores a repeated event id and never delivers an action twice", async () => {
    await withJourneyWorker(env, async ({ log, taskQueue, now }) => {
      const handle = await startJourney(env, taskQueue, {
        plan: plan("seat-upsell"),
        account: account("acme-3", now),
        holdout: false,
      });
      const event = { id: "same", type: "usage.updated", data: { usage: { seat_utilization: 0.9 } } };
      await handle.signal("event", event);
      await handle.signal("event", event);
      await handle.signal("event", { ...event, id: "other" });
      await env.sleep(DAY);
      const ids = log.read().map((e) => e.id);
      expect(types(log.read())).toEqual(["inapp.prompt", "crm.task", "report.roi_snapshot"]);
      expect(new Set(ids).size).toBe(ids.length);
      // A retried delivery of the same action (same id) adds nothing either.
      const first = log.read()[0];
      if (first !== undefined) await log.sink.deliver(first);
      expect(log.read()).toHaveLength(3);
    });
  });

  it("does not lose an event that arrives with the journey's start", async () => {
    await withJourneyWorker(env, async ({ log, taskQueue, now }) => {
      // Signal-with-start hands the workflow its start and the event in one activation.
      await env.client.workflow.signalWithStart("journey", {
        taskQueue,
        workflowId: `playloop/seat-upsell/early-1/${taskQueue}`,
        args: [{ plan: plan("seat-upsell"), account: account("early-1", now), holdout: false }],
        signal: "event",
        signalArgs: [{ id: "u1", type: "usage.updated", data: { usage: { seat_utilization: 0.9 } } }],
      });
      await env.sleep(DAY);
      expect(log.read().map((e) => e.data.step)).toEqual(["orchestrate.1", "orchestrate.2", "prove.1"]);
      const handle = env.client.workflow.getHandle(`playloop/seat-upsell/early-1/${taskQueue}`);
      await recordHistory(handle, "seat-upsell-early-event");
      await handle.terminate();
    });
  });

  it("records a holdout's decisions and delivers nothing", async () => {
    await withJourneyWorker(env, async ({ log, taskQueue, now }) => {
      const handle = await startJourney(env, taskQueue, {
        plan: plan("seat-upsell"),
        account: account("acme-4", now),
        holdout: true,
      });
      await handle.signal("event", { id: "u1", type: "usage.updated", data: { usage: { seat_utilization: 0.9 } } });
      await env.sleep(DAY);
      const s = await stateWhen(env, handle, (current) => current.stage === "prove");
      expect(log.read()).toEqual([]);
      expect(s.holdout).toBe(true);
      expect(reasons(s)).toContain("holdout: holdout: playloop.action.inapp.prompt not delivered");
    });
  });
});

describe("time windows", () => {
  it("renewal-bundle fires 90 days before renewal, not before", async () => {
    await withJourneyWorker(env, async ({ log, taskQueue, now }) => {
      const renewal = Date.parse(day(now, 200));
      const handle = await startJourney(env, taskQueue, {
        plan: plan("renewal-bundle"),
        account: account("hooli-1", now, { renewal_date: day(now, 200) }),
        holdout: false,
      });
      await env.sleep(108 * DAY);
      expect(log.read()).toEqual([]);
      expect((await state(handle)).waitingFor).toBe("renewal_window");
      await env.sleep(4 * DAY);
      const first = log.read()[0];
      expect(types(log.read()).slice(0, 2)).toEqual(["crm.task", "email.send"]);
      const firedAt = Date.parse(first?.time ?? "");
      expect(firedAt).toBeGreaterThanOrEqual(renewal - 90 * DAY);
      expect(firedAt).toBeLessThan(renewal - 89 * DAY);
      await recordHistory(handle, "renewal-bundle-window");
    });
  });

  it("re-arms the window when a CRM update moves the renewal date during the wait", async () => {
    await withJourneyWorker(env, async ({ log, taskQueue, now }) => {
      const original = account("hooli-2", now, { renewal_date: day(now, 200) });
      const handle = await startJourney(env, taskQueue, {
        plan: plan("renewal-bundle"),
        account: original,
        holdout: false,
      });
      await env.sleep(50 * DAY);
      await handle.signal("snapshot", { ...original, renewal_date: day(now, 400) });
      await env.sleep(70 * DAY); // day 120: past the old window's opening
      expect(log.read()).toEqual([]);
      await env.sleep(192 * DAY); // day 312: 88 days before the new date
      const firedAt = Date.parse(log.read()[0]?.time ?? "");
      expect(firedAt).toBeGreaterThanOrEqual(Date.parse(day(now, 400)) - 90 * DAY);
      await recordHistory(handle, "renewal-bundle-moved");
    });
  });

  it("fires 60 days after onboarding", async () => {
    await withJourneyWorker(env, async ({ log, taskQueue, now }) => {
      const handle = await startJourney(env, taskQueue, {
        plan: plan("onboarding-upsell"),
        account: account("new-1", now, { onboarded_at: day(now, 0) }),
        holdout: false,
      });
      await env.sleep(59 * DAY);
      expect(log.read()).toEqual([]);
      const result = (await handle.result()) as JourneyState;
      expect(result.outcome).toBe("engaged");
      const firedAt = Date.parse(log.read()[0]?.time ?? "");
      expect(firedAt).toBeGreaterThanOrEqual(Date.parse(day(now, 60)));
      expect(firedAt).toBeLessThan(Date.parse(day(now, 61)));
    });
  });

  it("holds an action outside the send window until it opens in the account's time zone", async () => {
    await withJourneyWorker(env, async ({ log, taskQueue, now }) => {
      const handle = await startJourney(env, taskQueue, {
        plan: plan("send-window"),
        account: account("tokyo-1", now, { timezone: "Asia/Tokyo" }),
        holdout: false,
      });
      const result = (await handle.result()) as JourneyState;
      const sentAt = new Date(log.read()[0]?.time ?? "");
      const local = new Intl.DateTimeFormat("en-US", {
        timeZone: "Asia/Tokyo",
        weekday: "short",
        hour: "numeric",
        hourCycle: "h23",
      }).formatToParts(sentAt);
      const hour = Number(local.find((p) => p.type === "hour")?.value);
      const weekday = local.find((p) => p.type === "weekday")?.value;
      expect(hour).toBeGreaterThanOrEqual(9);
      expect(hour).toBeLessThan(17);
      expect(["Mon", "Tue", "Wed", "Thu", "Fri"]).toContain(weekday);
      const held = result.decisions.find((d) => d.kind === "held");
      if (held !== undefined) expect(held.reason).toMatch(/^held: outside send window until .* \(Asia\/Tokyo\)$/);
    });
  });
});

describe("discount fences and approvals", () => {
  it("asks for approval above the threshold, escalates when the SLA passes, and offers once granted", async () => {
    await withJourneyWorker(env, async ({ log, taskQueue, now }) => {
      const handle = await startJourney(env, taskQueue, {
        plan: plan("approval-upsell"),
        account: account("acme-5", now),
        holdout: false,
      });
      await handle.signal("event", { id: "u1", type: "usage.updated", data: { usage: { seat_utilization: 0.9 } } });
      await env.sleep(60_000);
      expect(log.read().map((e) => e.id)).toEqual(["approval-upsell:acme-5:0:commit.1:approval"]);
      expect(log.read()[0]).toMatchObject({ type: "playloop.action.approval.request", data: { approver: "finance" } });
      await env.sleep(3 * DAY + 60_000);
      expect(
        log
          .read()
          .map((e) => e.id)
          .at(-1),
      ).toBe("approval-upsell:acme-5:0:commit.1:escalation");
      expect(log.read().at(-1)?.data).toMatchObject({ approver: "vp_finance" });
      expect(types(log.read())).not.toContain("offer.propose");
      await handle.signal("event", { id: "ok", type: "approval.granted", data: { step: "commit.1" } });
      const result = (await handle.result()) as JourneyState;
      expect(types(log.read())).toEqual(["approval.request", "approval.request", "offer.propose"]);
      expect(result.outcome).toBe("proposed");
      await recordHistory(handle, "approval-escalated");
    });
  });

  it("never emits an offer the approver rejects", async () => {
    await withJourneyWorker(env, async ({ log, taskQueue, now }) => {
      const handle = await startJourney(env, taskQueue, {
        plan: plan("approval-upsell"),
        account: account("acme-6", now),
        holdout: false,
      });
      await handle.signal("event", { id: "u1", type: "usage.updated", data: { usage: { seat_utilization: 0.9 } } });
      await env.sleep(60_000);
      await handle.signal("event", { id: "no", type: "approval.rejected", data: { step: "commit.1" } });
      const result = (await handle.result()) as JourneyState;
      expect(types(log.read())).toEqual(["approval.request"]);
      expect(result.offers[0]?.status).toBe("rejected");
      expect(reasons(result)).toContain("blocked: offer rejected by the approver");
    });
  });

  it("blocks offers above the account's tier fence or below the floor price, and records why", async () => {
    await withJourneyWorker(env, async ({ log, taskQueue, now }) => {
      const fenced = plan("fenced-offer");
      const growth = (await (
        await startJourney(env, taskQueue, { plan: fenced, account: account("growth-1", now), holdout: false })
      ).result()) as JourneyState;
      const enterprise = (await (
        await startJourney(env, taskQueue, {
          plan: fenced,
          account: account("ent-1", now, { plan: { tier: "enterprise", seats: 200, list_price_per_seat: 80 } }),
          holdout: false,
        })
      ).result()) as JourneyState;
      expect(log.read().map((e) => e.id)).toEqual([
        "fenced-offer:growth-1:0:tier_fenced",
        "fenced-offer:growth-1:0:inside",
        "fenced-offer:ent-1:0:inside",
      ]);
      expect(reasons(growth)).toContain("blocked: offer not emitted: price per seat 68.00 below the floor (70)");
      expect(reasons(enterprise)).toContain(
        "blocked: offer not emitted: discount 10% above the enterprise tier's fence (5%)",
      );
    });
  });
});

describe("journeys that loop for years", () => {
  it("continue as new, carrying the iteration, and keep delivering once per iteration", async () => {
    await withJourneyWorker(env, async ({ log, taskQueue, now }) => {
      const handle = await startJourney(env, taskQueue, {
        plan: plan("looping"),
        account: account("loop-1", now),
        holdout: false,
        maxHistoryEvents: 40,
      });
      const firstRun = (await handle.describe()).runId;
      await env.sleep(41 * DAY);
      const latest = env.client.workflow.getHandle(handle.workflowId);
      const s = await state(latest);
      expect((await latest.describe()).runId).not.toBe(firstRun);
      expect(s.iteration).toBeGreaterThanOrEqual(18);
      const ids = log.read().map((e) => e.id);
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids.slice(0, 3)).toEqual([
        "looping:loop-1:0:orchestrate.1",
        "looping:loop-1:1:orchestrate.1",
        "looping:loop-1:2:orchestrate.1",
      ]);
      expect(ids.length).toBeGreaterThanOrEqual(s.iteration);
      const history = await latest.fetchHistory();
      expect(history.events?.length ?? 0).toBeLessThan(80);
    });
  });
});
