// The journey core driven one input at a time through the in-test harness: plays moving through
// their stages, guardrails, windows, arbitration between plays, approvals, fences, send windows,
// holdouts, re-entry, delivery reports, plan versions, timers and search attributes.
import { describe, expect, it } from "vitest";
import type { CompiledPlan } from "../../engine/index.js";
import { advanceAccount } from "../../engine/journey/advance-account.js";
import type { AccountCoreState, CoreInput } from "../../engine/journey/core-types.js";
import { isHeldOut } from "../../engine/journey/holdout.js";
import { capacityPrompt, capacityPromptDecisions, readRepoFile, SKIPPED_BY_WHEN } from "../helpers.js";
import {
  compileFile,
  compileText,
  CoreHarness,
  DAY,
  HOUR,
  iso,
  policyText,
  sampleAccount,
  START,
} from "./core-harness.js";

const seatUpsell = compileFile("playbooks/seat-upsell.yaml");
const renewal = compileFile("playbooks/renewal-bundle.yaml");
const fixture = (name: string): CompiledPlan => compileFile(`test/fixtures/journeys/${name}.yaml`);
const approvalUpsell = fixture("approval-upsell");
const fencedOffer = fixture("fenced-offer");
const offerFirst = fixture("offer-first");
const offerLater = fixture("offer-later");
const reentryPlay = fixture("reentry-play");
const restartDemo = fixture("restart-demo");
const sendWindow = fixture("send-window");
const oneOfferPolicy = policyText(readRepoFile("test/fixtures/journeys/one-offer-policy.yaml"));

/** The account most tests use; it is in neither seat-upsell's nor renewal-bundle's holdout. */
const ACCT = "acme-1";
/** The in-app prompt seat-upsell's capacity_prompt experiment gives ACCT (insight: orchestrate.2). */
const prompt = capacityPrompt(ACCT);
/** An action id: `<playbook>:<account>:<iteration>:<step>`. */
const id = (playbook: string, step: string, iteration = 0, account = ACCT): string =>
  `${playbook}:${account}:${iteration}:${step}`;
const usage = (utilization: number): Record<string, unknown> => ({ usage: { seat_utilization: utilization } });
/** A renewal date `days` after the start, as the CRM writes it. */
const renewsIn = (days: number): string => iso(START + days * DAY).slice(0, 10);
const midnight = (date: string): number => Date.parse(`${date}T00:00:00Z`);

/** A harness with seat-upsell (and more plans) for the usual account. */
function harness(plans: CompiledPlan[], overrides: Record<string, unknown> = {}, account = ACCT): CoreHarness {
  return new CoreHarness({ plans, account: sampleAccount(account, overrides) });
}

/** seat-upsell triggered at the start: it has delivered its orchestrate and prove actions. */
function seatUpsellInProve(plans: CompiledPlan[] = [seatUpsell], overrides: Record<string, unknown> = {}) {
  const h = harness(plans, overrides);
  h.event("usage.updated", usage(0.92));
  expect(h.play("seat-upsell").stage).toBe("prove");
  return h;
}

describe("the test accounts", () => {
  it("are not held out of the bundled plays the tests drive", () => {
    expect([seatUpsell, renewal].map((plan) => isHeldOut(plan.id, ACCT, plan.holdout))).toEqual([false, false]);
  });

  it("gets seat-upsell's insight prompt, the one whose template the plan version tests edit", () => {
    expect(prompt).toEqual({
      variant: "insight",
      step: "orchestrate.2",
      template: "capacity-insight",
      skipped: "orchestrate.3",
    });
  });
});

describe("seat-upsell through its stages", () => {
  it.each([
    { utilization: 0.5, fires: false },
    { utilization: 0.79, fires: false },
    { utilization: 0.8, fires: true },
    { utilization: 0.92, fires: true },
  ])("a usage update at $utilization fires the capacity trigger: $fires", ({ utilization, fires }) => {
    const h = harness([seatUpsell], { usage: { seat_utilization: 0.3 } });
    const mark = h.mark();
    h.event("usage.updated", usage(utilization));
    const play = h.play("seat-upsell");
    if (!fires) {
      expect(h.delivered(mark)).toEqual([]);
      expect(h.decisions("seat-upsell", mark)).toEqual([]);
      expect([play.status, play.stage, play.step, play.wait?.kind]).toEqual([
        "detecting",
        "detect",
        "detect.1",
        "step",
      ]);
      return;
    }
    expect(h.decisions("seat-upsell", mark)[0]).toBe("fired: trigger capacity");
    expect(h.delivered(mark)).toEqual([
      id("seat-upsell", prompt.step),
      id("seat-upsell", "orchestrate.4"),
      id("seat-upsell", "prove.1"),
    ]);
    expect([play.status, play.stage, play.step, play.wait?.kind]).toEqual(["running", "prove", "prove.2", "step"]);
    expect(h.state.active).toEqual({ playbookId: "seat-upsell", priority: 50, since: iso(START) });
  });

  it("runs detect, orchestrate, prove, commit and expand, then loops back to detect", () => {
    const h = seatUpsellInProve();
    const deliveries = h.deliveries();
    expect(deliveries.map((d) => [d.action.type, d.action.data.template ?? d.action.data.title])).toEqual([
      ["playloop.action.inapp.prompt", prompt.template],
      ["playloop.action.crm.task", "Capacity review with Acme Corp"],
      ["playloop.action.report.roi_snapshot", undefined],
    ]);
    // The CSM task's body renders the seat utilization and the account's variant.
    expect(deliveries[1]?.action.data.body).toBe(
      `Seat utilization is at 92% of the plan. In-app prompt variant: ${prompt.variant}.`,
    );
    expect(deliveries.map((d) => d.action.data.experiments)).toEqual(
      Array(3).fill({ capacity_prompt: prompt.variant }),
    );
    expect(h.timers().at(-1)).toBe(`set ${iso(START + 30 * DAY)}`);

    // The QBR never happens: 30 days later the wait times out into commit, which makes the offer.
    let mark = h.mark();
    h.advanceTo(START + 30 * DAY - 1);
    expect(h.commands(mark)).toEqual([]);
    h.advanceTo(START + 30 * DAY);
    expect(h.decisions("seat-upsell", mark)).toEqual([
      "timeout: no qbr.completed within 30 days",
      `delivered: offer.propose delivered as ${id("seat-upsell", "commit.1")}`,
    ]);
    expect(h.delivered(mark)).toEqual([id("seat-upsell", "commit.1")]);
    expect(h.deliveries(mark)[0]?.action.data.offer).toMatchObject({ sku: "seats", quantity: "+20%", discount: 0.1 });
    expect(h.state.offers).toEqual([{ playbookId: "seat-upsell", at: iso(START + 30 * DAY), status: "proposed" }]);
    expect(h.play("seat-upsell").stage).toBe("commit");

    // No deal within 45 days: on to expand, whose success plan goes out, then the 90-day loop.
    mark = h.mark();
    h.advanceTo(START + 75 * DAY);
    expect(h.decisions("seat-upsell", mark)).toEqual([
      "timeout: no deal.closed within 45 days",
      `delivered: crm.task delivered as ${id("seat-upsell", "expand.1")}`,
    ]);
    expect(h.delivered(mark)).toEqual([id("seat-upsell", "expand.1")]);
    expect(h.play("seat-upsell").wait).toEqual({ kind: "loop", at: START + 165 * DAY });
    expect(h.timers(mark)).toEqual([`set ${iso(START + 165 * DAY)}`]);

    mark = h.mark();
    h.advanceTo(START + 165 * DAY);
    expect(h.decisions("seat-upsell", mark)).toEqual(["fired: loop to detect (iteration 1)"]);
    expect(h.accountDecisions(mark)).toEqual(["fired: seat-upsell released the account"]);
    const play = h.play("seat-upsell");
    expect([play.status, play.stage, play.step, play.iteration, play.run]).toEqual([
      "detecting",
      "detect",
      "detect.1",
      1,
      1,
    ]);
    expect(play.wait).toEqual({ kind: "step", since: START + 165 * DAY, cursor: 1 });
    expect(h.state.active).toBeUndefined();
    expect(h.timers(mark)).toEqual([`set ${iso(START + 345 * DAY)}`]); // the detect timeout of 180 days

    // Detect waits again, for a new usage update: the old one does not fire it twice.
    mark = h.mark();
    h.event("usage.updated", usage(0.95));
    expect(h.delivered(mark)).toEqual([
      id("seat-upsell", prompt.step, 1),
      id("seat-upsell", "orchestrate.4", 1),
      id("seat-upsell", "prove.1", 1),
    ]);
  });

  it("goes from prove to commit at once when the QBR is completed", () => {
    const h = seatUpsellInProve();
    const mark = h.mark();
    h.advanceBy(3 * DAY);
    h.event("qbr.completed");
    expect(h.decisions("seat-upsell", mark)[0]).toBe("fired: qbr.completed received");
    expect(h.delivered(mark)).toEqual([id("seat-upsell", "commit.1")]);
    expect(h.deliveries(mark)[0]?.at).toBe(START + 3 * DAY);
  });
});

