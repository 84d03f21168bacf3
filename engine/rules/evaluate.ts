import { PLAYLOOP_OPERATIONS } from "./date-operations.js";
import { isLogic, splitLogic } from "./is-logic.js";
import * as ops from "./operations.js";
import type { JsonLogicRule } from "./rule-types.js";
import { getPath } from "./safe-path.js";

type Operation = (data: unknown, args: unknown[]) => unknown;

const EAGER: Readonly<Record<string, Operation>> = {
  "==": (_, [a, b]) => a == b,
  "===": (_, [a, b]) => a === b,
  "!=": (_, [a, b]) => a != b,
  "!==": (_, [a, b]) => a !== b,
  ">": (_, [a, b]) => (a as number) > (b as number),
  ">=": (_, [a, b]) => (a as number) >= (b as number),
  "<": (_, [a, b, c]) => ops.lessThan(a, b, c),
  "<=": (_, [a, b, c]) => ops.lessOrEqual(a, b, c),
  "!!": (_, [a]) => ops.truthy(a),
  "!": (_, [a]) => !ops.truthy(a),
  "%": (_, [a, b]) => (a as number) % (b as number),
  log: (_, [a]) => ops.log(a),
  in: (_, [a, b]) => ops.inOp(a, b),
  cat: (_, args) => ops.cat(...args),
  substr: (_, [a, b, c]) => ops.substr(a, b, c),
  "+": (_, args) => ops.plus(...args),
  "*": (_, args) => ops.times(...args),
  "-": (_, [a, b]) => ops.minus(a, b),
  "/": (_, [a, b]) => (a as number) / (b as number),
  min: (_, args) => Math.min(...(args as number[])),
  max: (_, args) => Math.max(...(args as number[])),
  merge: (_, args) => ops.merge(...args),
  var: (data, [path, notFound]) => getPath(data, path, notFound),
  missing: (data, args) => missing(data, args),
  missing_some: (data, [need, options]) => missingSome(data, need, options),
  days_since: (_, [a, b]) => PLAYLOOP_OPERATIONS.days_since(a, b),
  days_until: (_, [a, b]) => PLAYLOOP_OPERATIONS.days_until(a, b),
};

/**
 * Evaluates a JSON Logic rule against data with json-logic-js semantics, except that a `var`
 * path only reads own properties (`{"var": "constructor"}` is null) and `method` is not offered.
 */
export function evaluate(rule: JsonLogicRule, data?: unknown): unknown {
  if (Array.isArray(rule)) return rule.map((item) => evaluate(item, data));
  if (!isLogic(rule)) return rule;
  const { op, args } = splitLogic(rule);
  switch (op) {
    case "if":
    case "?:": {
      let i = 0;
      for (; i < args.length - 1; i += 2) {
        if (ops.truthy(evaluate(args[i], data))) return evaluate(args[i + 1], data);
      }
      return args.length === i + 1 ? evaluate(args[i], data) : null;
    }
    case "and":
    case "or": {
      let current: unknown;
      for (const arg of args) {
        current = evaluate(arg, data);
        if (ops.truthy(current) === (op === "or")) return current;
      }
      return current;
    }
    case "filter":
      return ops.scopedFilter(evaluate(args[0], data), (item) => evaluate(args[1], item));
    case "map":
      return ops.scopedMap(evaluate(args[0], data), (item) => evaluate(args[1], item));
    case "reduce": {
      const initial = args[2] === undefined ? null : evaluate(args[2], data);
      return ops.scopedReduce(evaluate(args[0], data), (scope) => evaluate(args[1], scope), initial);
    }
    case "all":
      return ops.scopedAll(evaluate(args[0], data), (item) => evaluate(args[1], item));
    case "none":
      return ops.scopedNone(evaluate(args[0], data), (item) => evaluate(args[1], item));
    case "some":
      return ops.scopedSome(evaluate(args[0], data), (item) => evaluate(args[1], item));
    default:
      return applyOperation(
        op,
        data,
        args.map((arg) => evaluate(arg, data)),
      );
  }
}

/**
 * Applies an eager operation to its evaluated arguments (all of them, even those it does not
 * read: json-logic-js evaluates every argument first, so a throw or a `log` among them counts).
 */
export function applyOperation(op: string, data: unknown, values: unknown[]): unknown {
  const operation = Object.hasOwn(EAGER, op) ? EAGER[op] : undefined;
  if (operation === undefined) return ops.unrecognized(op);
  return operation(data, values);
}

/**
 * json-logic-js `missing`: the keys (its arguments, or the list that is its first) whose
 * `{"var": key}` is null or empty. Each key is evaluated as that `var` would be: an array key is
 * the `var`'s argument list (a path and a fallback), and any logic in it is evaluated.
 */
export function missing(data: unknown, args: unknown[]): unknown[] {
  const keys: ArrayLike<unknown> = Array.isArray(args[0]) ? args[0] : args;
  const out: unknown[] = [];
  for (let i = 0; i < keys.length; i++) {
    const value = evaluate({ var: keys[i] }, data);
    if (value === null || value === "") out.push(keys[i]);
  }
  return out;
}

/** json-logic-js `missing_some`: `{"missing": options}` evaluated, empty when enough are present. */
export function missingSome(data: unknown, needCount: unknown, options: unknown): unknown {
  const absent = evaluate({ missing: options }, data) as unknown[];
  const total = (options as unknown[]).length;
  return total - absent.length >= (needCount as number) ? [] : absent;
}
