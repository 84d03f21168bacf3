// The bundled dsr-engagement-upsell playbook on the journey core: proposal views counted in a
// sliding 7-day window fire it; a week later the branch on fresh views picks the offer or a nudge.
import { describe, expect, it } from "vitest";
import { compileFile, CoreHarness, DAY, sampleAccount } from "./core-harness.js";

const plan = compileFile("playbooks/dsr-engagement-upsell.yaml");
const ID = "dsr-engagement-upsell";
/** An account outside the playbook's 10% holdout. */
const ACCOUNT = "dsr-2";
const view = (room = "expansion") => ({ room, document: "proposal.pdf" });
const kinds = (h: CoreHarness, since = 0) => h.deliveries(since).map((d) => String(d.action.data.action));

function viewedTwice(): CoreHarness {
  const h = new CoreHarness({ plans: [plan], account: sampleAccount(ACCOUNT) });
  expect(h.play(ID).holdout).toBe(false);
  h.event("document.viewed", view());
  h.advanceBy(3 * DAY);
  h.event("document.viewed", view("onboarding")); // another room does not count
  expect(h.play(ID).status).toBe("detecting");
  h.event("document.viewed", view());
  return h;
}

describe("dsr-engagement-upsell", () => {
  it("fires on the second proposal view within 7 days and puts the AE on it", () => {
    const h = viewedTwice();
    expect(h.decisions(ID)).toContain("fired: trigger proposal_interest");
    expect(h.deliveries().map((d) => [d.action.data.action, d.action.data.title])).toEqual([
      ["crm.task", "Acme Corp is reading the expansion proposal: book the walkthrough"],
    ]);
  });

  it("does not fire when the views are more than 7 days apart", () => {
    const h = new CoreHarness({ plans: [plan], account: sampleAccount(ACCOUNT) });
    h.event("document.viewed", view());
    h.advanceBy(8 * DAY);
    h.event("document.viewed", view());
    expect(h.play(ID).status).toBe("detecting");
  });

  it("makes the tier offer when the committee is still reading a week later", () => {
    const h = viewedTwice();
    h.advanceBy(5 * DAY);
    h.event("document.viewed", view());
    const mark = h.mark();
    h.advanceBy(2 * DAY);
    expect(h.decisions(ID, mark)).toContainEqual(
      expect.stringMatching(/^branched: path 1 \(count\(document.viewed, 7d.*\) -> commit$/),
    );
    expect(kinds(h, mark)).toEqual(["offer.propose"]);
    expect(h.deliveries(mark)[0]?.action.data.offer).toMatchObject({ plan: "scale", discount: 0.05 });
  });

  it("nudges the champion when the views stopped, and offers once they read again", () => {
    const h = viewedTwice();
    const mark = h.mark();
    h.advanceBy(7 * DAY);
    expect(h.decisions(ID, mark)).toContain("branched: no path's condition holds: else -> champion_nudge");
    expect(kinds(h, mark)).toEqual(["email.send"]);
    h.advanceBy(2 * DAY);
    h.event("document.viewed", view());
    expect(kinds(h, mark)).toEqual(["email.send", "offer.propose"]);
  });
});