describe("repeated events", () => {
  it("ignores an event whose id it has seen: same state, no commands", () => {
    const h = harness([seatUpsell], { usage: { seat_utilization: 0.3 } });
    h.send({ kind: "event", event: { id: "u-1", type: "usage.updated", data: usage(0.5) } });
    const again: CoreInput = { kind: "event", event: { id: "u-1", type: "usage.updated", data: usage(0.95) } };
    const result = advanceAccount(h.state, again, h.context());
    expect(result.commands).toEqual([]);
    expect(result.state).toEqual(h.state);
    // Through the harness as well: the capacity trigger does not fire on the repeat.
    const before = structuredClone(h.state);
    expect(h.send(again)).toEqual([]);
    expect(h.state).toEqual(before);
    expect(h.state.account.usage).toMatchObject({ seat_utilization: 0.5 });
  });

  it("ignores a repeated id even when the type differs", () => {
    const h = seatUpsellInProve();
    h.send({ kind: "event", event: { id: "qbr-1", type: "support.ticket_opened" } });
    const mark = h.mark();
    expect(h.send({ kind: "event", event: { id: "qbr-1", type: "qbr.completed" } })).toEqual([]);
    expect(h.play("seat-upsell").stage).toBe("prove");
    expect(h.delivered(mark)).toEqual([]);
  });
});

describe("purity and determinism", () => {
  const deepFreeze = <T>(value: T): T => {
    if (typeof value === "object" && value !== null) {
      for (const inner of Object.values(value)) deepFreeze(inner);
      Object.freeze(value);
    }
    return value;
  };

  /** A state with plays in several kinds of wait: seat-upsell waiting for the account renewal-bundle holds. */
  function busyState(): { h: CoreHarness; state: AccountCoreState } {
    const h = harness([seatUpsell, renewal], { renewal_date: renewsIn(60) });
    h.event("usage.updated", usage(0.92));
    expect(h.play("seat-upsell").wait).toEqual({ kind: "account", holder: "renewal-bundle" });
    return { h, state: h.state };
  }

  const inputs: [string, CoreInput, number][] = [
    ["a timer", { kind: "timer" }, 45 * DAY],
    ["an event", { kind: "event", event: { id: "d1", type: "deal.closed", data: { outcome: "won" } } }, DAY],
    ["a snapshot", { kind: "snapshot", account: sampleAccount(ACCT, { health_score: 30 }) }, DAY],
    [
      "a delivery report",
      {
        kind: "delivered",
        playbookId: "renewal-bundle",
        step: "commit.1",
        actionId: id("renewal-bundle", "commit.1"),
        action: "playloop.action.offer.propose",
        stage: "commit",
        error: "timeout",
      },
      0,
    ],
    ["a plan change", { kind: "plans" }, 0],
  ];

  it.each(inputs)("leaves the input state as it was for %s", (_name, input, later) => {
    const { h, state } = busyState();
    const copy = structuredClone(state);
    deepFreeze(state); // a write to the input would throw
    const context = { ...h.context(), now: h.now + later };
    const result = advanceAccount(state, input, context);
    expect(state).toEqual(copy);
    expect(result.state).not.toBe(state);
  });

  it.each(inputs)("gives the same answer twice to %s", (_name, input, later) => {
    const { h, state } = busyState();
    const context = { ...h.context(), now: h.now + later };
    const first = advanceAccount(state, input, context);
    const second = advanceAccount(state, input, context);
    expect(second).toEqual(first);
    expect(JSON.stringify(second)).toBe(JSON.stringify(first));
  });

  it("replays a whole journey to the same commands and state", () => {
    const run = (): CoreHarness => {
      const h = seatUpsellInProve([seatUpsell, renewal], { renewal_date: renewsIn(120) });
      h.advanceTo(START + 200 * DAY);
      return h;
    };
    const [a, b] = [run(), run()];
    expect(b.log).toEqual(a.log);
    expect(b.state).toEqual(a.state);
    expect(a.delivered().length).toBeGreaterThan(5);
  });
});

describe("guardrails are checked again before each action", () => {
  it.each([
    { change: { health_score: 32 }, reason: "suppressed: at_risk" },
    { change: { risk: { open_escalations: 1 } }, reason: "suppressed: at_risk" },
    { change: { health_score: 65 }, reason: "not eligible: health_score >= 70" },
    { change: { arr: 12000 }, reason: "not eligible: arr >= 20000" },
  ])("an account that changed during the QBR wait ($reason) gets no offer", ({ change, reason }) => {
    const h = seatUpsellInProve();
    h.advanceBy(5 * DAY);
    h.event("account.updated", change);
    const mark = h.mark();
    h.advanceTo(START + 30 * DAY);
    expect(h.decisions("seat-upsell", mark)).toEqual([
      "timeout: no qbr.completed within 30 days",
      `suppressed: ${reason}`,
    ]);
    expect(h.delivered(mark)).toEqual([]);
    expect(h.state.offers).toEqual([]);
    expect(h.play("seat-upsell").offers).toEqual([]);
    expect(h.state.lastSuppression).toBe(`seat-upsell: ${reason}`);
    // The journey goes on past the suppressed offer: it waits for a deal in commit.
    expect([h.play("seat-upsell").stage, h.play("seat-upsell").step]).toEqual(["commit", "commit.2"]);
  });
});

