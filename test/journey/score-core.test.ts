// The journey core with a scorecard deployed: the account is scored on every snapshot and event,
// the score is in its state, its view and its search attributes, conditions read it as
// `score.expansion`, and a change of band is one `score.band_changed` fact. Without a scorecard
// none of it happens.
import { describe, expect, it } from "vitest";
import { compileScorecard } from "../../engine/compile/compile-scorecard.js";
import { evaluate } from "../../engine/rules/evaluate.js";
import type { Fact } from "../../engine/journey/account-facts.js";
import { accountView } from "../../engine/journey/account-view.js";
import { formatAccountStatus } from "../../engine/journey/format-account-status.js";
import { DEFAULT_POLICY, type AccountPolicy } from "../../engine/validate/validate-policy.js";
import { validateScorecard } from "../../engine/validate/validate-scorecard.js";
import { readRepoFile } from "../helpers.js";
import { compileText, CoreHarness, DAY, iso, sampleAccount, type LoggedCommand } from "./core-harness.js";

const node = validateScorecard(readRepoFile("playbooks/scorecard.yaml")).scorecard;
if (node === undefined) throw new Error("playbooks/scorecard.yaml does not validate");
const SCORED: AccountPolicy = { ...DEFAULT_POLICY, scorecard: compileScorecard(node) };

/** A play that calls the account once its expansion score reaches the ready band. */
const plan = compileText(`
playbook: ready-call
name: Expansion call when ready
motion: upsell
segments:
  ready: "score.expansion >= 70"
triggers:
  became_ready: { enters: ready }
journey:
  detect:
    - wait: { trigger: became_ready }
  orchestrate:
    - crm.task: { owner: csm, title: "Expansion call with {{ name }}" }
    - end: { outcome: called }
`);

const bandFacts = (log: readonly LoggedCommand[]): Fact[] =>
  log.flatMap(({ command }) =>
    command.kind === "facts" ? command.facts.filter((fact) => fact.type === "score.band_changed") : [],
  );

