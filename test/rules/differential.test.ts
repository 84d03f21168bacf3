import fc from "fast-check";
import jsonLogic from "json-logic-js";
import { describe, expect, it, vi } from "vitest";
import { compileRule, evaluate, registerPlayloopOperations } from "../../engine/index.js";

registerPlayloopOperations(jsonLogic);

const KEYS = ["a", "b", "n", "s", "flag", "list", "obj.x", "obj.list", "none", "date", "now", ""];

const scalar = fc.oneof(
  fc.integer({ min: -5, max: 5 }),
  fc.double({ min: -10, max: 10, noNaN: true }),
  fc.constantFrom("", "a", "1", "abc", "2026-06-01", "0"),
  fc.boolean(),
  fc.constant(null),
);

const record = fc.record(
  {
    a: scalar,
    b: scalar,
    n: fc.integer({ min: -100, max: 100 }),
    s: fc.constantFrom("", "a", "abc", "b"),
    flag: fc.boolean(),
    list: fc.array(scalar, { maxLength: 4 }),
    obj: fc.record(
      { x: scalar, list: fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 3 }) },
      { requiredKeys: [] },
    ),
    date: fc.constantFrom("2026-01-01", "2026-11-22", "not a date", 1764000000000),
    now: fc.constantFrom("2026-11-22T10:00:00Z", "2027-01-01"),
  },
  { requiredKeys: [] },
);

/** Operations json-logic-js evaluates every argument of, including those past the ones they read. */
const FIXED_ARITY = ["==", "===", "!=", "!==", ">", ">=", "<", "<=", "!", "!!", "%", "/", "-"] as const;
const MORE_ARITY = ["in", "var", "substr", "log", "missing_some", "days_since", "days_until"] as const;

const { rule } = fc.letrec<{ rule: unknown; scoped: unknown; effect: unknown }>((tie) => {
  const sub = fc.array(tie("rule"), { minLength: 0, maxLength: 3 });
  const pair = fc.tuple(tie("rule"), tie("rule"));
  return {
    // Arguments whose evaluation shows: a throw (an operation that does not exist), a `log`, an
    // `and` of nothing (undefined, which a `var` fallback turns into null).
    effect: fc.oneof(
      scalar.map((value) => ({ throw: value })),
      tie("rule").map((value) => ({ log: value })),
      fc.constant({ and: [] }),
      fc.constant({ or: [] }),
      tie("rule"),
    ),
    rule: fc.oneof(
      { depthSize: "small", withCrossShrink: true },
      scalar,
      // More arguments than the operation reads: json-logic-js evaluates them all, first.
      fc
        .tuple(
          fc.constantFrom(...FIXED_ARITY, ...MORE_ARITY),
          fc.array(tie("rule"), { minLength: 1, maxLength: 3 }),
          fc.array(tie("effect"), { minLength: 1, maxLength: 2 }),
        )
        .map(([op, args, extra]) => ({ [op]: [...args, ...extra] })),
      // A computed fallback, evaluated whether or not the path is found.
      fc.tuple(fc.constantFrom(...KEYS), tie("effect")).map(([key, fallback]) => ({ var: [key, fallback] })),
      fc.constantFrom(...KEYS).map((key) => ({ var: key })),
      fc.tuple(fc.constantFrom(...KEYS), scalar).map(([key, fallback]) => ({ var: [key, fallback] })),
      fc
        .tuple(fc.constantFrom("==", "===", "!=", "!==", ">", ">=", "<", "<="), pair)
        .map(([op, args]) => ({ [op]: args })),
      fc
        .tuple(fc.constantFrom("<", "<="), tie("rule"), tie("rule"), tie("rule"))
        .map(([op, ...args]) => ({ [op]: args })),
      fc
        .tuple(fc.constantFrom("and", "or", "if", "?:", "+", "*", "min", "max", "cat", "merge", "missing"), sub)
        .map(([op, args]) => ({ [op]: args })),
      fc.tuple(fc.constantFrom("!", "!!", "-"), tie("rule")).map(([op, arg]) => ({ [op]: arg })),
      fc
        .tuple(fc.constantFrom("-", "/", "%", "in", "days_since", "days_until", "missing_some"), pair)
        .map(([op, args]) => ({ [op]: args })),
      fc.tuple(tie("rule"), fc.array(scalar, { maxLength: 4 })).map(([needle, list]) => ({ in: [needle, list] })),
      fc
        .tuple(tie("rule"), fc.integer({ min: -3, max: 3 }), fc.integer({ min: -3, max: 3 }))
        .map(([s, a, b]) => ({ substr: [s, a, b] })),
      fc
        .tuple(
          fc.constantFrom("all", "none", "some", "filter", "map"),
          fc.constantFrom("list", "obj.list", "s", "none"),
          tie("scoped"),
        )
        .map(([op, key, body]) => ({ [op]: [{ var: key }, body] })),
      fc
        .tuple(fc.constantFrom("list", "obj.list"), tie("scoped"), scalar)
        .map(([key, body, initial]) => ({ reduce: [{ var: key }, body, initial] })),
    ),
    scoped: fc.oneof(
      fc.constant({ var: "" }),
      fc.constant({ "+": [{ var: "current" }, { var: "accumulator" }] }),
      fc.tuple(fc.constantFrom(">", "==", "<="), scalar).map(([op, value]) => ({ [op]: [{ var: "" }, value] })),
      tie("rule"),
    ),
  };
});