describe("window triggers", () => {
  it("fire exactly when renewal_date - 90 days passes, on the timer", () => {
    const h = harness([renewal], { renewal_date: "2026-06-01" });
    const opens = midnight("2026-03-03");
    expect(h.timers()).toEqual([`set ${iso(opens)}`]);
    expect(h.state.timer?.summary).toBe("renewal-bundle: waiting for renewal_window");
    h.advanceTo(opens - HOUR);
    h.snapshot(); // a look an hour before the window opens changes nothing
    h.advanceTo(opens - 1);
    expect(h.delivered()).toEqual([]);
    expect(h.play("renewal-bundle").status).toBe("detecting");
    const mark = h.mark();
    h.advanceTo(opens);
    expect(h.decisions("renewal-bundle", mark)[0]).toBe("fired: trigger renewal_window");
    expect(h.delivered(mark)).toEqual([
      id("renewal-bundle", "orchestrate.1"),
      id("renewal-bundle", "orchestrate.2"),
      id("renewal-bundle", "orchestrate.3"),
      id("renewal-bundle", "prove.1"),
    ]);
    expect(h.deliveries(mark).every((d) => d.at === opens)).toBe(true);
    // A positive QBR leads to the bundle offer.
    const qbr = h.mark();
    h.event("qbr.completed", { outcome: "positive" });
    expect(h.delivered(qbr)).toEqual([id("renewal-bundle", "commit.1")]);
    expect(h.deliveries(qbr).at(-1)?.action.data.offer).toMatchObject({ bundle: ["analytics", "automation"] });
  });

  it("re-arm when a snapshot moves the renewal date", () => {
    const h = harness([renewal], { renewal_date: "2026-06-01" });
    h.advanceBy(10 * DAY);
    let mark = h.mark();
    h.snapshot({ renewal_date: "2026-09-01" });
    expect(h.timers(mark)).toEqual([`set ${iso(midnight("2026-06-03"))}`]);
    h.advanceTo(midnight("2026-03-03"));
    expect(h.delivered()).toEqual([]);
    mark = h.mark();
    h.advanceTo(midnight("2026-06-03"));
    expect(h.decisions("renewal-bundle", mark)[0]).toBe("fired: trigger renewal_window");
    expect(h.delivered(mark)[0]).toBe(id("renewal-bundle", "orchestrate.1"));
  });

  it("fire on the snapshot that moves the date inside the window", () => {
    const h = harness([renewal], { renewal_date: "2026-09-01" });
    h.advanceBy(2 * DAY);
    const mark = h.mark();
    h.snapshot({ renewal_date: renewsIn(70) });
    expect(h.decisions("renewal-bundle", mark)[0]).toBe("fired: trigger renewal_window");
    expect(h.deliveries(mark)[0]?.at).toBe(START + 2 * DAY);
  });
});

// Small playbooks for arbitration cases, in the shape of the offer-first fixture.
const holderText = (id: string, priority: number): string => `playbook: ${id}
name: Offers at once, then waits for a signal
motion: upsell
priority: ${priority}
discounts: { max: 10% }
journey:
  commit:
    - offer.propose: { sku: seats, quantity: 5, discount: 5% }
    - wait: { event: demo.done }
    - end: { outcome: proposed }
`;
const askerText = (id: string, priority: number, enrollment = ""): string => `playbook: ${id}
name: Offers when asked
motion: cross_sell
priority: ${priority}
${enrollment}discounts: { max: 10% }
journey:
  detect:
    - wait: { event: demo.offer_now }
  commit:
    - offer.propose: { sku: analytics, discount: 5% }
    - end: { outcome: proposed }
`;

