// Branches and waits for any of several events, on the journey core: every path of the branches
// fixture (test/fixtures/compile/branches.yaml), each recorded as a decision with its condition.
import { describe, expect, it } from "vitest";
import { readRepoFile } from "../helpers.js";
import { compileText, CoreHarness, DAY, sampleAccount } from "./core-harness.js";

const plan = compileText(readRepoFile("test/fixtures/compile/branches.yaml"), "branches.yaml");
const ID = "branches";

/** An account entering the play now (the capacity trigger fires), with `overrides` on the sample. */
function entered(overrides: Record<string, unknown> = {}): CoreHarness {
  const h = new CoreHarness({ plans: [plan], account: sampleAccount("acct-1", overrides) });
  h.event("usage.updated", { usage: { seat_utilization: 0.92 } });
  return h;
}

const actions = (h: CoreHarness, since = 0): string[] => h.deliveries(since).map((d) => String(d.action.data.action));

describe("a branch", () => {
  it("takes the first path whose condition holds: an unhealthy account goes to the save call", () => {
    const h = entered({ health_score: 40, plan: { tier: "enterprise", seats: 50 } });
    expect(h.decisions(ID)).toContain("branched: path 1 (health_score < 50) -> save_call");
    expect(actions(h)).toEqual(["crm.task"]);
    expect(h.play(ID)).toMatchObject({ status: "ended", outcome: "save_attempted" });
  });

  it("takes a later path when an earlier one does not hold: an enterprise account goes straight to commit", () => {
    const h = entered({ health_score: 82, plan: { tier: "enterprise", seats: 50 } });
    expect(h.decisions(ID)).toContain('branched: path 2 (plan.tier == "enterprise") -> commit');
    expect(actions(h)).toEqual(["offer.propose"]);
    expect([h.play(ID).stage, h.play(ID).step]).toEqual(["commit", "commit.2"]);
  });

  it("takes `else` when no path holds: into the QBR wait", () => {
    const h = entered();
    expect(h.decisions(ID)).toContain("branched: no path's condition holds: else -> qbr");
    expect([h.play(ID).stage, h.play(ID).step]).toEqual(["prove", "qbr"]);
    expect(actions(h)).toEqual([]);
  });

  it("without `else`, goes on to the next step; `goto: end` ends the journey completed", () => {
    const text = `
playbook: fallthrough
name: Fall through
motion: upsell
journey:
  detect:
    - wait: { event: usage.updated }
  orchestrate:
    - branch:
        paths:
          - { when: "health_score < 50", goto: end }
    - crm.task: { owner: csm, title: healthy }
`;
    const fallthrough = compileText(text);
    const healthy = new CoreHarness({ plans: [fallthrough], account: sampleAccount("a") });
    healthy.event("usage.updated");
    expect(healthy.decisions("fallthrough")).toContain("branched: no path's condition holds: on to the next step");
    expect(actions(healthy)).toEqual(["crm.task"]);
    const unhealthy = new CoreHarness({ plans: [fallthrough], account: sampleAccount("b", { health_score: 30 }) });
    unhealthy.event("usage.updated");
    expect(actions(unhealthy)).toEqual([]);
    expect(unhealthy.play("fallthrough")).toMatchObject({ status: "ended", outcome: "completed" });
  });

  it("reads the account as it is when the journey reaches the branch, not when it entered", () => {
    const h = new CoreHarness({ plans: [plan], account: sampleAccount("acct-2") });
    h.snapshot({ health_score: 45 });
    h.event("usage.updated", { usage: { seat_utilization: 0.92 } });
    expect(h.decisions(ID)).toContain("branched: path 1 (health_score < 50) -> save_call");
  });
});

describe("a wait for any of several events", () => {
  it("a positive QBR leads to commit and its offer", () => {
    const h = entered();
    const mark = h.mark();
    h.advanceBy(3 * DAY);
    h.event("qbr.completed", { outcome: "positive" });
    expect(h.decisions(ID, mark)).toContain(
      'fired: qbr.completed received (event.data.outcome == "positive"): path 1 -> commit',
    );
    expect(actions(h, mark)).toEqual(["offer.propose"]);
  });

  it("a negative QBR leads to the save call, a step of an earlier stage", () => {
    const h = entered();
    const mark = h.mark();
    h.event("qbr.completed", { outcome: "negative" });
    expect(h.decisions(ID, mark)).toContain(
      'fired: qbr.completed received (event.data.outcome == "negative"): path 2 -> save_call',
    );
    expect(actions(h, mark)).toEqual(["crm.task"]);
    expect(h.play(ID)).toMatchObject({ status: "ended", outcome: "save_attempted" });
  });

  it("an event that matches no path leaves it waiting; a path without `goto` goes on to the next step", () => {
    const h = entered();
    h.event("qbr.completed", { outcome: "neutral" });
    expect([h.play(ID).step, h.play(ID).status]).toEqual(["qbr", "running"]);
    h.event("account.churn_risk");
    expect(h.decisions(ID)).toContain("fired: account.churn_risk received: path 3");
    expect(h.play(ID)).toMatchObject({ status: "ended", outcome: "at_risk" });
  });

  it("with no event in 30 days, times out to the step its on_timeout names", () => {
    const h = entered();
    h.advanceBy(29 * DAY);
    expect(h.play(ID).step).toBe("qbr");
    h.advanceBy(2 * DAY);
    expect(h.decisions(ID)).toContain("timeout: no qbr.completed or account.churn_risk within 30 days");
    expect(h.play(ID)).toMatchObject({ status: "ended", outcome: "no_qbr" });
  });
});
