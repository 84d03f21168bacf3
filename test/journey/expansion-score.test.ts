// The readiness score as a pure function: each signal's points computed by hand, the band edges,
// graded values clamped, normalised weights, and count signals that stop counting once their
// events are older than the window.
import { describe, expect, it } from "vitest";
import { compileScorecard } from "../../engine/compile/compile-scorecard.js";
import type { Scorecard } from "../../engine/compile/scorecard.js";
import { bandOf, scoreAccount } from "../../engine/journey/expansion-score.js";
import type { RecentEvent } from "../../engine/journey/recent-events.js";
import { validateScorecard } from "../../engine/validate/validate-scorecard.js";
import { readRepoFile } from "../helpers.js";
import { DAY } from "./core-harness.js";

/** Compiles scorecard YAML, failing the test on any diagnostic. */
function scorecard(text: string): Scorecard {
  const { scorecard: node, diagnostics } = validateScorecard(text);
  if (node === undefined) throw new Error(JSON.stringify(diagnostics));
  expect(diagnostics).toEqual([]);
  return compileScorecard(node);
}

const NOW = Date.parse("2026-12-01T00:00:00Z");
const bundled = scorecard(readRepoFile("playbooks/scorecard.yaml"));
const acme = JSON.parse(readRepoFile("playbooks/samples/acme.json")) as { id: string } & Record<string, unknown>;

const points = (score: ReturnType<typeof scoreAccount>): Record<string, number> =>
  Object.fromEntries(score.contributions.map((c) => [c.signal, c.points]));

describe("scoreAccount", () => {
  it("gives each signal its points by hand: the bundled scorecard on acme", () => {
    const score = scoreAccount(bundled, acme, NOW);
    // seat_capacity: 0.88 between 0.6 and 0.9 is 28/30 of the way: 30 * 0.2800 / 0.3000 = 28.
    // healthy (82 >= 70) 20; tenure (183 days since 2026-06-01) 10; positive QBR 10; consent 10;
    // no stakeholder or document events: 0 and 0.
    expect(points(score)).toEqual({
      seat_capacity: 28,
      healthy: 20,
      tenure: 10,
      positive_qbr: 10,
      reachable: 10,
      new_stakeholders: 0,
      document_views: 0,
    });
    expect(score).toMatchObject({ scorecard: "expansion", score: 78, band: "ready", at: "2026-12-01T00:00:00.000Z" });
    expect(score.contributions[0]).toEqual({ signal: "seat_capacity", weight: 30, value: 0.88, points: 28 });
    expect(score.contributions[1]).toEqual({ signal: "healthy", weight: 20, value: true, points: 20 });
  });

  it("clamps a graded value to nothing below `from` and the full weight beyond `to`; a missing one gives nothing", () => {
    const at = (seat_utilization: unknown) =>
      scoreAccount(bundled, { ...acme, usage: { seat_utilization } }, NOW).contributions[0];
    expect(at(0.5)).toMatchObject({ value: 0.5, points: 0 });
    expect(at(0.6)).toMatchObject({ points: 0 });
    expect(at(0.75)).toMatchObject({ points: 15 });
    expect(at(1.2)).toMatchObject({ value: 1.2, points: 30 });
    expect(at(undefined)).toMatchObject({ value: null, points: 0 });
    expect(at("high")).toMatchObject({ value: null, points: 0 });
  });

  it("puts a score on a band edge into the higher band", () => {
    const card = scorecard(
      "scorecard: s\nbands: { ready: 70, warming: 40 }\nsignals:\n  a: { weight: 40, when: 'arr >= 1' }\n  b: { weight: 30, when: 'health_score >= 1' }\n  c: { weight: 30, when: 'plan.seats >= 1' }\n",
    );
    const score = (arr: number, health: number, seats: number) =>
      scoreAccount(card, { id: "a", arr, health_score: health, plan: { seats } }, NOW);
    expect([score(1, 1, 0).score, score(1, 1, 0).band]).toEqual([70, "ready"]);
    expect([score(1, 0, 0).score, score(1, 0, 0).band]).toEqual([40, "warming"]);
    expect([score(0, 1, 0).score, score(0, 1, 0).band]).toEqual([30, "not_now"]);
    expect([score(1, 1, 1).score, score(0, 0, 0).score]).toEqual([100, 0]);
    expect([bandOf(card, 69), bandOf(card, 70), bandOf(card, 39), bandOf(card, 40)]).toEqual([
      "warming",
      "ready",
      "not_now",
      "warming",
    ]);
  });

  it("scales relative weights to the scale with normalize: true, from the scale's min", () => {
    const card = scorecard(
      "scorecard: fit\nscale: { min: 1, max: 10 }\nbands: { ready: 8, warming: 5 }\nnormalize: true\nsignals:\n  big: { weight: 3, when: 'arr >= 50000' }\n  healthy: { weight: 1, when: 'health_score >= 70' }\n",
    );
    // The span of 9 points shared 3:1: big 6.75, healthy 2.25.
    const both = scoreAccount(card, { id: "a", arr: 60000, health_score: 80 }, NOW);
    expect(points(both)).toEqual({ big: 6.75, healthy: 2.25 });
    expect([both.score, both.band]).toEqual([10, "ready"]);
    const big = scoreAccount(card, { id: "a", arr: 60000, health_score: 10 }, NOW);
    expect([big.score, big.band]).toEqual([8, "ready"]); // 1 + 6.75 = 7.75, rounded
    expect(scoreAccount(card, { id: "a" }, NOW).score).toBe(1);
  });

  it("counts recent events within the signal's window; they stop counting once older than it", () => {
    const views = (...daysAgo: number[]): RecentEvent[] =>
      daysAgo.map((d) => ({ type: "document.viewed", at: NOW - d * DAY, data: { room: "expansion" } }));
    const documentViews = (recent: RecentEvent[], at = NOW) =>
      scoreAccount(bundled, acme, at, recent).contributions.find((c) => c.signal === "document_views");
    expect(documentViews(views(1, 13))).toMatchObject({ value: true, points: 10 });
    expect(documentViews(views(1))).toMatchObject({ value: false, points: 0 });
    // Two days later the view of 13 days ago is 15 days old: outside the 14-day window.
    expect(documentViews(views(1, 13), NOW + 2 * DAY)).toMatchObject({ value: false, points: 0 });
    expect(scoreAccount(bundled, acme, NOW, views(1, 13)).score).toBe(88);
    expect(scoreAccount(bundled, acme, NOW + 2 * DAY, views(1, 13)).score).toBe(78);
    // Events of other types do not count.
    expect(documentViews([{ type: "stakeholder.added", at: NOW - DAY }, ...views(2)])).toMatchObject({ points: 0 });
  });

  it("keeps the bundled scorecard's count windows, so the core keeps those events", () => {
    expect(bundled.counts).toEqual([
      { event: "document.viewed", windowMs: 14 * DAY },
      { event: "stakeholder.added", windowMs: 30 * DAY },
    ]);
  });
});