describe("arbitration between plays", () => {
  it("a higher priority play pre-empts the holder when its window opens", () => {
    const h = seatUpsellInProve([seatUpsell, renewal], { renewal_date: renewsIn(110) });
    const mark = h.mark();
    h.advanceTo(START + 20 * DAY);
    const opens = midnight(renewsIn(20)); // renewal_date - 90 days
    expect(h.inputs.filter((i) => i.input.kind !== "delivered").at(-1)).toEqual({
      at: opens,
      input: { kind: "timer" },
    });
    expect(h.decisions("renewal-bundle", mark)[0]).toBe("fired: trigger renewal_window");
    expect(h.accountDecisions(mark)).toEqual([
      "suppressed: seat-upsell pre-empted by renewal-bundle (priority 60 over 50)",
    ]);
    expect(h.state.active).toEqual({ playbookId: "renewal-bundle", priority: 60, since: iso(opens) });
    expect(h.deliveries(mark).map((d) => [d.action.id, d.at])).toEqual(
      ["orchestrate.1", "orchestrate.2", "orchestrate.3", "prove.1"].map((step) => [id("renewal-bundle", step), opens]),
    );
    // seat-upsell, pre-empted in prove, waits for the account when its QBR wait times out.
    const later = h.mark();
    h.advanceTo(START + 30 * DAY);
    expect(h.decisions("seat-upsell", later)).toEqual([
      "timeout: no qbr.completed within 30 days",
      "suppressed: suppressed: renewal-bundle active",
    ]);
    expect(h.play("seat-upsell").wait).toMatchObject({ kind: "account", offer: 0 });
    expect(h.delivered(later)).toEqual([]);
  });

  it("a lower priority play waits for the account, then proceeds when the holder ends", () => {
    const h = harness([seatUpsell, renewal], { renewal_date: renewsIn(60) });
    expect(h.state.active?.playbookId).toBe("renewal-bundle");
    let mark = h.mark();
    h.event("usage.updated", usage(0.92));
    // The experiment assigns the variant; the play waits for the account at that variant's prompt
    // (having skipped the other variant's prompt when it comes first).
    expect(h.decisions("seat-upsell", mark)).toEqual([
      "fired: trigger capacity",
      `experiment: experiment capacity_prompt: variant ${prompt.variant} (50%)`,
      ...(prompt.skipped < prompt.step ? [SKIPPED_BY_WHEN] : []),
      "suppressed: suppressed: renewal-bundle active",
    ]);
    expect(h.accountDecisions(mark)).toEqual(["suppressed: seat-upsell suppressed: renewal-bundle active"]);
    expect(h.play("seat-upsell").wait).toEqual({ kind: "account", holder: "renewal-bundle" });
    expect([h.play("seat-upsell").stage, h.play("seat-upsell").step]).toEqual(["orchestrate", prompt.step]);
    expect(h.delivered(mark)).toEqual([]);
    expect(h.state.lastSuppression).toBe("seat-upsell: suppressed: renewal-bundle active");

    // A positive QBR leads renewal-bundle to its offer; the deal closes: it finishes (its expand
    // task, then the end) and frees the account.
    h.advanceBy(5 * DAY);
    h.event("qbr.completed", { outcome: "positive" });
    h.advanceBy(5 * DAY);
    mark = h.mark();
    h.event("deal.closed", { outcome: "won" });
    expect(h.play("renewal-bundle").outcome).toBe("renewed_with_bundle");
    expect(h.accountDecisions(mark)).toEqual(["fired: renewal-bundle released the account"]);
    expect(h.delivered(mark)).toEqual([
      id("renewal-bundle", "expand.1"),
      id("seat-upsell", prompt.step),
      id("seat-upsell", "orchestrate.4"),
      id("seat-upsell", "prove.1"),
      // The QBR of five days ago came after seat-upsell fired: its QBR wait counts it, on to the offer.
      id("seat-upsell", "commit.1"),
    ]);
    expect(h.state.active).toEqual({ playbookId: "seat-upsell", priority: 50, since: iso(START + 10 * DAY) });
    expect(h.play("seat-upsell").stage).toBe("commit");
  });

  it("a lower priority play proceeds when the holder ends on a timeout", () => {
    const h = harness([seatUpsell, renewal], { renewal_date: renewsIn(60) });
    h.event("usage.updated", usage(0.92));
    const mark = h.mark();
    // renewal-bundle: no QBR in 30 days, on to its offer; no deal in 45 more, it times out.
    h.advanceTo(START + 75 * DAY);
    expect(h.play("renewal-bundle").outcome).toBe("timed_out");
    expect(h.delivered(mark)).toEqual([
      id("renewal-bundle", "commit.1"),
      id("seat-upsell", prompt.step),
      id("seat-upsell", "orchestrate.4"),
      id("seat-upsell", "prove.1"),
    ]);
    expect(h.deliveries(mark).map((d) => d.at)).toEqual([START + 30 * DAY, ...Array(3).fill(START + 75 * DAY)]);
  });

  it("a waiting play records its suppression once, not again on every input while it waits", () => {
    const h = harness([seatUpsell, renewal], { renewal_date: renewsIn(60) });
    h.event("usage.updated", usage(0.92));
    for (let i = 1; i <= 3; i++) {
      h.advanceBy(DAY);
      h.event("support.ticket_opened", { n: i });
    }
    expect(h.play("seat-upsell").wait).toEqual({ kind: "account", holder: "renewal-bundle" });
    expect(h.decisions("seat-upsell").filter((d) => d.includes("renewal-bundle active"))).toEqual([
      "suppressed: suppressed: renewal-bundle active",
    ]);
    expect(h.accountDecisions().filter((d) => d.includes("renewal-bundle active"))).toHaveLength(1);
  });

  it.each([
    {
      equalPriority: "first_come" as const,
      delivered: [id("zeta-first", "commit.1")],
      account: ["suppressed: alpha-second suppressed: zeta-first active"],
      waiting: true,
    },
    {
      equalPriority: "latest" as const,
      delivered: [id("zeta-first", "commit.1"), id("alpha-second", "commit.1")],
      account: [
        "suppressed: zeta-first pre-empted by alpha-second (priority 50 over 50)",
        "fired: alpha-second released the account",
      ],
      waiting: false,
    },
  ])("equal priorities with $equalPriority", ({ equalPriority, delivered, account, waiting }) => {
    const first = compileText(holderText("zeta-first", 50));
    const second = compileText(askerText("alpha-second", 50));
    const h = new CoreHarness({
      plans: [first, second],
      account: sampleAccount(ACCT),
      policy: { name: "test", equalPriority },
    });
    expect(h.state.active?.playbookId).toBe("zeta-first");
    const mark = h.mark();
    h.event("demo.offer_now");
    expect(h.delivered()).toEqual(delivered);
    expect(h.accountDecisions(mark)).toEqual(account);
    expect(h.play("alpha-second").wait?.kind === "account").toBe(waiting);
    if (!waiting) {
      expect(h.play("alpha-second").outcome).toBe("proposed");
      return;
    }
    // first come, first served: the second offer goes out when the first play ends. alpha-second
    // sorts before zeta-first, so it is looked at again only because the account was freed.
    const later = h.mark();
    h.event("demo.done");
    expect(h.play("zeta-first").outcome).toBe("proposed");
    expect(h.delivered(later)).toEqual([id("alpha-second", "commit.1")]);
    expect(h.play("alpha-second").outcome).toBe("proposed");
  });

  it("enrollment on_conflict: end ends the losing play", () => {
    const holder = compileText(holderText("holder", 50));
    const polite = compileText(askerText("polite", 40, "enrollment: { on_conflict: end, reentry: never }\n"));
    const h = new CoreHarness({ plans: [holder, polite], account: sampleAccount(ACCT) });
    const mark = h.mark();
    h.event("demo.offer_now");
    expect(h.decisions("polite", mark)).toEqual([
      "fired: demo.offer_now received",
      "suppressed: suppressed: holder active",
      "ended: journey ended: suppressed: holder active",
    ]);
    expect(h.play("polite")).toMatchObject({ status: "ended", outcome: "suppressed: holder active" });
    expect(h.play("polite").offers.map((o) => o.status)).toEqual(["withdrawn"]);
    expect(h.delivered()).toEqual([id("holder", "commit.1")]);
    expect(h.state.offers.map((o) => o.playbookId)).toEqual(["holder"]);
    expect(h.state.active?.playbookId).toBe("holder");
  });

  it("the account's offer cap holds across playbooks", () => {
    const h = new CoreHarness({
      plans: [offerFirst, offerLater],
      account: sampleAccount(ACCT),
      policy: oneOfferPolicy,
    });
    expect(h.delivered()).toEqual([id("offer-first", "commit.1")]);
    expect(h.play("offer-first").outcome).toBe("proposed");
    h.advanceBy(DAY);
    const mark = h.mark();
    h.event("demo.offer_now");
    // offer-first re-enters (its re-entry is `always`) and offer-later fires: neither may offer.
    expect(h.accountDecisions(mark)).toEqual([
      "fired: offer-first re-entered (run 2)",
      "suppressed: offer-first offer suppressed: account cap of 1 offers per 90 days reached",
      "suppressed: offer-later offer suppressed: account cap of 1 offers per 90 days reached",
    ]);
    expect(h.decisions("offer-later", mark)).toEqual([
      "fired: demo.offer_now received",
      "suppressed: suppressed: account cap of 1 offers per 90 days reached",
      "ended: journey ended: proposed",
    ]);
    expect(h.delivered(mark)).toEqual([]);
    expect(h.play("offer-later").offers.map((o) => o.status)).toEqual(["withdrawn"]);
    expect(h.state.offers).toHaveLength(1);

    // 90 days after the first offer the cap has room again.
    h.advanceTo(START + 90 * DAY);
    const later = h.mark();
    h.event("demo.offer_now");
    expect(h.delivered(later)).toEqual([`offer-first:${ACCT}:r3.0:commit.1`]);
    expect(h.accountDecisions(later)).toContain(
      "suppressed: offer-later offer suppressed: account cap of 1 offers per 90 days reached",
    );
  });

  it("an offer the account cap refuses does not pre-empt the holder", () => {
    const holder = compileText(holderText("low-holder", 10));
    const asker = compileText(`playbook: high-asker
name: Offers, then follows up
motion: upsell
priority: 50
discounts: { max: 10% }
journey:
  detect:
    - wait: { event: demo.offer_now }
  commit:
    - offer.propose: { sku: analytics, discount: 5% }
    - crm.task: { owner: csm, title: "Follow up with {{ name }}" }
    - end: { outcome: proposed }
`);
    const h = new CoreHarness({ plans: [holder, asker], account: sampleAccount(ACCT), policy: oneOfferPolicy });
    expect(h.delivered()).toEqual([id("low-holder", "commit.1")]);
    const mark = h.mark();
    h.event("demo.offer_now");
    // The offer is refused, so low-holder still held the account; the follow-up task pre-empts it.
    expect(h.accountDecisions(mark)).toEqual([
      "suppressed: high-asker offer suppressed: account cap of 1 offers per 90 days reached",
      "suppressed: low-holder pre-empted by high-asker (priority 50 over 10)",
      "fired: high-asker released the account",
    ]);
    expect(h.delivered(mark)).toEqual([id("high-asker", "commit.2")]);
  });

  it.each([
    { name: "offer.declined", type: "offer.declined", data: undefined },
    { name: "a lost deal", type: "deal.closed", data: { outcome: "lost" } },
  ])("no play may offer during the cooldown after $name", ({ type, data }) => {
    const policy = policyText("policy: cooldown\nfrequency: { cooldown_after_decline: 60d }\n");
    const h = new CoreHarness({ plans: [offerFirst, offerLater], account: sampleAccount(ACCT), policy });
    expect(h.delivered()).toEqual([id("offer-first", "commit.1")]);
    h.advanceBy(DAY);
    h.event(type, data);
    expect(h.state.offers).toEqual([{ playbookId: "offer-first", at: iso(START), status: "declined" }]);
    h.advanceBy(DAY);
    const mark = h.mark();
    h.event("demo.offer_now");
    expect(h.accountDecisions(mark)).toContain(
      "suppressed: offer-later offer suppressed: cooldown after a declined offer (offer-first)",
    );
    expect(h.decisions("offer-later", mark)).toContain(
      "suppressed: suppressed: cooldown after a declined offer (offer-first)",
    );
    expect(h.delivered(mark)).toEqual([]);
    // After 60 days the cooldown is over: offers go out again (offer-later has re-entered).
    h.advanceTo(START + 61 * DAY);
    const later = h.mark();
    h.event("demo.offer_now");
    expect(h.delivered(later).map((d) => d.replace(/:r\d+\./, ":r*."))).toEqual([
      `offer-first:${ACCT}:r*.0:commit.1`,
      `offer-later:${ACCT}:r*.0:commit.1`,
    ]);
  });

  it("a play waiting for the account gets it when the holder loops back to detect", () => {
    const high = compileText(`playbook: high-loop
name: Acts, then loops back to detect after ten days
motion: retention
priority: 90
triggers:
  go: { on: demo.high }
journey:
  detect:
    - wait: { trigger: go }
  orchestrate:
    - crm.task: { owner: csm, title: "High touch for {{ name }}" }
  expand:
    - loop: { after: 10d, to: detect }
`);
    const low = compileText(`playbook: low-wants
name: Wants to act
motion: upsell
priority: 10
journey:
  detect:
    - wait: { event: demo.low }
  orchestrate:
    - crm.task: { owner: csm, title: "Low touch for {{ name }}" }
    - end: { outcome: done }
`);
    const h = new CoreHarness({ plans: [high, low], account: sampleAccount(ACCT) });
    h.event("demo.high");
    expect(h.delivered()).toEqual([id("high-loop", "orchestrate.1")]);
    h.advanceBy(DAY);
    h.event("demo.low");
    expect(h.play("low-wants").wait).toMatchObject({ kind: "account" });
    expect(h.timers().at(-1)).toBe(`set ${iso(START + 10 * DAY)}`);
    const mark = h.mark();
    h.advanceTo(START + 10 * DAY);
    expect(h.decisions("high-loop", mark)).toEqual(["fired: loop to detect (iteration 1)"]);
    expect(h.accountDecisions(mark)).toEqual([
      "fired: high-loop released the account",
      "fired: low-wants released the account",
    ]);
    expect(h.deliveries(mark).map((d) => [d.action.id, d.at])).toEqual([
      [id("low-wants", "orchestrate.1"), START + 10 * DAY],
    ]);
    expect(h.play("low-wants").outcome).toBe("done");
    // high-loop is back in detect and takes the account again when it fires.
    const again = h.mark();
    h.event("demo.high");
    expect(h.delivered(again)).toEqual([id("high-loop", "orchestrate.1", 1)]);
  });

  it("a holder whose wait times out back to detect frees the account", () => {
    const high = compileText(`playbook: high-back
name: Acts, waits for a reply, back to detect without one
motion: retention
priority: 90
triggers:
  go: { on: demo.high }
journey:
  detect:
    - wait: { trigger: go }
  orchestrate:
    - crm.task: { owner: csm, title: "High touch" }
    - wait: { event: demo.reply, timeout: 5d, on_timeout: detect }
    - end: { outcome: replied }
`);
    const low = compileText(askerText("low-asker", 10));
    const h = new CoreHarness({ plans: [high, low], account: sampleAccount(ACCT) });
    h.event("demo.high");
    h.event("demo.offer_now");
    expect(h.play("low-asker").wait).toMatchObject({ kind: "account", offer: 0 });
    const mark = h.mark();
    h.advanceTo(START + 5 * DAY);
    expect(h.decisions("high-back", mark)).toEqual(["timeout: no demo.reply within 5 days"]);
    expect([h.play("high-back").stage, h.play("high-back").step]).toEqual(["detect", "detect.1"]);
    // Back in detect it waits for its trigger, maybe for months: it must not keep the account.
    expect(h.state.active?.playbookId).not.toBe("high-back");
    expect(h.delivered(mark)).toEqual([id("low-asker", "commit.1")]);
  });
});

