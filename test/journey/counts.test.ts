// Conditions that count the account's events (`count(type, window, condition)`): compiled to
// standard JSON Logic that json-logic-js evaluates the same, kept by the core within their windows,
// sliding with time (an old event stops counting with no new one arriving) and bounded in memory.
import jsonLogic from "json-logic-js";
import { describe, expect, it } from "vitest";
import { evaluate } from "../../engine/rules/evaluate.js";
import { MAX_RECENT } from "../../engine/journey/recent-events.js";
import { readRepoFile } from "../helpers.js";
import { compileText, CoreHarness, DAY, sampleAccount } from "./core-harness.js";

const plan = compileText(readRepoFile("test/fixtures/compile/counts.yaml"), "counts.yaml");
const ID = "counts";
const ticket = (category: string) => ({ category });

describe("count(...) in conditions", () => {
  it("lists the events the plan counts with their longest windows", () => {
    expect(plan.counts).toEqual([
      { event: "document.viewed", windowMs: 7 * DAY },
      { event: "support.ticket_opened", windowMs: 90 * DAY },
    ]);
  });

  it("compiles to JSON Logic that json-logic-js evaluates the same way", () => {
    const trigger = plan.triggers.reporting_pain;
    if (trigger === undefined) throw new Error("no reporting_pain trigger");
    const event = (category: string, ageDays: number) => ({
      type: "support.ticket_opened",
      at: "2026-01-01T00:00:00.000Z",
      age_ms: ageDays * DAY,
      data: { category },
    });
    for (const events of [
      [event("reporting", 1), event("reporting", 2), event("reporting", 29)],
      [event("reporting", 1), event("billing", 2), event("reporting", 29)],
      [event("reporting", 1), event("reporting", 2), event("reporting", 31)],
      [],
    ]) {
      const context = { recent_events: events, event: { type: "support.ticket_opened", data: {} } };
      expect(evaluate(trigger.rule, context)).toBe(jsonLogic.apply(trigger.rule as never, context));
    }
  });

  it("fires on the third reporting ticket within 30 days, not on other categories", () => {
    const h = new CoreHarness({ plans: [plan], account: sampleAccount("a1") });
    h.event("support.ticket_opened", ticket("reporting"));
    h.advanceBy(DAY);
    h.event("support.ticket_opened", ticket("billing"));
    h.event("support.ticket_opened", ticket("reporting"));
    expect(h.play(ID).status).toBe("detecting");
    h.advanceBy(10 * DAY);
    h.event("support.ticket_opened", ticket("reporting"));
    expect(h.decisions(ID)).toContain("fired: trigger reporting_pain");
    expect(h.delivered()).toHaveLength(1);
  });

  it("stops counting a ticket older than the window: the third one 31 days after the first does not fire", () => {
    const h = new CoreHarness({ plans: [plan], account: sampleAccount("a2") });
    h.event("support.ticket_opened", ticket("reporting"));
    h.advanceBy(20 * DAY);
    h.event("support.ticket_opened", ticket("reporting"));
    h.advanceBy(11 * DAY);
    h.event("support.ticket_opened", ticket("reporting"));
    expect(h.play(ID).status).toBe("detecting");
    h.advanceBy(DAY);
    h.event("support.ticket_opened", ticket("reporting"));
    expect(h.decisions(ID)).toContain("fired: trigger reporting_pain");
  });

  it("counts an event at its business time (`at`), so a backfilled old ticket does not count", () => {
    const h = new CoreHarness({ plans: [plan], account: sampleAccount("a3") });
    const old = new Date(h.now - 60 * DAY).toISOString();
    h.send({
      kind: "event",
      event: { id: "old-1", type: "support.ticket_opened", data: ticket("reporting"), at: old },
    });
    h.send({
      kind: "event",
      event: { id: "old-2", type: "support.ticket_opened", data: ticket("reporting"), at: old },
    });
    h.event("support.ticket_opened", ticket("reporting"));
    expect(h.play(ID).status).toBe("detecting");
  });

  it("slides with time: a condition that needs no recent ticket becomes true when the last one ages out, on a timer", () => {
    const calm = compileText(`playbook: calm
name: After a quiet fortnight
motion: retention
segments:
  quiet: "count(support.ticket_opened, 14d) == 0"
triggers:
  quiet_again: { enters: quiet }
journey:
  detect:
    - wait: { trigger: quiet_again }
  orchestrate:
    - crm.task: { owner: csm, title: "Check in with {{ name }} after the tickets" }
`);
    const h = new CoreHarness({ plans: [calm], account: sampleAccount("a4"), initialSnapshot: false });
    h.event("support.ticket_opened", ticket("reporting"));
    h.snapshot();
    expect(h.play("calm").status).toBe("detecting");
    const lastTicket = h.now;
    h.advanceBy(5 * DAY);
    h.event("support.ticket_opened", ticket("outage"));
    const second = h.now;
    // The core looks again when each ticket leaves the window: the first (still one left), the second.
    expect(h.state.timer?.at).toBe(lastTicket + 14 * DAY);
    h.advanceBy(13 * DAY);
    expect(h.play("calm").status).toBe("detecting");
    h.advanceTo(second + 14 * DAY);
    expect(h.decisions("calm")).toContain("fired: trigger quiet_again");
    expect(h.deliveries().map((d) => d.at)).toEqual([second + 14 * DAY]);
    expect(second - lastTicket).toBe(5 * DAY);
  });

  it("keeps only what a plan counts, within its window, and at most MAX_RECENT events", () => {
    const h = new CoreHarness({ plans: [plan], account: sampleAccount("a5") });
    h.event("usage.updated", { usage: { seat_utilization: 0.5 } });
    expect(h.state.recent).toBeUndefined();
    for (let i = 0; i < MAX_RECENT + 200; i++) h.event("document.viewed", { page: i });
    expect(h.state.recent).toHaveLength(MAX_RECENT);
    // It survives continue-as-new: the state is plain JSON the workflow carries.
    expect(JSON.parse(JSON.stringify(h.state)).recent).toHaveLength(MAX_RECENT);
    h.advanceBy(8 * DAY);
    h.event("usage.updated", { usage: { seat_utilization: 0.6 } });
    expect(h.state.recent).toBeUndefined();
  });
});
