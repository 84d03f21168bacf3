// Running plays and a new version of their playbook: pinned by default (they finish on theirs);
// with `versioning: { running: at_stage_boundary }` they move at their next stage boundary to the
// stage of the same name (or the step the map names), keeping offers and decisions, and end when
// the stage is gone.
import { describe, expect, it } from "vitest";
import type { CompiledPlan } from "../../engine/compile/plan.js";
import { readRepoFile } from "../helpers.js";
import { compileText, CoreHarness, sampleAccount } from "./core-harness.js";

const v1Text = readRepoFile("playbooks/seat-upsell.yaml");
const v1 = compileText(v1Text, "seat-upsell.yaml");
const ACCT = "acme-1";
const migrating = "versioning: { running: at_stage_boundary }\n";
/** A new version of seat-upsell: `edit` applied to its YAML. */
const v2 = (edit: (text: string) => string): CompiledPlan => compileText(edit(v1Text), "seat-upsell-v2.yaml");
const biggerOffer = (text: string): string => text.replace("quantity: +20%", "quantity: +30%");

/** seat-upsell v1 waiting for the QBR in prove, then `next` deployed. */
function inProveThenDeploy(next: CompiledPlan): CoreHarness {
  const h = new CoreHarness({ plans: [v1], account: sampleAccount(ACCT) });
  h.event("usage.updated", { usage: { seat_utilization: 0.92 } });
  expect([h.play("seat-upsell").stage, h.play("seat-upsell").step]).toEqual(["prove", "prove.2"]);
  h.addPlan(next);
  h.deploy({ "seat-upsell": next.version });
  return h;
}

const offers = (h: CoreHarness, since: number) =>
  h
    .deliveries(since)
    .filter((d) => d.action.data.action === "offer.propose")
    .map((d) => d.action.data.offer);

describe("a running play when a new version is deployed", () => {
  it("stays on its version by default and sends its version's offer", () => {
    const next = v2(biggerOffer);
    const h = inProveThenDeploy(next);
    expect(h.play("seat-upsell").version).toBe(v1.version);
    const mark = h.mark();
    h.event("qbr.completed");
    expect(h.play("seat-upsell").version).toBe(v1.version);
    expect(offers(h, mark)).toEqual([expect.objectContaining({ quantity: "+20%" })]);
  });

  it("with at_stage_boundary, waits out prove on its version, then enters commit on the new one and sends the new offer", () => {
    const next = v2((text) => migrating + biggerOffer(text));
    const h = inProveThenDeploy(next);
    // Mid-stage nothing moves: the QBR wait goes on in v1.
    expect([h.play("seat-upsell").version, h.play("seat-upsell").step]).toEqual([v1.version, "prove.2"]);
    const decisionsBefore = h.play("seat-upsell").decisions.length;
    const mark = h.mark();
    h.event("qbr.completed");
    const play = h.play("seat-upsell");
    expect([play.version, play.stage, play.step]).toEqual([next.version, "commit", "commit.2"]);
    expect(h.decisions("seat-upsell", mark)).toContain(
      `fired: migrated to version ${next.version} (was ${v1.version}) entering commit`,
    );
    expect(offers(h, mark)).toEqual([expect.objectContaining({ quantity: "+30%" })]);
    // Its decisions and run are kept: it is the same play, now on the new version.
    expect(play.decisions.length).toBeGreaterThan(decisionsBefore);
    expect(play.run).toBe(1);
  });

  it("follows the map to a renamed step", () => {
    const next = v2(
      (text) =>
        "versioning: { running: at_stage_boundary, map: { commit.1: big-offer } }\n" +
        biggerOffer(text).replace(
          "    - offer.propose: { sku: seats,",
          '    - crm.task: { owner: csm, title: "Prepare the offer", sla: 1d }\n    - offer.propose: { id: big-offer, sku: seats,',
        ),
    );
    const h = inProveThenDeploy(next);
    const mark = h.mark();
    h.event("qbr.completed");
    expect(h.play("seat-upsell").step).toBe("commit.3");
    // The map skipped the new crm.task: the offer is the first thing the migrated play sends.
    expect(h.deliveries(mark).map((d) => d.action.data.action)).toEqual(["offer.propose"]);
  });

  it("ends, saying why, when the new version has no stage of that name", () => {
    const next = v2(
      (text) =>
        migrating +
        text.replace(/ {2}commit:\n(?: {4}-.*\n){2}/, "").replace("on_timeout: commit", "on_timeout: expand"),
    );
    expect(next.stages.map((s) => s.name)).not.toContain("commit");
    const h = inProveThenDeploy(next);
    h.event("qbr.completed");
    const play = h.play("seat-upsell");
    expect([play.status, play.outcome]).toEqual(["ended", "migration: stage commit removed"]);
    expect(h.state.active).toBeUndefined();
  });
});