describe("approvals", () => {
  const ACTION = id("approval-upsell", "commit.1");

  function requested(): CoreHarness {
    const h = new CoreHarness({ plans: [approvalUpsell], account: sampleAccount(ACCT) });
    h.event("usage.updated", usage(0.92));
    expect(h.decisions("approval-upsell")).toEqual([
      "fired: trigger capacity",
      "approval: approval requested: discount 12% above the approval threshold (10%)",
      `delivered: approval.request delivered as ${ACTION}:approval`,
    ]);
    expect(h.delivered()).toEqual([`${ACTION}:approval`]);
    expect(h.deliveries()[0]?.action.data).toMatchObject({ approver: "finance", sla_ms: 3 * DAY });
    expect(h.play("approval-upsell").wait).toMatchObject({ kind: "approval", deadline: START + 3 * DAY });
    expect(h.state.timer?.at).toBe(START + 3 * DAY);
    return h;
  }

  it("escalates after the SLA, then delivers the offer once granted", () => {
    const h = requested();
    let mark = h.mark();
    h.advanceTo(START + 3 * DAY);
    expect(h.decisions("approval-upsell", mark)[0]).toBe(
      "approval: approval SLA of 3 days passed: escalated to vp_finance",
    );
    expect(h.delivered(mark)).toEqual([`${ACTION}:escalation`]);
    expect(h.deliveries(mark)[0]?.action.data).toMatchObject({
      approver: "vp_finance",
      reason: "no answer from finance within 3 days",
    });
    expect(h.state.timer?.at).toBe(START + 6 * DAY);
    h.advanceBy(DAY);
    mark = h.mark();
    h.event("approval.granted", { step: "commit.1" });
    expect(h.delivered(mark)).toEqual([ACTION]);
    expect(h.play("approval-upsell")).toMatchObject({ status: "ended", outcome: "proposed" });
    expect(h.play("approval-upsell").offers.map((o) => o.status)).toEqual(["proposed"]);
    expect(h.state.offers.map((o) => o.status)).toEqual(["proposed"]);
  });

  it("sends no offer once rejected", () => {
    const h = requested();
    h.advanceBy(DAY);
    const mark = h.mark();
    h.event("approval.rejected");
    expect(h.decisions("approval-upsell", mark)).toEqual([
      "blocked: offer rejected by the approver",
      "ended: journey ended: proposed",
    ]);
    expect(h.delivered(mark)).toEqual([]);
    expect(h.play("approval-upsell").offers.map((o) => o.status)).toEqual(["rejected"]);
    expect(h.state.offers).toEqual([]);
  });

  it("withdraws the offer when the escalation is not answered either", () => {
    const h = requested();
    const mark = h.mark();
    h.advanceTo(START + 6 * DAY);
    expect(h.decisions("approval-upsell", mark)).toContain("blocked: offer withdrawn: no approval within the SLA");
    expect(h.delivered(mark)).toEqual([`${ACTION}:escalation`]);
    expect(h.play("approval-upsell").offers.map((o) => o.status)).toEqual(["withdrawn"]);
  });

  it("ignores an answer about another step", () => {
    const h = requested();
    h.event("approval.granted", { step: "commit.9" });
    expect(h.delivered()).toEqual([`${ACTION}:approval`]);
    expect(h.play("approval-upsell").wait?.kind).toBe("approval");
  });
});

