// The trigger wait the account coordinator holds for a play: which wait it is, what fires it, when
// it must be looked at again, and what ends it.
import { describe, expect, it } from "vitest";
import { compilePlaybook, type CompiledPlan } from "../../engine/index.js";
import {
  describeTriggers,
  entryTriggerWait,
  exitConditionOutcome,
  exitEventOutcome,
  nextTriggerWake,
  triggerFiring,
} from "../../engine/journey/detect.js";
import { durationText } from "../../engine/journey/duration-text.js";
import type { AccountSnapshot } from "../../engine/journey/journey-types.js";
import { readRepoFile } from "../helpers.js";

const DAY = 86_400_000;
const NOW = Date.parse("2026-11-22T12:00:00Z");

function plan(file: string): CompiledPlan {
  const result = compilePlaybook(readRepoFile(file), file);
  if (result.plan === undefined) throw new Error(JSON.stringify(result.diagnostics));
  return result.plan;
}

const seatUpsell = plan("playbooks/seat-upsell.yaml");
const renewal = plan("playbooks/renewal-bundle.yaml");
const retention = plan("playbooks/at-risk-retention.yaml");
const acme = JSON.parse(readRepoFile("playbooks/samples/acme.json")) as AccountSnapshot;
const inDays = (n: number): string => new Date(NOW + n * DAY).toISOString().slice(0, 10);

describe("the trigger wait a coordinator holds", () => {
  it("is the first step of the start stage when it waits on triggers, and none otherwise", () => {
    expect(entryTriggerWait(seatUpsell)).toMatchObject({
      id: "detect.1",
      triggers: ["capacity"],
      timeoutMs: 180 * DAY,
    });
    expect(entryTriggerWait(plan("test/fixtures/journeys/offer-first.yaml"))).toBeUndefined(); // opens with an offer
    expect(entryTriggerWait(plan("test/fixtures/journeys/offer-later.yaml"))).toBeUndefined(); // waits on an event type
    expect(describeTriggers(retention, ["renewal_approaching", "became_at_risk"])).toBe(
      "renewal_approaching or became_at_risk",
    );
  });

  it("fires on a matching event, and not on a weaker one or another type", () => {
    const usage = (u: number) => ({ id: `u${u}`, type: "usage.updated", data: { usage: { seat_utilization: u } } });
    const at = (u: number): AccountSnapshot => ({ ...acme, usage: { ...(acme.usage as object), seat_utilization: u } });
    expect(
      triggerFiring(seatUpsell, ["capacity"], at(0.92), NOW, [{ id: "q", type: "qbr.completed" }, usage(0.92)]),
    ).toEqual({
      name: "capacity",
      event: usage(0.92),
    });
    expect(triggerFiring(seatUpsell, ["capacity"], at(0.5), NOW, [usage(0.5)])).toBeUndefined();
    expect(triggerFiring(seatUpsell, ["capacity"], at(0.92), NOW, [])).toBeUndefined(); // an event trigger needs its event
    expect(
      triggerFiring(seatUpsell, ["capacity"], at(0.92), NOW, [{ id: "q", type: "qbr.completed" }]),
    ).toBeUndefined();
  });

  it("fires a window trigger while the window is open, and wakes when it opens", () => {
    const renewsIn = (n: number): AccountSnapshot => ({ ...acme, renewal_date: inDays(n) });
    expect(triggerFiring(renewal, ["renewal_window"], renewsIn(80), NOW, [])?.name).toBe("renewal_window");
    expect(triggerFiring(renewal, ["renewal_window"], renewsIn(200), NOW, [])).toBeUndefined();
    expect(triggerFiring(renewal, ["renewal_window"], renewsIn(10), NOW, [])).toBeUndefined(); // closes 30 days before
    const wake = nextTriggerWake(renewal, ["renewal_window"], renewsIn(200), NOW);
    expect(new Date(wake).toISOString().slice(0, 10)).toBe(inDays(110));
    expect(nextTriggerWake(renewal, ["renewal_window"], renewsIn(80), NOW)).toBe(Infinity); // already open
    expect(nextTriggerWake(seatUpsell, ["capacity"], acme, NOW)).toBe(Infinity); // no window to wait for
  });

  it("ends on an exit condition or an exit event, with the outcome recorded", () => {
    const leaving = { ...acme, risk: { open_escalations: 0, cancellation_intent: true } };
    expect(exitConditionOutcome(seatUpsell, leaving, NOW)).toBe("exited: risk.cancellation_intent == true");
    expect(exitConditionOutcome(seatUpsell, acme, NOW)).toBeUndefined();
    const exitsOnDeal = { ...seatUpsell, enrollment: { ...seatUpsell.enrollment, exitOn: ["deal.closed"] } };
    expect(exitEventOutcome(exitsOnDeal, { id: "d", type: "deal.closed", data: { outcome: "won" } })).toBe(
      "closed_won",
    );
    expect(exitEventOutcome(exitsOnDeal, { id: "d", type: "deal.closed" })).toBe("deal.closed");
    expect(exitEventOutcome(seatUpsell, { id: "d", type: "deal.closed" })).toBeUndefined();
  });

  it("writes durations in days, or hours below a day", () => {
    expect([durationText(180 * DAY), durationText(DAY), durationText(36 * 3_600_000)]).toEqual([
      "180 days",
      "1 day",
      "36 hours",
    ]);
  });
});
