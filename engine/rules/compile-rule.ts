// Compiles a JSON Logic rule to a specialised JavaScript closure. Each operation becomes inline
// code where its json-logic-js semantics allow (comparisons, boolean and/or over booleans, constant
// `var` paths), and a call to the shared operation helpers otherwise. Paths that name a property of
// a built-in prototype read own properties only, so no rule reaches a prototype.
import { PLAYLOOP_OPERATIONS } from "./date-operations.js";
import { applyOperation, missing, missingSome } from "./evaluate.js";
import { isLogic, splitLogic } from "./is-logic.js";
import * as ops from "./operations.js";
import type { JsonLogicRule, RuleFunction } from "./rule-types.js";
import { getPath, isInheritedName, ownProperty } from "./safe-path.js";

/** What the generated code knows about a value's type: lets and/or and `!` skip truthiness checks. */
type Kind = "boolean" | "number" | "string" | "any";

interface Code {
  readonly js: string;
  readonly kind: Kind;
}

const HELPERS = { ...ops, getPath, ownProperty, applyOperation, missing, missingSome, ...PLAYLOOP_OPERATIONS };

/**
 * How many arguments an operation reads. json-logic-js evaluates the others as well, before it
 * applies the operation, so a rule with more (`{"==": [1, 2, {"log": "x"}]}`) is compiled to
 * evaluate every argument in order: a throw or a `log` among the extra ones is not skipped.
 */
const ARITY: Readonly<Record<string, number>> = {
  "==": 2,
  "===": 2,
  "!=": 2,
  "!==": 2,
  ">": 2,
  ">=": 2,
  "<": 3,
  "<=": 3,
  "!!": 1,
  "!": 1,
  "%": 2,
  "/": 2,
  "-": 2,
  in: 2,
  var: 2,
  substr: 3,
  log: 1,
  missing_some: 2,
  days_since: 2,
  days_until: 2,
};

/** Whether evaluating a value can run an operation (a literal array's items are evaluated). */
function containsLogic(value: unknown): boolean {
  return isLogic(value) || (Array.isArray(value) && value.some(containsLogic));
}

class FunctionWriter {
  private temps = 0;
  constructor(
    private readonly program: ProgramWriter,
    readonly dataVar: string,
  ) {}
  temp(): string {
    return `t${this.temps++}`;
  }
  declarations(): string {
    if (this.temps === 0) return "";
    return `let ${Array.from({ length: this.temps }, (_, i) => `t${i}`).join(", ")};`;
  }
  get out(): ProgramWriter {
    return this.program;
  }
}

class ProgramWriter {
  readonly constants: unknown[] = [];
  readonly functions: string[] = [];

  constant(value: unknown): string {
    this.constants.push(value);
    return `K[${this.constants.length - 1}]`;
  }

  /** Hoists a scoped sub-rule (the body of map/filter/all/...) into its own top-level function. */
  scopedFunction(rule: unknown): string {
    const index = this.functions.push("") - 1;
    const writer = new FunctionWriter(this, "s");
    const body = compileNode(rule, writer).js;
    this.functions[index] = `function f${index}(s) { ${writer.declarations()} return ${body}; }`;
    return `f${index}`;
  }
}

function literal(value: unknown, w: FunctionWriter): Code {
  switch (typeof value) {
    case "string":
      return { js: JSON.stringify(value), kind: "string" };
    case "number":
      return Object.is(value, -0) || !Number.isFinite(value)
        ? { js: w.out.constant(value), kind: "number" }
        : { js: String(value), kind: "number" };
    case "boolean":
      return { js: String(value), kind: "boolean" };
    case "undefined":
      return { js: "undefined", kind: "any" };
    default:
      // null, and objects that are not operations: json-logic-js returns them as they are.
      return value === null ? { js: "null", kind: "any" } : { js: w.out.constant(value), kind: "any" };
  }
}

function isConstant(value: unknown): boolean {
  return !Array.isArray(value) && !isLogic(value);
}

function truthyOf(code: Code): string {
  return code.kind === "boolean" ? code.js : `H.truthy(${code.js})`;
}