describe("discount fences", () => {
  it.each([
    {
      tier: "growth",
      delivered: ["tier_fenced", "inside"],
      blocked: ["blocked: offer not emitted: price per seat 68.00 below the floor (70)"],
    },
    {
      tier: "enterprise",
      delivered: ["inside"],
      blocked: [
        "blocked: offer not emitted: discount 10% above the enterprise tier's fence (5%)",
        "blocked: offer not emitted: discount 15% above the enterprise tier's fence (5%)",
      ],
    },
  ])("the $tier tier gets $delivered", ({ tier, delivered, blocked }) => {
    const h = new CoreHarness({
      plans: [fencedOffer],
      account: sampleAccount(ACCT, { plan: { tier, seats: 50, list_price_per_seat: 80 } }),
    });
    expect(h.delivered()).toEqual(delivered.map((step) => id("fenced-offer", step)));
    expect(h.decisions("fenced-offer").filter((d) => d.startsWith("blocked"))).toEqual(blocked);
    expect(h.play("fenced-offer").offers.map((o) => o.step)).toEqual(delivered);
    expect(h.play("fenced-offer").outcome).toBe("done");
  });
});

describe("send windows", () => {
  const tokyo = new Intl.DateTimeFormat("en-US", {
    timeZone: "Asia/Tokyo",
    weekday: "short",
    hour: "2-digit",
    hourCycle: "h23",
  });

  it.each([
    { name: "Monday 19:00 in Tokyo", start: START, at: "2026-01-06T00:00:00.000Z" },
    { name: "Friday 19:00 in Tokyo", start: Date.parse("2026-01-09T10:00:00Z"), at: "2026-01-12T00:00:00.000Z" },
    { name: "Saturday noon in Tokyo", start: Date.parse("2026-01-10T03:00:00Z"), at: "2026-01-12T00:00:00.000Z" },
    { name: "Tuesday 08:50 in Tokyo", start: Date.parse("2026-01-05T23:50:00Z"), at: "2026-01-06T00:00:00.000Z" },
    { name: "Wednesday 10:00 in Tokyo", start: Date.parse("2026-01-07T01:00:00Z"), at: "2026-01-07T01:00:00.000Z" },
  ])("holds an action from $name until $at", ({ start, at }) => {
    const h = new CoreHarness({
      plans: [sendWindow],
      account: sampleAccount(ACCT, { timezone: "Asia/Tokyo" }),
      start,
    });
    const held = Date.parse(at) > start;
    expect(h.delivered()).toEqual(held ? [] : [id("send-window", "orchestrate.1")]);
    if (held) {
      expect(h.decisions("send-window")).toEqual([`held: held: outside send window until ${at} (Asia/Tokyo)`]);
      expect(h.play("send-window").wait).toEqual({ kind: "send_window", at: Date.parse(at) });
      expect(h.timers()).toEqual([`set ${at}`]);
      h.advanceTo(start + 7 * DAY);
    }
    const [delivery] = h.deliveries();
    expect(delivery?.action.id).toBe(id("send-window", "orchestrate.1"));
    expect(iso(delivery?.at ?? 0)).toBe(at);
    const parts = tokyo.formatToParts(new Date(delivery?.at ?? 0));
    const weekday = parts.find((p) => p.type === "weekday")?.value;
    const hour = Number(parts.find((p) => p.type === "hour")?.value);
    expect(["Mon", "Tue", "Wed", "Thu", "Fri"]).toContain(weekday);
    expect(hour >= 9 && hour < 17).toBe(true);
    expect(h.play("send-window").outcome).toBe("done");
  });
});

describe("holdouts", () => {
  const heldOut = Array.from({ length: 500 }, (_, i) => `h-${i}`).find((a) => isHeldOut("seat-upsell", a, 0.1));

  it("records a held-out play's decisions and delivers nothing", () => {
    expect(heldOut).toBeDefined();
    const account = heldOut as string;
    const h = new CoreHarness({ plans: [seatUpsell], account: sampleAccount(account) });
    expect(h.decisions("seat-upsell")).toEqual([
      "holdout: holdout: in the 10% control group; decisions recorded, no actions delivered",
    ]);
    h.event("usage.updated", usage(0.92));
    h.advanceTo(START + 100 * DAY);
    expect(h.deliveries()).toEqual([]);
    expect(h.decisions("seat-upsell").slice(1)).toEqual([
      "fired: trigger capacity",
      // A held-out play is assigned a variant too; its prompt is held out, the other one skipped.
      ...capacityPromptDecisions(
        capacityPrompt(account),
        "holdout: holdout: playloop.action.inapp.prompt not delivered",
      ),
      "holdout: holdout: playloop.action.crm.task not delivered",
      "holdout: holdout: playloop.action.report.roi_snapshot not delivered",
      "timeout: no qbr.completed within 30 days",
      "holdout: holdout: playloop.action.offer.propose not delivered",
      "timeout: no deal.closed within 45 days",
      "holdout: holdout: playloop.action.crm.task not delivered",
    ]);
    expect(h.play("seat-upsell")).toMatchObject({ holdout: true, engaged: true, stage: "expand" });
    expect(h.state.active).toBeUndefined();
    expect(h.state.offers).toEqual([]);
    expect(h.lastAttributes()?.Holdouts).toEqual(["seat-upsell"]);
  });
});

