// An operator pauses, resumes or stops a playbook (`playloop pause|resume|stop`): the core holds
// or skips the paused play's actions while its waits, timers and detection go on, sends the held
// ones on resume, and ends every run of a stopped play until the stop is lifted.
import { describe, expect, it } from "vitest";
import { capacityPrompt, capacityPromptDecisions, readRepoFile } from "../helpers.js";
import { compileFile, compileText, CoreHarness, DAY, sampleAccount } from "./core-harness.js";

const seatUpsell = compileFile("playbooks/seat-upsell.yaml");
const seatUpsellSkip = compileText(
  readRepoFile("playbooks/seat-upsell.yaml").replace("priority: 50", "priority: 50\nwhen_paused: skip"),
  "seat-upsell-skip.yaml",
);
const ACCT = "acme-1";
/** The in-app prompt seat-upsell's capacity_prompt experiment gives ACCT, and the one it skips. */
const prompt = capacityPrompt(ACCT);
const id = (step: string, iteration = 0): string => `seat-upsell:${ACCT}:${iteration}:${step}`;
const capacity = { usage: { seat_utilization: 0.92 } };
const harness = (plan = seatUpsell): CoreHarness => new CoreHarness({ plans: [plan], account: sampleAccount(ACCT) });

describe("a paused play", () => {
  it("keeps detecting and moving through its stages, holding every action until it resumes, then sends them in order", () => {
    const h = harness();
    h.control("seat-upsell", "paused");
    expect(h.lastAttributes()?.Paused).toBe("seat-upsell");
    const mark = h.mark();
    h.event("usage.updated", capacity);
    expect(h.delivered(mark)).toEqual([]);
    expect(h.decisions("seat-upsell", mark)).toEqual([
      "fired: trigger capacity",
      ...capacityPromptDecisions(prompt, "held: held: inapp.prompt goes out when seat-upsell resumes"),
      "held: held: crm.task goes out when seat-upsell resumes",
      "held: held: report.roi_snapshot goes out when seat-upsell resumes",
    ]);
    const play = h.play("seat-upsell");
    expect([play.stage, play.wait?.kind]).toEqual(["prove", "step"]);
    expect(h.state.timer).toBeDefined();

    const resumed = h.mark();
    h.control("seat-upsell", undefined);
    expect(h.delivered(resumed)).toEqual([id(prompt.step), id("orchestrate.4"), id("prove.1")]);
    expect(h.decisions("seat-upsell", resumed).filter((d) => d.startsWith("fired: released"))).toHaveLength(3);
    expect(h.state.held).toBeUndefined();
    expect(h.lastAttributes(resumed)?.Paused).toBeUndefined();
  });

  it("drops its actions with the reason when the playbook says when_paused: skip", () => {
    const h = harness(seatUpsellSkip);
    h.control("seat-upsell", "paused");
    const mark = h.mark();
    h.event("usage.updated", capacity);
    expect(h.delivered(mark)).toEqual([]);
    expect(h.decisions("seat-upsell", mark).slice(1)).toEqual([
      ...capacityPromptDecisions(prompt, "skipped: skipped: inapp.prompt not sent, seat-upsell is paused"),
      "skipped: skipped: crm.task not sent, seat-upsell is paused",
      "skipped: skipped: report.roi_snapshot not sent, seat-upsell is paused",
    ]);
    h.control("seat-upsell", undefined);
    expect(h.delivered(mark)).toEqual([]);
    expect(h.play("seat-upsell").stage).toBe("prove");
  });

  it("keeps a delivery a worker held back (the account had not heard of the pause), and sends it on resume", () => {
    const h = harness();
    const sent = h.event("usage.updated", capacity).flatMap((c) => (c.kind === "deliver" ? [c] : []));
    expect(sent).toHaveLength(3);
    h.controls = { "seat-upsell": "paused" };
    const mark = h.mark();
    h.send({ kind: "held", delivery: sent[0]! });
    expect(h.state.held?.map((c) => c.action.id)).toEqual([id(prompt.step)]);
    expect(h.decisions("seat-upsell", mark)).toEqual(["held: held: inapp.prompt goes out when seat-upsell resumes"]);
    h.control("seat-upsell", undefined);
    expect(h.delivered(mark)).toEqual([id(prompt.step)]);
  });

  it("sends at once a held-back delivery that comes back after the play resumed", () => {
    const h = harness();
    const sent = h.event("usage.updated", capacity).flatMap((c) => (c.kind === "deliver" ? [c] : []));
    const mark = h.mark();
    h.send({ kind: "held", delivery: sent[1]! });
    expect(h.delivered(mark)).toEqual([id("orchestrate.4")]);
  });
});

describe("a stopped play", () => {
  it("ends with the outcome stopped, frees the account, and detects again only when the stop is lifted", () => {
    const h = harness();
    h.event("usage.updated", capacity);
    expect(h.state.active?.playbookId).toBe("seat-upsell");
    h.control("seat-upsell", "stopped");
    const play = h.play("seat-upsell");
    expect([play.status, play.outcome]).toEqual(["ended", "stopped"]);
    expect(h.state.active).toBeUndefined();
    expect(h.lastAttributes()?.Stages).toContain("seat-upsell:ended:stopped");
    // Stopped: events and time bring it back no more.
    h.advanceBy(30 * DAY);
    h.event("usage.updated", { usage: { seat_utilization: 0.95 } });
    expect(h.play("seat-upsell").status).toBe("ended");
    const lifted = h.mark();
    h.control("seat-upsell", undefined);
    expect(h.accountDecisions(lifted)).toContain("fired: seat-upsell detecting again after its stop");
    expect([h.play("seat-upsell").status, h.play("seat-upsell").run]).toEqual(["detecting", 2]);
  });

  it("drops the actions it held while paused, saying so", () => {
    const h = harness();
    h.control("seat-upsell", "paused");
    h.event("usage.updated", capacity);
    expect(h.state.held).toHaveLength(3);
    const mark = h.mark();
    h.control("seat-upsell", "stopped");
    expect(h.delivered(mark)).toEqual([]);
    expect(h.state.held).toBeUndefined();
    expect(h.decisions("seat-upsell", mark).filter((d) => d.includes("dropped"))).toHaveLength(3);
  });
});