/** What a run gave: its value or that it threw, and what it logged, in order. */
function outcome(run: () => unknown): { value?: unknown; threw?: true; logged: unknown[] } {
  const logged: unknown[] = [];
  const spy = vi.spyOn(console, "log").mockImplementation((...values: unknown[]) => void logged.push(values));
  try {
    return { value: run(), logged };
  } catch {
    return { threw: true, logged };
  } finally {
    spy.mockRestore();
  }
}

describe("compileRule and evaluate against json-logic-js (differential)", () => {
  it("agree on random rules over random records", () => {
    fc.assert(
      fc.property(rule, fc.array(record, { minLength: 1, maxLength: 5 }), (r, records) => {
        const compiled = outcome(() => compileRule(r));
        expect(compiled.threw).toBeUndefined();
        const fn = compiled.value as (d: unknown) => unknown;
        for (const data of records) {
          const expected = outcome(() => jsonLogic.apply(r as jsonLogic.RulesLogic, data));
          expect(outcome(() => fn(data))).toEqual(expected);
          expect(outcome(() => evaluate(r, data))).toEqual(expected);
        }
      }),
      { numRuns: 20_000, seed: 20261122 },
    );
  });

  it("evaluate every argument as json-logic-js does, even those an operation does not read", () => {
    const cases: [rule: unknown, data: unknown][] = [
      [{ ">": [2, 3, { throw: "Not Lazy" }] }, {}],
      [{ "==": [3, 2, { throw: "Not Lazy" }] }, {}],
      [{ "!": [false, { log: "extra" }] }, {}],
      [{ substr: ["abc", 1, 1, { log: "extra" }] }, {}],
      [{ in: ["a", ["a"], { throw: 1 }] }, {}],
      [{ var: ["missing", { and: [] }] }, {}],
      [{ var: ["a", { log: "fallback" }] }, { a: 1 }],
      [{ nope: [{ log: "before the throw" }] }, {}],
    ];
    for (const [r, data] of cases) {
      const expected = outcome(() => jsonLogic.apply(r as jsonLogic.RulesLogic, data));
      expect(
        outcome(() => compileRule(r)(data)),
        JSON.stringify(r),
      ).toEqual(expected);
      expect(
        outcome(() => evaluate(r, data)),
        JSON.stringify(r),
      ).toEqual(expected);
    }
    expect(outcome(() => compileRule({ var: ["missing", { and: [] }] })({}))).toEqual({ value: null, logged: [] });
  });
});