describe("re-entry", () => {
  it("ends on deal.closed, then re-enters only 30 days later, on the next snapshot", () => {
    const h = new CoreHarness({ plans: [reentryPlay], account: sampleAccount(ACCT) });
    expect(h.delivered()).toEqual([id("reentry-play", "orchestrate.1")]);
    h.advanceBy(2 * DAY);
    h.event("deal.closed", { outcome: "won" });
    const ended = START + 2 * DAY;
    expect(h.play("reentry-play")).toMatchObject({ status: "ended", outcome: "closed_won", endedAt: iso(ended) });
    expect(h.lastAttributes()?.Stages).toEqual(["reentry-play:ended", "reentry-play:ended:closed_won"]);

    let mark = h.mark();
    h.advanceTo(ended + 29 * DAY);
    h.snapshot({ health_score: 81 });
    h.event("support.ticket_opened");
    expect(h.play("reentry-play").status).toBe("ended");
    expect(h.delivered(mark)).toEqual([]);

    // Time alone does not bring it back: the next snapshot does.
    h.advanceTo(ended + 31 * DAY);
    expect(h.play("reentry-play").status).toBe("ended");
    mark = h.mark();
    h.snapshot({ health_score: 82 });
    expect(h.accountDecisions(mark)).toEqual(["fired: reentry-play re-entered (run 2)"]);
    expect(h.delivered(mark)).toEqual([`reentry-play:${ACCT}:r2.0:orchestrate.1`]);
    expect(h.play("reentry-play")).toMatchObject({ run: 2, status: "running", iteration: 0 });
  });
});

describe("snapshots", () => {
  it("treats a snapshot that changes nothing as no input: an ended play does not re-enter on it", () => {
    const h = new CoreHarness({ plans: [reentryPlay], account: sampleAccount(ACCT) });
    h.advanceBy(DAY);
    h.event("deal.closed", { outcome: "won" });
    h.advanceBy(40 * DAY);
    const before = structuredClone(h.state);
    expect(h.snapshot()).toEqual([]);
    expect(h.state).toEqual(before);
    expect(h.snapshot({ health_score: 90 }).filter((c) => c.kind === "deliver")).toHaveLength(1);
  });
});

describe("delivery reports", () => {
  it("records a failed delivery as blocked, and a good one as delivered", () => {
    const h = new CoreHarness({
      plans: [seatUpsell],
      account: sampleAccount(ACCT),
      deliveryError: (command) => (command.step === "orchestrate.4" ? "CRM unavailable (503)" : undefined),
    });
    h.event("usage.updated", usage(0.92));
    expect(h.decisions("seat-upsell")).toEqual([
      "fired: trigger capacity",
      `experiment: experiment capacity_prompt: variant ${prompt.variant} (50%)`,
      SKIPPED_BY_WHEN, // the other variant's prompt; the delivery reports come after the steps
      `delivered: inapp.prompt delivered as ${id("seat-upsell", prompt.step)}`,
      "blocked: delivery failed: CRM unavailable (503)",
      `delivered: report.roi_snapshot delivered as ${id("seat-upsell", "prove.1")}`,
    ]);
    expect(h.state.lastSuppression).toBe("seat-upsell: delivery failed: CRM unavailable (503)");
    expect(h.play("seat-upsell").decisions.find((d) => d.kind === "blocked")).toMatchObject({ step: "orchestrate.4" });
    expect(h.lastAttributes()?.LastSuppression).toBe("seat-upsell: delivery failed: CRM unavailable (503)");
  });

  it("records a delivery report under the stage of the step delivered", () => {
    const h = seatUpsellInProve();
    const delivered = h.play("seat-upsell").decisions.filter((d) => d.kind === "delivered");
    expect(delivered.map((d) => `${d.stage}/${d.step}`)).toEqual([
      `orchestrate/${prompt.step}`,
      "orchestrate/orchestrate.4",
      "prove/prove.1",
    ]);
  });
});

describe("plan versions", () => {
  const v1 = seatUpsell;
  const v2 = compileText(
    readRepoFile("playbooks/seat-upsell.yaml").replace("template: capacity-insight", "template: capacity-insight-v2"),
    "seat-upsell.yaml",
  );

  it("compiles a changed playbook to another version", () => {
    expect(v2.id).toBe(v1.id);
    expect(v2.version).not.toBe(v1.version);
  });

  it("moves a detecting play to the deployed version, keeping its wait's start", () => {
    const h = new CoreHarness({
      plans: [v1, v2],
      account: sampleAccount(ACCT),
      current: { "seat-upsell": v1.version },
    });
    h.advanceBy(10 * DAY);
    const mark = h.mark();
    h.deploy({ "seat-upsell": v2.version });
    expect(h.decisions("seat-upsell", mark)).toEqual([`fired: now follows version ${v2.version} (was ${v1.version})`]);
    expect(h.play("seat-upsell")).toMatchObject({ version: v2.version, status: "detecting", step: "detect.1" });
    expect(h.play("seat-upsell").wait).toMatchObject({ kind: "step", since: START });
    expect(h.timers(mark)).toEqual([]); // the 180-day timeout still counts from the start
    expect(h.lastAttributes(mark)?.Plays).toEqual(["seat-upsell", `seat-upsell@${v2.version}`]);
    h.event("usage.updated", usage(0.92));
    expect(h.deliveries()[0]?.action.data).toMatchObject({
      template: "capacity-insight-v2",
      playbook: { id: "seat-upsell", version: v2.version },
    });
  });

  it("keeps a running play on its version until it loops back to detect, then takes the new one", () => {
    const h = new CoreHarness({
      plans: [v1, v2],
      account: sampleAccount(ACCT),
      current: { "seat-upsell": v1.version },
    });
    h.event("usage.updated", usage(0.92));
    h.advanceBy(DAY);
    let mark = h.mark();
    h.deploy({ "seat-upsell": v2.version });
    expect(h.decisions("seat-upsell", mark)).toEqual([]);
    expect(h.play("seat-upsell")).toMatchObject({ version: v1.version, stage: "prove" });
    h.advanceTo(START + 30 * DAY);
    expect(h.deliveries(mark).map((d) => d.action.data.playbook)).toEqual([
      { id: "seat-upsell", version: v1.version, motion: "upsell" },
    ]);
    mark = h.mark();
    h.advanceTo(START + 165 * DAY);
    expect(h.decisions("seat-upsell", mark)).toEqual([
      "timeout: no deal.closed within 45 days",
      `delivered: crm.task delivered as ${id("seat-upsell", "expand.1")}`,
      "fired: loop to detect (iteration 1)",
      `fired: now follows version ${v2.version} (was ${v1.version})`,
    ]);
    expect(h.play("seat-upsell")).toMatchObject({ version: v2.version, status: "detecting", step: "detect.1" });
    mark = h.mark();
    h.event("usage.updated", usage(0.95));
    expect(h.deliveries(mark)[0]?.action).toMatchObject({
      id: id("seat-upsell", prompt.step, 1),
      data: { template: "capacity-insight-v2", playbook: { version: v2.version } },
    });
  });

  it("starts a playbook added to the plan set, and ends a removed one that is only detecting", () => {
    const h = new CoreHarness({
      plans: [v1, renewal, offerLater],
      account: sampleAccount(ACCT),
      current: { "seat-upsell": v1.version },
    });
    h.event("usage.updated", usage(0.92));
    let mark = h.mark();
    h.deploy({ "seat-upsell": v1.version, "renewal-bundle": renewal.version });
    expect(h.accountDecisions(mark)).toEqual(["fired: renewal-bundle deployed: detecting"]);
    expect(h.play("renewal-bundle")).toMatchObject({ status: "detecting", version: renewal.version, run: 1 });
    expect(h.lastAttributes(mark)?.Stages).toEqual(["renewal-bundle:detect", "seat-upsell:prove"]);

    // Both removed: renewal-bundle, only detecting, ends; seat-upsell, running, goes on.
    h.advanceBy(DAY);
    mark = h.mark();
    h.deploy({});
    expect(h.decisions("renewal-bundle", mark)).toEqual([
      "ended: journey ended: removed: the playbook is no longer deployed",
    ]);
    expect(h.play("renewal-bundle").outcome).toBe("removed: the playbook is no longer deployed");
    expect(h.play("seat-upsell")).toMatchObject({ status: "running", stage: "prove", version: v1.version });
    mark = h.mark();
    h.advanceTo(START + 30 * DAY);
    expect(h.delivered(mark)).toEqual([id("seat-upsell", "commit.1")]);
    // A removed playbook does not re-enter on later events either.
    h.event("support.ticket_opened");
    expect(h.play("renewal-bundle").status).toBe("ended");
  });

  it("ends a removed playbook's running play when it loops back to detect", () => {
    const h = new CoreHarness({ plans: [v1], account: sampleAccount(ACCT) });
    h.event("usage.updated", usage(0.92));
    h.deploy({});
    const mark = h.mark();
    h.advanceTo(START + 165 * DAY);
    // Back in detect it is a detecting play of a removed playbook: it ends there and then, rather
    // than waiting in detect (with a timer and a `seat-upsell:detect` stage) for some later input.
    expect(h.decisions("seat-upsell", mark).slice(-2)).toEqual([
      "fired: loop to detect (iteration 1)",
      "ended: journey ended: removed: the playbook is no longer deployed",
    ]);
    expect(h.play("seat-upsell").endedAt).toBe(iso(START + 165 * DAY));
    expect(h.lastAttributes()?.Stages).toEqual([
      "seat-upsell:ended",
      "seat-upsell:ended:removed: the playbook is no longer deployed",
    ]);
    expect(h.state.timer).toBeUndefined();
  });
});

