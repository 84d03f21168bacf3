// Experiments on the journey core: a stable variant per (playbook, experiment, account) in the
// declared shares, recorded as a decision, readable by conditions, carried in every later action
// and in the Plays search attribute; a variant's goto splits the path.
import { describe, expect, it } from "vitest";
import { experimentVariant } from "../../engine/journey/experiment-variant.js";
import { searchAttributeValues } from "../../engine/journey/advance-account.js";
import { readRepoFile } from "../helpers.js";
import { compileText, CoreHarness, sampleAccount } from "./core-harness.js";

const plan = compileText(readRepoFile("test/fixtures/compile/experiments.yaml"), "experiments.yaml");
const ID = "experiments";
const prompt = plan.stages[1]?.steps[0];
const variants = prompt?.kind === "experiment" ? prompt.variants : [];

/** An account that entered the play, and its CoreHarness. */
function entered(accountId: string): CoreHarness {
  const h = new CoreHarness({ plans: [plan], account: sampleAccount(accountId) });
  h.event("usage.updated", { usage: { seat_utilization: 0.92 } });
  return h;
}

/** The first account ids (acct-0, acct-1, ...) that get `variant` of capacity_prompt. */
function accountsIn(variant: string, count: number): string[] {
  const ids: string[] = [];
  for (let i = 0; ids.length < count; i++)
    if (experimentVariant(ID, "capacity_prompt", `acct-${i}`, variants)?.variant.name === variant)
      ids.push(`acct-${i}`);
  return ids;
}

describe("an experiment", () => {
  it("assigns each account the same variant every time, in the declared shares", () => {
    expect(variants.map((v) => [v.name, v.share])).toEqual([
      ["control", 0.5],
      ["roi_first", 0.5],
    ]);
    const counts = { control: 0, roi_first: 0 } as Record<string, number>;
    for (let i = 0; i < 20_000; i++) {
      const first = experimentVariant(ID, "capacity_prompt", `account-${i}`, variants)?.variant.name ?? "";
      expect(experimentVariant(ID, "capacity_prompt", `account-${i}`, variants)?.variant.name).toBe(first);
      counts[first] = (counts[first] ?? 0) + 1;
    }
    // 20,000 fair coin flips: 3 standard deviations is 212 either side of 10,000.
    expect(Math.abs((counts.control ?? 0) - 10_000)).toBeLessThan(212);
    expect((counts.control ?? 0) + (counts.roi_first ?? 0)).toBe(20_000);
  });

  it("is independent of the experiment's name and of the holdout's hash", () => {
    const same = Array.from({ length: 2000 }, (_, i) => `account-${i}`).filter(
      (id) =>
        experimentVariant(ID, "capacity_prompt", id, variants)?.variant.name ===
        experimentVariant(ID, "another_test", id, variants)?.variant.name,
    );
    // Two independent 50/50 splits agree for about half the accounts.
    expect(same.length).toBeGreaterThan(900);
    expect(same.length).toBeLessThan(1100);
  });

  it("records the variant, lets conditions read it, and carries it in every later action", () => {
    const [roi] = accountsIn("roi_first", 1);
    const h = entered(roi ?? "");
    expect(h.decisions(ID)).toContainEqual(
      expect.stringMatching(/^experiment: experiment capacity_prompt: variant roi_first \(50%\)$/),
    );
    const prompts = h.deliveries().filter((d) => d.action.data.action === "inapp.prompt");
    expect(prompts.map((d) => d.action.data.template)).toEqual(["seat-capacity-roi"]);
    expect(h.decisions(ID)).toContain("skipped: skipped: its `when` condition does not hold");
    for (const delivery of h.deliveries())
      expect(delivery.action.data.experiments).toMatchObject({ capacity_prompt: "roi_first" });
    expect(h.play(ID).experiments).toMatchObject({ capacity_prompt: "roi_first" });
    expect(searchAttributeValues(h.state).Plays).toContain("experiments#capacity_prompt=roi_first");
  });

  it("gives the control accounts the other template", () => {
    for (const id of accountsIn("control", 3)) {
      const h = entered(id);
      const prompts = h.deliveries().filter((d) => d.action.data.action === "inapp.prompt");
      expect(prompts.map((d) => d.action.data.template)).toEqual(["seat-capacity-nudge"]);
    }
  });

  it("sends a variant with a goto elsewhere: no_call skips the call and goes to the offer", () => {
    const seen = new Set<string>();
    for (let i = 0; seen.size < 2 && i < 50; i++) {
      const h = entered(`split-${i}`);
      const variant = h.play(ID).experiments?.call_before_offer ?? "";
      seen.add(variant);
      const kinds = h.deliveries().map((d) => String(d.action.data.action));
      expect(kinds.includes("crm.task")).toBe(variant === "call");
      expect(kinds.at(-1)).toBe("offer.propose");
      if (variant === "no_call")
        expect(h.decisions(ID)).toContain("experiment: experiment call_before_offer: variant no_call (70%) -> commit");
    }
    expect([...seen].sort()).toEqual(["call", "no_call"]);
  });

  it("is visible to a wait's event conditions too", () => {
    const waiting = compileText(`playbook: exp-wait
name: A wait that depends on the variant
motion: upsell
journey:
  detect:
    - wait: { event: usage.updated }
  orchestrate:
    - experiment: { name: arm, variants: { a: 50%, b: 50% } }
    - wait:
        any:
          - { event: qbr.completed, when: 'experiments.arm == "a"', goto: commit }
          - { event: qbr.completed, when: 'experiments.arm == "b"', goto: end }
  commit:
    - crm.task: { owner: ae, title: "Offer" }
`);
    const seen = new Set<string>();
    for (let i = 0; seen.size < 2 && i < 50; i++) {
      const h = new CoreHarness({ plans: [waiting], account: sampleAccount(`w-${i}`) });
      h.event("usage.updated");
      h.event("qbr.completed");
      const arm = h.play("exp-wait").experiments?.arm ?? "";
      seen.add(arm);
      expect(h.delivered().length).toBe(arm === "a" ? 1 : 0);
      expect(h.decisions("exp-wait")).toContain(
        arm === "a"
          ? 'fired: qbr.completed received (experiments.arm == "a"): path 1 -> commit'
          : 'fired: qbr.completed received (experiments.arm == "b"): path 2 -> end',
      );
    }
    expect([...seen].sort()).toEqual(["a", "b"]);
  });
});
