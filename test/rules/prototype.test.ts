import jsonLogic from "json-logic-js";
import { describe, expect, it } from "vitest";
import { compileRule, evaluate } from "../../engine/index.js";

const data = { account: { name: "Acme", tags: ["a"] }, list: [1, 2], text: "abc" };

const cases: [rule: unknown, expected: unknown][] = [
  [{ var: "constructor" }, null],
  [{ var: "__proto__" }, null],
  [{ var: "prototype" }, null],
  [{ var: "toString" }, null],
  [{ var: "hasOwnProperty" }, null],
  [{ var: "account.constructor" }, null],
  [{ var: "account.constructor.prototype" }, null],
  [{ var: "account.__proto__.toString" }, null],
  [{ var: "list.map" }, null],
  [{ var: ["constructor", "fallback"] }, "fallback"],
  [{ var: { cat: ["constr", "uctor"] } }, null],
  [{ missing: ["constructor", "account.name"] }, ["constructor"]],
  [{ "==": [{ var: "account.constructor" }, null] }, true],
  // Own properties that share a built-in name stay readable.
  [{ var: "list.length" }, 2],
  [{ var: "text.length" }, 3],
  [{ var: "account.tags.0" }, "a"],
];

describe("rule paths never reach a prototype", () => {
  it.each(cases)("%j -> %j", (rule, expected) => {
    expect(compileRule(rule)(data)).toEqual(expected);
    expect(evaluate(rule, data)).toEqual(expected);
  });

  it("differs from json-logic-js exactly where json-logic-js walks the prototype", () => {
    expect(jsonLogic.apply({ var: "constructor" }, data)).toBe(Object);
    expect(compileRule({ var: "constructor" })(data)).toBeNull();
  });

  it("reads an own property named like a built-in", () => {
    const record = { constructor: "own", toString: 5 };
    expect(compileRule({ var: "constructor" })(record)).toBe("own");
    expect(evaluate({ var: "toString" }, record)).toBe(5);
  });

  it("does not let a path or operator name inject code", () => {
    const evil = 'a"]; globalThis.pwned = true; //';
    expect(compileRule({ var: evil })({ a: 1 })).toBeNull();
    expect(() => compileRule({ [`x"); globalThis.pwned = true; ("`]: [1] })({})).toThrow(/Unrecognized operation/);
    expect((globalThis as { pwned?: boolean }).pwned).toBeUndefined();
  });

  it("does not offer json-logic-js's `method` operation", () => {
    expect(() => evaluate({ method: [{ var: "text" }, "toUpperCase"] }, data)).toThrow(/Unrecognized operation method/);
    expect(() => compileRule({ method: [{ var: "text" }, "toUpperCase"] })(data)).toThrow(
      /Unrecognized operation method/,
    );
  });
});