describe("timer commands", () => {
  it("sets the timer for the next wait and cancels it when nothing waits on time", () => {
    const h = new CoreHarness({ plans: [restartDemo], account: sampleAccount(ACCT) });
    expect(h.delivered()).toEqual([id("restart-demo", "orchestrate.1")]);
    expect(h.timers()).toEqual([`set ${iso(START + 30 * DAY)}`]);
    expect(h.state.timer).toEqual({ at: START + 30 * DAY, summary: "restart-demo: waiting for demo.continue" });
    // An unrelated input does not ask for the same timer again.
    let mark = h.mark();
    h.advanceBy(DAY);
    h.event("support.ticket_opened");
    expect(h.timers(mark)).toEqual([]);
    mark = h.mark();
    h.event("demo.continue");
    expect(h.delivered(mark)).toEqual([id("restart-demo", "orchestrate.3")]);
    expect(h.timers(mark)).toEqual(["cancel"]);
    expect(h.state.timer).toBeUndefined();
  });

  it("asks for the earliest of several plays' waits", () => {
    const h = seatUpsellInProve([seatUpsell, renewal], { renewal_date: renewsIn(100) });
    const opens = midnight(renewsIn(10));
    expect(h.state.timer).toEqual({ at: opens, summary: "renewal-bundle: waiting for renewal_window" });
    h.advanceTo(opens);
    // renewal-bundle now waits 45 days for its deal; seat-upsell's QBR timeout is sooner.
    expect(h.state.timer).toEqual({ at: START + 30 * DAY, summary: "seat-upsell: waiting for qbr.completed" });
  });

  it("asks for no timer while a play waits only for an event", () => {
    const h = new CoreHarness({ plans: [reentryPlay], account: sampleAccount(ACCT) });
    expect(h.timers()).toEqual([]);
    expect(h.state.timer).toBeUndefined();
  });
});

describe("search attributes", () => {
  it("tell the plays with their versions, the stages and outcomes, and are sent only when they change", () => {
    const h = harness([seatUpsell, renewal]);
    expect(h.lastAttributes()).toEqual({
      Plays: [
        "renewal-bundle",
        "seat-upsell",
        `renewal-bundle@${renewal.version}`,
        `seat-upsell@${seatUpsell.version}`,
      ],
      Stages: ["renewal-bundle:detect", "seat-upsell:detect"],
      Holdouts: [],
    });
    h.event("usage.updated", usage(0.92));
    expect(h.lastAttributes()?.Stages).toEqual(["renewal-bundle:detect", "seat-upsell:prove"]);
    let mark = h.mark();
    h.event("support.ticket_opened");
    expect(h.lastAttributes(mark)).toBeUndefined(); // nothing changed: nothing sent
    // seat-upsell loops back to detect at 165 days and times out there 180 days later.
    h.advanceTo(START + 200 * DAY);
    expect(h.lastAttributes()).toMatchObject({ Stages: ["renewal-bundle:detect", "seat-upsell:detect"] });
    mark = h.mark();
    h.advanceTo(START + 345 * DAY);
    expect(h.lastAttributes(mark)).toMatchObject({
      Stages: ["renewal-bundle:detect", "seat-upsell:ended", "seat-upsell:ended:timed_out"],
    });
    h.advanceTo(START + 365 * DAY);
    expect(h.lastAttributes()).toMatchObject({
      Stages: [
        "renewal-bundle:ended",
        "renewal-bundle:ended:timed_out",
        "seat-upsell:ended",
        "seat-upsell:ended:timed_out",
      ],
    });
    expect(h.state.timer).toBeUndefined();
  });
});

describe("a journey that spins", () => {
  it("is stopped with an outcome, without hanging", () => {
    // Validation refuses such a journey (E_JOURNEY_SPINS); a plan from elsewhere is still stopped
    // at runtime. This one is a valid plan with its loop's pause taken out.
    const valid = compileText(`playbook: spinner
name: Loops back to detect without ever waiting
motion: upsell
journey:
  detect:
    - crm.task: { owner: csm, title: "Never sent", when: "arr < 0" }
  expand:
    - loop: { to: detect, after: 1d }
`);
    const spinner = {
      ...valid,
      stages: valid.stages.map((stage) =>
        stage.name === "expand"
          ? { ...stage, steps: [{ id: "expand.1", kind: "loop" as const, to: "detect" as const }] }
          : stage,
      ),
    };
    const h = new CoreHarness({ plans: [spinner], account: sampleAccount(ACCT) });
    const play = h.play("spinner");
    expect(play.status).toBe("ended");
    expect(play.outcome).toMatch(/^stopped: /);
    expect(play.outcome).toBe("stopped: more than 500 steps without a wait");
    expect(h.delivered()).toEqual([]);
    expect(h.state.timer).toBeUndefined();
    // The next input does not start it spinning again forever: it re-enters and is stopped again.
    h.event("support.ticket_opened");
    expect(h.play("spinner").outcome).toMatch(/^stopped: /);
  });
});
