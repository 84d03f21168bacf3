import type { Expr } from "../ast/expression.js";
import type { JsonLogicRule } from "../rules/rule-types.js";

const NOW = { var: "now" };

/** The rule context's list of the account's recent events that some count(...) looks at. */
export const RECENT_EVENTS = "recent_events";

/** Compiles a condition to JSON Logic, inlining the segments it names (already checked acyclic). */
export function compileCondition(expr: Expr, segments: ReadonlyMap<string, Expr>): JsonLogicRule {
  const go = (e: Expr): JsonLogicRule => compileCondition(e, segments);
  switch (expr.kind) {
    case "literal":
      return expr.value;
    case "list":
      return expr.items.map(go);
    case "field":
      return { var: expr.path.join(".") };
    case "segment": {
      const body = segments.get(expr.name);
      return body === undefined ? false : go(body);
    }
    case "compare": {
      const op = expr.op === "==" ? "===" : expr.op === "!=" ? "!==" : expr.op;
      return { [op]: [go(expr.left), go(expr.right)] };
    }
    case "arithmetic":
      return { [expr.op]: [go(expr.left), go(expr.right)] };
    case "negate":
      return { "-": [go(expr.operand)] };
    case "logical":
      return { [expr.op]: expr.operands.map(go) };
    case "not":
      return { "!": [go(expr.operand)] };
    case "in":
      return { in: [go(expr.item), go(expr.list)] };
    case "count": {
      // Standard JSON Logic over the rule context's `recent_events` (type, at, age_ms, data):
      // the events of the type younger than the window (and matching `where`), counted.
      const matches: JsonLogicRule[] = [
        { "===": [{ var: "type" }, expr.event] },
        { "<": [{ var: "age_ms" }, expr.windowMs] },
        ...(expr.where === undefined ? [] : [go(expr.where)]),
      ];
      return {
        reduce: [{ filter: [{ var: RECENT_EVENTS }, { and: matches }] }, { "+": [{ var: "accumulator" }, 1] }, 0],
      };
    }
    case "call": {
      const [a, b, c] = expr.args;
      switch (expr.fn) {
        case "days_since":
        case "days_until":
          return { [expr.fn]: [a === undefined ? null : go(a), NOW] };
        case "exists":
          return { "!==": [a === undefined ? null : go(a), null] };
        case "between":
          return {
            "<=": [b === undefined ? null : go(b), a === undefined ? null : go(a), c === undefined ? null : go(c)],
          };
        case "any":
          return { some: [a === undefined ? [] : go(a), b === undefined ? false : go(b)] };
        default:
          return { [expr.fn]: [a === undefined ? [] : go(a), b === undefined ? false : go(b)] };
      }
    }
  }
}