function compileVar(args: unknown[], w: FunctionWriter): Code {
  const [path, fallback] = args;
  const notFound = fallback === undefined ? "null" : compileNode(fallback, w).js;
  // A computed fallback is evaluated whether or not the path is found, and undefined means null.
  if (!isConstant(path) || (path !== null && typeof path === "object") || containsLogic(fallback)) {
    return { js: `H.getPath(${w.dataVar}, ${compileNode(path, w).js}, ${notFound})`, kind: "any" };
  }
  if (path === undefined || path === null || path === "") return { js: w.dataVar, kind: "any" };
  const t = w.temp();
  let js = "";
  for (const segment of String(path).split(".")) {
    const read = isInheritedName(segment)
      ? `H.ownProperty(${t}, ${JSON.stringify(segment)})`
      : `${t}[${JSON.stringify(segment)}]`;
    js += `${t} == null ? ${notFound} : (${t} = ${read}) === undefined ? ${notFound} : `;
  }
  return { js: `(${t} = ${w.dataVar}, ${js}${t})`, kind: "any" };
}

function compileIf(args: unknown[], w: FunctionWriter): Code {
  let js = "";
  let i = 0;
  for (; i < args.length - 1; i += 2) {
    js += `${truthyOf(compileNode(args[i], w))} ? ${compileNode(args[i + 1], w).js} : `;
  }
  js += args.length === i + 1 ? compileNode(args[i], w).js : "null";
  return { js: `(${js})`, kind: "any" };
}

function compileAndOr(op: "and" | "or", args: unknown[], w: FunctionWriter): Code {
  if (args.length === 0) return { js: "undefined", kind: "any" };
  const parts = args.map((arg) => compileNode(arg, w));
  if (parts.every((part) => part.kind === "boolean")) {
    return { js: `(${parts.map((p) => p.js).join(op === "and" ? " && " : " || ")})`, kind: "boolean" };
  }
  // Returns the first falsy (and) or truthy (or) value, else the last one, as json-logic-js does.
  const t = w.temp();
  const stop = op === "and" ? `!H.truthy(${t})` : `H.truthy(${t})`;
  const last = parts.pop();
  const head = parts.map((p) => `(${t} = ${p.js}, ${stop}) ? ${t} : `).join("");
  return { js: `(${head}${last?.js ?? "undefined"})`, kind: "any" };
}

function compileScoped(op: string, args: unknown[], w: FunctionWriter): Code {
  const list = compileNode(args[0], w).js;
  const fn = w.out.scopedFunction(args[1]);
  switch (op) {
    case "filter":
      return { js: `H.scopedFilter(${list}, ${fn})`, kind: "any" };
    case "map":
      return { js: `H.scopedMap(${list}, ${fn})`, kind: "any" };
    case "reduce": {
      const initial = args[2] === undefined ? "null" : compileNode(args[2], w).js;
      return { js: `H.scopedReduce(${list}, ${fn}, ${initial})`, kind: "any" };
    }
    case "all":
      return { js: `H.scopedAll(${list}, ${fn})`, kind: "boolean" };
    case "none":
      return { js: `H.scopedNone(${list}, ${fn})`, kind: "boolean" };
    default:
      return { js: `H.scopedSome(${list}, ${fn})`, kind: "boolean" };
  }
}

function compileIn(args: unknown[], w: FunctionWriter): Code {
  const [needle, haystack] = args;
  const a = compileNode(needle, w).js;
  // A literal list of scalars is built once instead of on every evaluation.
  if (Array.isArray(haystack) && haystack.every((item) => isConstant(item) && typeof item !== "object")) {
    return { js: `(${w.out.constant(haystack)}.indexOf(${a}) !== -1)`, kind: "boolean" };
  }
  return { js: `H.inOp(${a}, ${compileNode(haystack, w).js})`, kind: "boolean" };
}

function call(name: string, args: Code[], kind: Kind): Code {
  return { js: `H.${name}(${args.map((a) => a.js).join(", ")})`, kind };
}