describe("the expansion score in the journey core", () => {
  it("compiles `score.expansion >= 70` to JSON Logic that reads the score from the rule context", () => {
    expect(plan.segments.ready).toEqual({ ">=": [{ var: "score.expansion" }, 70] });
    expect(evaluate(plan.segments.ready, { score: { expansion: 70 } })).toBe(true);
    expect(evaluate(plan.segments.ready, { score: { expansion: 69 } })).toBe(false);
    expect(evaluate(plan.segments.ready, {})).toBe(false);
  });

  it("scores each snapshot and event; one fact per band change; a play enters on `score.expansion >= 70`", () => {
    // Onboarded 174 days ago, 88% of seats, a positive QBR, consent, but a health of 50:
    // 28 + 0 + 10 + 10 + 10 = 58, warming.
    const h = new CoreHarness({ plans: [plan], policy: SCORED, account: sampleAccount("s1", { health_score: 50 }) });
    expect(h.state.score).toMatchObject({ scorecard: "expansion", score: 58, band: "warming" });
    expect(bandFacts(h.log)).toEqual([
      {
        id: `s1:score:snapshot:${iso(h.now)}`,
        type: "score.band_changed",
        account: "s1",
        at: iso(h.now),
        data: { scorecard: "expansion", score: 58, band: "warming", before: null },
      },
    ]);
    expect(h.play("ready-call").status).toBe("detecting");

    // Two proposal views within 14 days: +10, 68, still warming: no fact.
    let mark = h.mark();
    h.event("document.viewed", { room: "expansion" }, "v1");
    h.advanceBy(DAY);
    h.event("document.viewed", { room: "expansion" }, "v2");
    expect(h.state.score?.score).toBe(68);
    expect(bandFacts(h.commands(mark))).toEqual([]);
    expect(h.play("ready-call").status).toBe("detecting");

    // Healthy again: +20, 88, ready: exactly one fact, and the play that waits for `ready` enters.
    mark = h.mark();
    h.snapshot({ health_score: 82 });
    expect(bandFacts(h.commands(mark))).toEqual([
      {
        id: `s1:score:snapshot:${iso(h.now)}`,
        type: "score.band_changed",
        account: "s1",
        at: iso(h.now),
        data: { scorecard: "expansion", score: 88, band: "ready", before: "warming", before_score: 68 },
      },
    ]);
    expect(h.deliveries(mark).map((d) => d.action.data.title)).toEqual(["Expansion call with Acme Corp"]);
    expect(h.lastAttributes(mark)).toMatchObject({ ExpansionScore: 88, ScoreBand: "ready" });

    // The account view shows the score with every signal's contribution, and `status` prints it.
    const view = accountView(h.state, (version) => (version === plan.version ? plan : undefined));
    expect(view.score).toMatchObject({ score: 88, band: "ready" });
    expect(view.score?.contributions).toEqual([
      { signal: "seat_capacity", weight: 30, value: 0.88, points: 28 },
      { signal: "healthy", weight: 20, value: true, points: 20 },
      { signal: "tenure", weight: 10, value: true, points: 10 },
      { signal: "positive_qbr", weight: 10, value: true, points: 10 },
      { signal: "reachable", weight: 10, value: true, points: 10 },
      { signal: "new_stakeholders", weight: 10, value: false, points: 0 },
      { signal: "document_views", weight: 10, value: true, points: 10 },
    ]);
    expect(formatAccountStatus(view)).toMatch(
      /Score expansion: 88 \(ready\), as of .*\n {2}SIGNAL +VALUE +POINTS +WEIGHT\n {2}seat_capacity +0\.88 +28 +30\n/,
    );

    // Two weeks on, the first view is older than 14 days: the next event scores 78, still ready.
    h.advanceBy(14 * DAY);
    mark = h.mark();
    h.event("usage.updated", { usage: { seat_utilization: 0.88 } }, "u1");
    expect(h.state.score?.score).toBe(78);
    expect(bandFacts(h.commands(mark))).toEqual([]);

    // An at-risk health score takes it back to warming: one fact, dated when the engine scored it
    // (the event's own, earlier `at` is when the CRM saw the health score change).
    mark = h.mark();
    h.send({
      kind: "event",
      event: { id: "u2", type: "account.updated", data: { health_score: 45 }, at: "2026-01-18T08:00:00Z" },
    });
    expect(bandFacts(h.commands(mark))).toEqual([
      {
        id: "s1:score:e:u2",
        type: "score.band_changed",
        account: "s1",
        at: iso(h.now),
        data: { scorecard: "expansion", score: 58, band: "warming", before: "ready", before_score: 78 },
      },
    ]);
  });

  it("keeps the events the scorecard counts even when no plan counts them", () => {
    const h = new CoreHarness({ plans: [plan], policy: SCORED, account: sampleAccount("s2") });
    h.event("stakeholder.added", { department: "finance" });
    expect(h.state.recent?.map((e) => e.type)).toEqual(["stakeholder.added"]);
    expect(h.state.score?.contributions.find((c) => c.signal === "new_stakeholders")?.points).toBe(10);
    // 30 days later it no longer counts, and the next input drops it.
    h.advanceBy(30 * DAY);
    h.event("usage.updated", { usage: { seat_utilization: 0.88 } });
    expect(h.state.recent).toBeUndefined();
    expect(h.state.score?.contributions.find((c) => c.signal === "new_stakeholders")?.points).toBe(0);
  });

  it("drops the score, and its search attributes, when a deploy takes the scorecard away", () => {
    const h = new CoreHarness({ plans: [plan], policy: SCORED, account: sampleAccount("s4") });
    expect(h.lastAttributes()).toMatchObject({ ExpansionScore: 78, ScoreBand: "ready" });
    h.policy = DEFAULT_POLICY;
    const mark = h.mark();
    h.send({ kind: "plans" });
    expect(h.state.score).toBeUndefined();
    expect(Object.keys(h.lastAttributes(mark) ?? {})).toEqual(["Plays", "Stages", "Holdouts"]);
    expect(bandFacts(h.commands(mark))).toEqual([]);
  });

  it("computes nothing without a scorecard: no score, no fact, the same attributes, and score.* reads null", () => {
    const h = new CoreHarness({ plans: [plan], account: sampleAccount("s3", { health_score: 82 }) });
    h.event("document.viewed", { room: "expansion" });
    h.event("document.viewed", { room: "expansion" });
    expect(h.state.score).toBeUndefined();
    expect(h.state.recent).toBeUndefined();
    expect(bandFacts(h.log)).toEqual([]);
    expect(Object.keys(h.lastAttributes() ?? {})).toEqual(["Plays", "Stages", "Holdouts"]);
    expect(accountView(h.state, () => plan).score).toBeUndefined();
    expect(h.play("ready-call").status).toBe("detecting");
    expect(h.delivered()).toEqual([]);
  });
});
