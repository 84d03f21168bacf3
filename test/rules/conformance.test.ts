import { readFileSync } from "node:fs";
import jsonLogic from "json-logic-js";
import { describe, expect, it } from "vitest";
import { compileRule, evaluate } from "../../engine/index.js";

type Case = [rule: unknown, data: unknown, expected: unknown];

const suite: unknown[] = JSON.parse(readFileSync(new URL("../fixtures/jsonlogic/tests.json", import.meta.url), "utf8"));
const cases = suite.filter((entry): entry is Case => Array.isArray(entry));

// Vendored from jsonlogic.com (MIT); see test/fixtures/jsonlogic/SOURCES.md.
describe("JSON Logic conformance (jsonlogic.com tests.json)", () => {
  it("finds all 277 cases", () => {
    expect(cases).toHaveLength(277);
  });

  it.each(cases.map((c, i) => [i, ...c] as const))("case %i: %j", (_i, rule, data, expected) => {
    expect(compileRule(rule)(data)).toEqual(expected);
    expect(evaluate(rule, data)).toEqual(expected);
    // The reference interpreter agrees, so the suite is what json-logic-js does.
    expect(jsonLogic.apply(rule as jsonLogic.RulesLogic, data)).toEqual(expected);
  });
});
