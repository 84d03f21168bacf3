// The account policy's rules on every touch, across plays: caps per channel and period, and the
// account's quiet hours in its own time zone. Capped and held touches are recorded decisions.
import { describe, expect, it } from "vitest";
import { validatePolicy } from "../../engine/validate/validate-policy.js";
import { compileText, CoreHarness, DAY, HOUR, policyText, sampleAccount, START } from "./core-harness.js";

/** A playbook that sends one `kind` touch each time `event` arrives, then waits for the next. */
const nudger = (id: string, event: string, kind = "email.send: { template: nudge }") =>
  compileText(`playbook: ${id}
name: ${id}
motion: upsell
journey:
  detect:
    - wait: { event: ${event} }
  orchestrate:
    - ${kind}
    - crm.task: { owner: csm, title: "Follow up" }
  expand:
    - loop: { to: detect }
`);

const capPolicy = policyText(`policy: caps
touches:
  email: { max: 3, per: 7d }
  in_app: { max: 1, per: 1d }
`);

const sentKinds = (h: CoreHarness, since = 0) => h.deliveries(since).map((d) => String(d.action.data.action));

describe("touch caps across plays", () => {
  it("allows at most 3 emails per account in 7 days, whichever plays send them, and records the rest", () => {
    const a = nudger("play-a", "usage.updated");
    const b = nudger("play-b", "support.ticket_opened");
    const h = new CoreHarness({ plans: [a, b], account: sampleAccount("t1"), policy: capPolicy });
    h.event("usage.updated");
    h.advanceBy(HOUR);
    h.event("support.ticket_opened");
    h.advanceBy(HOUR);
    h.event("usage.updated");
    expect(sentKinds(h).filter((k) => k === "email.send")).toHaveLength(3);
    const mark = h.mark();
    h.advanceBy(HOUR);
    h.event("support.ticket_opened");
    expect(sentKinds(h, mark)).toEqual(["crm.task"]); // the CRM task is not capped
    expect(h.decisions("play-b", mark)).toContain(
      "suppressed: suppressed: account touch cap of 3 email per 7 days reached",
    );
    expect(h.accountDecisions(mark)).toContain(
      "suppressed: play-b email.send suppressed: account touch cap of 3 email per 7 days reached",
    );
    // Seven days after the first email, one goes again.
    h.advanceTo(START + 7 * DAY);
    const later = h.mark();
    h.event("usage.updated");
    expect(sentKinds(h, later)).toEqual(["email.send", "crm.task"]);
  });

  it("caps in-app prompts at one a day", () => {
    const prompts = nudger("prompts", "usage.updated", "inapp.prompt: { template: tip }");
    const h = new CoreHarness({ plans: [prompts], account: sampleAccount("t2"), policy: capPolicy });
    h.event("usage.updated");
    h.advanceBy(2 * HOUR);
    h.event("usage.updated");
    expect(sentKinds(h).filter((k) => k === "inapp.prompt")).toHaveLength(1);
    h.advanceBy(DAY);
    h.event("usage.updated");
    expect(sentKinds(h).filter((k) => k === "inapp.prompt")).toHaveLength(2);
    // Only capped channels' touches are kept, and only within their window.
    expect(h.state.touches?.map((t) => t.channel)).toEqual(["in_app"]);
  });
});

describe("the account's quiet hours", () => {
  const quiet = policyText(`policy: quiet
quiet_hours: { from: "20:00", to: "08:00" }
`);

  it("holds an email due at 22:00 in the account's time zone until 08:00 there; a CRM task goes at once", () => {
    // 22:00 in New York (the sample account's zone) is 03:00 UTC the next day in January.
    const start = Date.parse("2026-01-06T03:00:00Z");
    const h = new CoreHarness({
      plans: [nudger("evening", "usage.updated")],
      account: sampleAccount("q1"),
      policy: quiet,
      start,
    });
    h.event("usage.updated");
    expect(h.delivered()).toEqual([]);
    expect(h.decisions("evening")).toContain(
      "held: held: the account's quiet hours until 2026-01-06T13:00:00.000Z (America/New_York)",
    );
    h.advanceTo(Date.parse("2026-01-06T13:00:00Z"));
    expect(h.deliveries().map((d) => [d.action.data.action, new Date(d.at).toISOString()])).toEqual([
      ["email.send", "2026-01-06T13:00:00.000Z"],
      ["crm.task", "2026-01-06T13:00:00.000Z"],
    ]);
  });

  it("lets a touch go during the account's day", () => {
    const h = new CoreHarness({
      plans: [nudger("daytime", "usage.updated")],
      account: sampleAccount("q2"),
      policy: quiet,
      start: Date.parse("2026-01-06T15:00:00Z"), // 10:00 in New York
    });
    h.event("usage.updated");
    expect(sentKinds(h)).toEqual(["email.send", "crm.task"]);
  });

  it("is validated: a malformed time is a diagnostic, the default channels are email and in_app", () => {
    expect(validatePolicy(`policy: q\nquiet_hours: { from: "25:00", to: "08:00" }\n`).diagnostics[0]).toMatchObject({
      code: "E_SCHEMA_VALUE",
      line: 2,
    });
    expect(
      validatePolicy(`policy: q\nquiet_hours: { from: "20:00", to: "08:00", timezone: Mars/Base }\n`).diagnostics[0],
    ).toMatchObject({ code: "E_SCHEMA_VALUE", line: 2, col: 54, message: expect.stringMatching(/unknown time zone/) });
    expect(quiet.quietHours).toEqual({
      from: "20:00",
      to: "08:00",
      timezone: "account",
      channels: ["email", "in_app"],
    });
  });
});