function compileEager(op: string, args: unknown[], w: FunctionWriter): Code {
  const c = args.map((arg) => compileNode(arg, w));
  const arg = (i: number): Code => c[i] ?? { js: "undefined", kind: "any" };
  const binary = (symbol: string, kind: Kind): Code => ({ js: `(${arg(0).js} ${symbol} ${arg(1).js})`, kind });
  switch (op) {
    case "==":
    case "===":
    case "!=":
    case "!==":
    case ">":
    case ">=":
      return binary(op, "boolean");
    case "<":
    case "<=": {
      if (c.length <= 2) return binary(op, "boolean");
      if (c.length === 3 && isConstant(args[2]) && args[2] !== undefined) {
        const t = w.temp();
        return { js: `(${arg(0).js} ${op} (${t} = ${arg(1).js}) && ${t} ${op} ${arg(2).js})`, kind: "boolean" };
      }
      return call(op === "<" ? "lessThan" : "lessOrEqual", c, "boolean");
    }
    case "!!":
      return { js: truthyOf(arg(0)), kind: "boolean" };
    case "!":
      return { js: `!${truthyOf(arg(0))}`, kind: "boolean" };
    case "%":
      return binary("%", "number");
    case "/":
      return binary("/", "number");
    case "-":
      if (c.length >= 2 && arg(1).kind !== "any") return binary("-", "number");
      return call("minus", [arg(0), arg(1)], "number");
    case "+":
      return call("plus", c, "number");
    case "*":
      return call("times", c, "any");
    case "min":
      return { js: `Math.min(${c.map((x) => x.js).join(", ")})`, kind: "number" };
    case "max":
      return { js: `Math.max(${c.map((x) => x.js).join(", ")})`, kind: "number" };
    case "cat":
      return call("cat", c, "string");
    case "substr":
      return call("substr", [arg(0), arg(1), arg(2)], "string");
    case "merge":
      return call("merge", c, "any");
    case "log":
      return call("log", [arg(0)], "any");
    case "missing":
      return { js: `H.missing(${w.dataVar}, [${c.map((x) => x.js).join(", ")}])`, kind: "any" };
    case "missing_some":
      return { js: `H.missingSome(${w.dataVar}, ${arg(0).js}, ${arg(1).js})`, kind: "any" };
    case "days_since":
      return call("days_since", [arg(0), arg(1)], "any");
    case "days_until":
      return call("days_until", [arg(0), arg(1)], "any");
    default:
      // json-logic-js throws only when the operation is reached, after evaluating its arguments.
      return { js: `([${c.map((x) => x.js).join(", ")}], H.unrecognized(${JSON.stringify(op)}))`, kind: "any" };
  }
}

function compileNode(rule: unknown, w: FunctionWriter): Code {
  if (Array.isArray(rule)) return { js: `[${rule.map((item) => compileNode(item, w).js).join(", ")}]`, kind: "any" };
  if (!isLogic(rule)) return literal(rule, w);
  const { op, args } = splitLogic(rule);
  const arity = Object.hasOwn(ARITY, op) ? ARITY[op] : undefined;
  if (arity !== undefined && args.slice(arity).some(containsLogic)) {
    const values = args.map((arg) => compileNode(arg, w).js).join(", ");
    return { js: `H.applyOperation(${JSON.stringify(op)}, ${w.dataVar}, [${values}])`, kind: "any" };
  }
  switch (op) {
    case "var":
      return compileVar(args, w);
    case "if":
    case "?:":
      return compileIf(args, w);
    case "and":
    case "or":
      return compileAndOr(op, args, w);
    case "in":
      return compileIn(args, w);
    case "filter":
    case "map":
    case "reduce":
    case "all":
    case "none":
    case "some":
      return compileScoped(op, args, w);
    default:
      return compileEager(op, args, w);
  }
}

/**
 * Compiles a JSON Logic rule to a function of the data. Results equal json-logic-js's on every
 * rule, except that paths never reach a prototype and `method` is not offered.
 */
export function compileRule(rule: JsonLogicRule): RuleFunction {
  const program = new ProgramWriter();
  const main = new FunctionWriter(program, "d");
  const body = compileNode(rule, main).js;
  const source = `"use strict";
${program.functions.join("\n")}
return function rule(d) { ${main.declarations()} return ${body}; };`;
  const factory = new Function("H", "K", source) as (h: typeof HELPERS, k: unknown[]) => RuleFunction;
  return factory(HELPERS, program.constants);
}
