import { describe, expect, it } from "vitest";
import { compilePlaybook } from "../../engine/index.js";
import { actionEvent } from "../../engine/journey/action-event.js";
import { deepMerge } from "../../engine/journey/deep-merge.js";
import { isHeldOut } from "../../engine/journey/holdout.js";
import { fenceDecision } from "../../engine/journey/offer-fence.js";
import { renderAction } from "../../engine/journey/render-action.js";
import { nextSendTime, windowTimeZone } from "../../engine/journey/send-window.js";
import { readRepoFile } from "../helpers.js";

const WEEKDAYS = {
  days: ["mon", "tue", "wed", "thu", "fri"],
  hours: { from: "09:00", to: "17:00" },
  timezone: "account",
};

describe("send window", () => {
  it("is open now inside the window and opens at 9:00 local otherwise", () => {
    const mondayNoonNy = Date.parse("2026-11-23T17:00:00Z");
    expect(nextSendTime(WEEKDAYS, "America/New_York", mondayNoonNy)).toBe(mondayNoonNy);
    const saturdayNy = Date.parse("2026-11-21T15:00:00Z");
    expect(new Date(nextSendTime(WEEKDAYS, "America/New_York", saturdayNy) ?? 0).toISOString()).toBe(
      "2026-11-23T14:00:00.000Z",
    );
    const fridayEveningTokyo = Date.parse("2026-11-20T09:30:00Z"); // 18:30 in Tokyo
    expect(new Date(nextSendTime(WEEKDAYS, "Asia/Tokyo", fridayEveningTokyo) ?? 0).toISOString()).toBe(
      "2026-11-23T00:00:00.000Z",
    );
  });

  it("falls back to UTC for a missing or invalid time zone", () => {
    expect(windowTimeZone(WEEKDAYS, "Mars/Olympus")).toBe("UTC");
    expect(windowTimeZone(WEEKDAYS, undefined)).toBe("UTC");
    expect(windowTimeZone({ ...WEEKDAYS, timezone: "Europe/Berlin" }, "Asia/Tokyo")).toBe("Europe/Berlin");
  });

  it("never opens when no day is allowed", () => {
    expect(nextSendTime({ days: [], timezone: "UTC" }, "UTC", Date.parse("2026-11-23T10:00:00Z"))).toBeUndefined();
  });
});

describe("discount fence at run time", () => {
  const plan = compilePlaybook(readRepoFile("test/fixtures/journeys/fenced-offer.yaml")).plan;
  if (plan === undefined) throw new Error("fixture does not compile");
  const growth = { id: "a", plan: { tier: "growth", list_price_per_seat: 80 } };
  const offer = (discount: number) => ({ sku: "seats", discount });

  it("applies the tightest applicable maximum, the floor price and the approval threshold", () => {
    expect(fenceDecision(plan, offer(0.05), growth, () => false)).toEqual({ kind: "emit" });
    expect(fenceDecision(plan, offer(0.25), growth, () => false)).toMatchObject({
      kind: "blocked",
      reason: "discount 25% above the fence (20%)",
    });
    expect(fenceDecision(plan, offer(0.15), growth, () => false)).toMatchObject({
      kind: "blocked",
      reason: "price per seat 68.00 below the floor (70)",
    });
    expect(fenceDecision(plan, offer(0.1), { id: "b", plan: { tier: "enterprise" } }, () => false)).toMatchObject({
      kind: "blocked",
      reason: "discount 10% above the enterprise tier's fence (5%)",
    });
    const approval = compilePlaybook(readRepoFile("test/fixtures/journeys/approval-upsell.yaml")).plan;
    expect(approval && fenceDecision(approval, offer(0.12), growth, () => false)).toMatchObject({ kind: "approval" });
    expect(approval && fenceDecision(approval, offer(0.1), growth, () => false)).toEqual({ kind: "emit" });
  });
});

describe("snapshot merge", () => {
  it("merges nested objects and never reaches a prototype", () => {
    const merged = deepMerge(
      { id: "a", usage: { seats: 5, seat_utilization: 0.5 } },
      JSON.parse('{"usage":{"seat_utilization":0.9},"__proto__":{"polluted":true},"constructor":{"x":1}}'),
    );
    expect(merged).toEqual({ id: "a", usage: { seats: 5, seat_utilization: 0.9 } });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe("holdout assignment", () => {
  it("is stable and close to the declared share", () => {
    expect(isHeldOut("seat-upsell", "acme", 0.1)).toBe(isHeldOut("seat-upsell", "acme", 0.1));
    const held = Array.from({ length: 10_000 }, (_, i) => isHeldOut("seat-upsell", `account-${i}`, 0.1)).filter(
      Boolean,
    ).length;
    expect(Math.abs(held / 10_000 - 0.1)).toBeLessThan(0.02);
    expect(isHeldOut("seat-upsell", "acme", 0)).toBe(false);
  });
});

describe("action events", () => {
  it("are CloudEvents with deterministic ids and filled titles", () => {
    const plan = compilePlaybook(readRepoFile("playbooks/seat-upsell.yaml")).plan;
    // orchestrate.4, after the experiment and its two prompts.
    const step = plan?.stages
      .find((s) => s.name === "orchestrate")
      ?.steps.find((s) => s.kind === "action" && s.action === "crm.task");
    if (plan === undefined || step?.kind !== "action") throw new Error("no crm.task step");
    const account = { id: "acme", name: "Acme Corp" };
    // What the task's templates read: the account, with its usage, and the play's variant.
    const scope = { ...account, usage: { seat_utilization: 0.88 }, experiments: { capacity_prompt: "insight" } };
    const event = actionEvent({
      plan,
      account,
      stage: "orchestrate",
      step,
      rendered: renderAction(step, scope).fields,
      iteration: 2,
      time: "2026-11-22T00:00:00.000Z",
    });
    expect(event).toMatchObject({
      specversion: "1.0",
      id: "seat-upsell:acme:2:orchestrate.4",
      type: "playloop.action.crm.task",
      source: "playloop/playbooks/seat-upsell",
      subject: "acme",
      data: {
        title: "Capacity review with Acme Corp",
        body: "Seat utilization is at 88% of the plan. In-app prompt variant: insight.",
        owner: "csm",
        playbook: { id: "seat-upsell", version: plan.version },
      },
    });
    expect(renderAction({ ...step, title: "Hi {{ name }} {{ missing }} {{ constructor }}" }, scope)).toEqual({
      fields: {
        title: "Hi Acme Corp  ",
        body: "Seat utilization is at 88% of the plan. In-app prompt variant: insight.",
      },
      notes: ["title: missing is missing, rendered empty", "title: constructor is missing, rendered empty"],
    });
  });
});
