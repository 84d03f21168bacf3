// playbooks/scorecard.yaml's diagnostics, at file:line:col: the schema's (a misspelt key with "did
// you mean"), and the scorecard's own (bands out of order, weights not adding up, a field the
// account schema does not declare, a signal of the wrong form, an expression that does not parse);
// and `score.<name>` in playbooks checked against the scorecard validated with them.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { validateFiles } from "../../engine/index.js";
import { validateScorecard } from "../../engine/validate/validate-scorecard.js";
import { printDiagnostics, readRepoFile, ROOT, yamlFixtures } from "../helpers.js";

const fixtures = yamlFixtures("scorecards");
const where = (d: { line: number; col: number; code: string }): string => `${d.line}:${d.col} ${d.code}`;

describe("scorecard diagnostics", () => {
  it("finds the fixtures", () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(2);
  });

  it.each(fixtures)("%s reports every problem at file:line:col", async (name, file) => {
    const text = readRepoFile(file);
    const { scorecard, diagnostics } = validateScorecard(text, file);
    expect(scorecard).toBeUndefined();
    for (const d of diagnostics) expect(d.file).toBe(file);
    await expect(printDiagnostics(diagnostics, text)).toMatchFileSnapshot(
      `../fixtures/scorecards/${name}.diagnostics.txt`,
    );
  });

  it("points at a misspelt key with the key it was meant to be, and at a weight out of range", () => {
    const { diagnostics } = validateScorecard(readRepoFile("test/fixtures/scorecards/unknown-key.yaml"), "s.yaml");
    expect(diagnostics.map(where)).toEqual([
      "5:3 E_SCHEMA_REQUIRED",
      "5:14 E_SCHEMA_UNKNOWN_KEY",
      "7:18 E_SCHEMA_VALUE",
    ]);
    expect(diagnostics[1]?.message).toBe("unknown key `wieght` (did you mean `weight`?)");
  });

  it("says what is wrong in meaning, each where it is written", () => {
    const { diagnostics } = validateScorecard(readRepoFile("test/fixtures/scorecards/meaning.yaml"), "s.yaml");
    expect(diagnostics.map(where)).toEqual([
      "5:30 E_SCORECARD_BANDS",
      "6:1 E_SCORECARD_WEIGHTS",
      "7:39 W_UNKNOWN_FIELD",
      "8:33 W_UNKNOWN_FIELD",
      "9:3 E_SCHEMA_SHAPE",
      "10:3 E_SCHEMA_SHAPE",
      "11:32 E_UNKNOWN_FUNCTION",
    ]);
    const message = (code: string) => diagnostics.find((d) => d.code === code)?.message;
    expect(message("E_SCORECARD_BANDS")).toBe(
      "`warming` (70) must be below `ready` (40): warming is the band below ready",
    );
    expect(message("E_SCORECARD_WEIGHTS")).toBe(
      "the signals' weights add up to 95 (seat_capacity 30, healthy 20, both 10, half_graded 10, broken 15, tenure 10), not 100, the scale's max - min: make them add up to 100, or write `normalize: true` to scale them",
    );
    expect(diagnostics.filter((d) => d.code === "W_UNKNOWN_FIELD").map((d) => d.message)).toEqual([
      "signal `seat_capacity` reads `usage.seat_utilisation`: the account schema has no field `usage.seat_utilisation` (did you mean `usage.seat_utilization`?)",
      "signal `healthy` reads `heath_score`: the account schema has no field `heath_score` (did you mean `health_score`?)",
    ]);
  });

  it("accepts weights that do not add up with normalize: true, and refuses a ready band above the scale", () => {
    const base = "scorecard: fit\nscale: { min: 0, max: 10 }\nsignals:\n  a: { weight: 3, when: 'arr >= 1' }\n";
    expect(validateScorecard(`${base}normalize: true\nbands: { ready: 8, warming: 4 }\n`).diagnostics).toEqual([]);
    const high = validateScorecard(`${base}normalize: true\nbands: { ready: 12, warming: 4 }\n`).diagnostics;
    expect(high.map((d) => `${where(d)} ${d.message}`)).toEqual([
      "6:17 E_SCORECARD_BANDS `ready` (12) is above the scale's max (10): no account could be ready",
    ]);
  });
});

describe("score.<name> in playbooks", () => {
  const folder = (scoreRead: string, withScorecard: boolean): string[] => {
    const dir = mkdtempSync(join(tmpdir(), "playloop-score-"));
    const playbook = join(dir, "ready-call.yaml");
    writeFileSync(
      playbook,
      `playbook: ready-call\nname: Ready call\nmotion: upsell\neligibility:\n  require: ["${scoreRead}"]\njourney:\n  orchestrate:\n    - crm.task: { owner: csm, title: Call }\n`,
    );
    return withScorecard ? [join(ROOT, "playbooks/scorecard.yaml"), playbook] : [playbook];
  };

  it("validates a read of the folder's scorecard, and names the one it meant", () => {
    const ok = validateFiles(folder("score.expansion >= 70", true));
    expect(ok.flatMap((r) => r.diagnostics)).toEqual([]);
    expect(ok.find((r) => r.playbook !== undefined)?.playbook?.id).toBe("ready-call");
    const typo = validateFiles(folder("score.expnsion >= 70", true));
    const [problem] = typo.flatMap((r) => r.diagnostics);
    expect(problem && `${where(problem)} ${problem.message}`).toBe(
      "5:14 E_UNKNOWN_SCORE no scorecard `expnsion` (did you mean `expansion`?): conditions read `score.expansion`",
    );
    expect(typo.some((r) => r.playbook !== undefined)).toBe(false);
  });

  it("warns when no scorecard is validated with the playbook: the score would read null", () => {
    const alone = validateFiles(folder("score.expansion >= 70", false));
    expect(alone.flatMap((r) => r.diagnostics).map(where)).toEqual(["5:14 W_NO_SCORECARD"]);
    expect(alone[0]?.playbook?.id).toBe("ready-call");
  });
});
