// Condition expressions such as `health_score >= 70 and not at_risk`, parsed with jsep and turned
// into the typed `Expr` tree. Errors point at the column inside the YAML file.
import jsep from "jsep";
import type { ArithmeticOp, CompareOp, Expr, FunctionName } from "../ast/expression.js";
import type { DiagnosticCode } from "../diagnostics/codes.js";
import { didYouMean } from "../diagnostics/suggest.js";
import type { Span } from "../parse/locate.js";
import { FORBIDDEN_SEGMENTS } from "../rules/safe-path.js";
import { durationMs } from "../parse/units.js";

for (const op of ["|", "^", "&", "<<", ">>", ">>>", "??"]) jsep.removeBinaryOp(op);
for (const op of ["~", "+"]) jsep.removeUnaryOp(op);
jsep.addBinaryOp("or", 1);
jsep.addBinaryOp("and", 2);
jsep.addBinaryOp("in", 7);
jsep.addUnaryOp("not");
jsep.removeLiteral("this");
const COUNT_USAGE = 'count(support.ticket_opened, 30d, data.category == "reporting") >= 3';
/** A duration literal such as `30d` (count's window): a number and a unit, m, h, d or w. */
const DURATION_NODE = "Duration";
jsep.hooks.add("gobble-token", function durationLiteral(env) {
  const parser = (env as unknown as { context: { expr: string; index: number } }).context;
  const match = /^[1-9][0-9]*(m|h|d|w)(?![\w$])/.exec(parser.expr.slice(parser.index));
  if (match === null) return;
  parser.index += match[0].length;
  env.node = { type: DURATION_NODE, raw: match[0] };
});

/** Longer conditions are refused: they are unreadable, and bounded input keeps parsing bounded. */
export const MAX_EXPRESSION_LENGTH = 2000;

/** A problem found while parsing one expression. */
export interface ExpressionProblem {
  readonly code: DiagnosticCode;
  readonly message: string;
  readonly span: Span;
}

/** What the parser needs to know about the playbook around an expression. */
export interface ExpressionContext {
  /** Segments a bare name may refer to. */
  readonly segments: ReadonlySet<string>;
  /** Maps a character index in the expression to its place in the file. */
  readonly spanAt: (index: number, length: number) => Span;
  /**
   * The text is a value (a scorecard signal's `usage.seat_utilization`), not a condition: a bare
   * name is a field there, not a segment.
   */
  readonly value?: boolean;
}

const COMPARE: Readonly<Record<string, CompareOp>> = {
  "==": "==",
  "!=": "!=",
  "<": "<",
  "<=": "<=",
  ">": ">",
  ">=": ">=",
};
const ARITHMETIC: Readonly<Record<string, ArithmeticOp>> = { "+": "+", "-": "-", "*": "*", "/": "/", "%": "%" };
const FUNCTIONS: Readonly<Record<FunctionName, { arity: number; scoped: boolean; usage: string }>> = {
  days_since: { arity: 1, scoped: false, usage: "days_since(onboarded_at)" },
  days_until: { arity: 1, scoped: false, usage: "days_until(renewal_date)" },
  exists: { arity: 1, scoped: false, usage: "exists(last_qbr.date)" },
  between: { arity: 3, scoped: false, usage: "between(health_score, 40, 70)" },
  any: { arity: 2, scoped: true, usage: 'any(contacts, role == "champion")' },
  all: { arity: 2, scoped: true, usage: "all(contacts, exists(email))" },
  none: { arity: 2, scoped: true, usage: 'none(contacts, department == "finance")' },
  map: { arity: 2, scoped: true, usage: "map(contacts, department)" },
};

class Problem extends Error {
  constructor(readonly problem: ExpressionProblem) {
    super(problem.message);
  }
}

function isFunctionName(name: string): name is FunctionName {
  return Object.hasOwn(FUNCTIONS, name);
}

/** Dotted path of an identifier or member chain, or undefined for anything else. */
function pathOf(node: jsep.Expression): string[] | undefined {
  if (node.type === "Identifier") return [String(node.name)];
  if (node.type === "MemberExpression" && node.computed !== true) {
    const object = pathOf(node.object as jsep.Expression);
    const property = node.property as jsep.Expression;
    if (object !== undefined && property.type === "Identifier") return [...object, String(property.name)];
  }
  return undefined;
}

class Converter {
  constructor(
    private readonly text: string,
    private readonly context: ExpressionContext,
  ) {}

  /** Where a path or name is written: the first match as a whole word, else the whole expression. */
  spanOf(words: readonly string[]): Span {
    const pattern = new RegExp(
      `(?<![\\w.])${words.map((w) => w.replace(/[$^*+?.()|[\]{}\\]/g, "\\$&")).join("\\s*\\.\\s*")}(?![\\w])`,
    );
    const match = pattern.exec(this.text);
    return match === null ? this.whole() : this.context.spanAt(match.index, match[0].length);
  }

  whole(): Span {
    return this.context.spanAt(0, this.text.length);
  }

  fail(code: DiagnosticCode, message: string, span: Span = this.whole()): never {
    throw new Problem({ code, message, span });
  }

  field(path: string[]): Expr {
    const bad = path.find((segment) => FORBIDDEN_SEGMENTS.has(segment));
    if (bad !== undefined) this.fail("E_UNSAFE_PATH", `\`${bad}\` may not appear in a field path`, this.spanOf([bad]));
    return { kind: "field", path, span: this.spanOf(path) };
  }

  /** A condition in boolean position: a bare name there is a segment (outside item scope). */
  condition(node: jsep.Expression, scoped: boolean): Expr {
    if (node.type === "Identifier" && !scoped) {
      const name = String(node.name);
      if (this.context.segments.has(name)) return { kind: "segment", name, span: this.spanOf([name]) };
      this.fail(
        "E_UNKNOWN_SEGMENT",
        `unknown segment \`${name}\`${didYouMean(name, this.context.segments)}; a bare name in a condition is a segment (compare a field, e.g. \`${name} == true\`)`,
        this.spanOf([name]),
      );
    }
    return this.value(node, scoped);
  }

  value(node: jsep.Expression, scoped: boolean): Expr {
    const span = this.whole();
    switch (node.type) {
      case "Literal": {
        const value = node.value;
        if (value instanceof RegExp || value === undefined)
          return this.fail("E_EXPRESSION_UNSUPPORTED", "regular expressions are not supported");
        return { kind: "literal", value: value as string | number | boolean | null, span };
      }
      case "ArrayExpression":
        return {
          kind: "list",
          items: (node.elements as (jsep.Expression | null)[]).map((item) =>
            item === null ? this.fail("E_EXPRESSION_SYNTAX", "empty item in a list") : this.value(item, scoped),
          ),
          span,
        };
      case "Identifier":
      case "MemberExpression": {
        const path = pathOf(node);
        if (path === undefined)
          return this.fail(
            "E_EXPRESSION_UNSUPPORTED",
            "only dotted field paths such as `plan.tier` are supported; `[...]` indexing is not",
          );
        return this.field(path);
      }
      case "UnaryExpression": {
        const operand = node.argument as jsep.Expression;
        if (node.operator === "-") return { kind: "negate", operand: this.value(operand, scoped), span };
        return { kind: "not", operand: this.condition(operand, scoped), span };
      }
      case "BinaryExpression": {
        const op = String(node.operator);
        const left = node.left as jsep.Expression;
        const right = node.right as jsep.Expression;
        if (op === "and" || op === "&&" || op === "or" || op === "||") {
          const logical = op === "and" || op === "&&" ? "and" : "or";
          const operands = [this.condition(left, scoped), this.condition(right, scoped)].flatMap((e) =>
            e.kind === "logical" && e.op === logical ? e.operands : [e],
          );
          return { kind: "logical", op: logical, operands, span };
        }
        if (op === "in") return { kind: "in", item: this.value(left, scoped), list: this.value(right, scoped), span };
        const compare = COMPARE[op];
        if (compare !== undefined)
          return {
            kind: "compare",
            op: compare,
            left: this.value(left, scoped),
            right: this.value(right, scoped),
            span,
          };
        const arithmetic = ARITHMETIC[op];
        if (arithmetic !== undefined)
          return {
            kind: "arithmetic",
            op: arithmetic,
            left: this.value(left, scoped),
            right: this.value(right, scoped),
            span,
          };
        if (op === "===" || op === "!==") {
          return this.fail(
            "E_EXPRESSION_UNSUPPORTED",
            `write \`${op.slice(0, 2)}\`: comparisons in playloop are always strict`,
            this.context.spanAt(Math.max(0, this.text.indexOf(op)), op.length),
          );
        }
        return this.fail("E_EXPRESSION_UNSUPPORTED", `operator \`${op}\` is not supported`);
      }
      case "CallExpression":
        return this.call(node, scoped);
      case DURATION_NODE:
        return this.fail(
          "E_EXPRESSION_UNSUPPORTED",
          `a duration such as \`${String(node.raw)}\` is only allowed as count's window, as in \`${COUNT_USAGE}\``,
        );
      default:
        return this.fail("E_EXPRESSION_UNSUPPORTED", `this form (${node.type}) is not supported in a condition`);
    }
  }

  /** `count(event.type, 30d[, condition on the event])`. */
  count(node: jsep.Expression, scoped: boolean): Expr {
    const [type, window, where, ...extra] = node.arguments as jsep.Expression[];
    const usage = `count takes an event type, a window and optionally a condition on the event, as in \`${COUNT_USAGE}\``;
    if (scoped) return this.fail("E_EXPRESSION_UNSUPPORTED", "count(...) cannot be used inside any, all, none or map");
    const event = type === undefined ? undefined : pathOf(type);
    if (event === undefined || event.length < 2 || window?.type !== DURATION_NODE || extra.length > 0)
      return this.fail("E_UNKNOWN_FUNCTION", usage, this.spanOf(["count"]));
    return {
      kind: "count",
      event: event.join("."),
      windowMs: durationMs(String(window.raw)),
      ...(where === undefined ? {} : { where: this.condition(where, true) }),
      span: this.whole(),
    };
  }

  call(node: jsep.Expression, scoped: boolean): Expr {
    const callee = node.callee as jsep.Expression;
    const name = callee.type === "Identifier" ? String(callee.name) : "";
    if (name === "count") return this.count(node, scoped);
    if (!isFunctionName(name)) {
      return this.fail(
        "E_UNKNOWN_FUNCTION",
        `unknown function \`${name || "?"}\`${didYouMean(name, [...Object.keys(FUNCTIONS), "count"])}; functions are ${[...Object.keys(FUNCTIONS), "count"].join(", ")}`,
        name ? this.spanOf([name]) : this.whole(),
      );
    }
    const spec = FUNCTIONS[name];
    const rawArgs = node.arguments as jsep.Expression[];
    if (rawArgs.length !== spec.arity) {
      return this.fail(
        "E_UNKNOWN_FUNCTION",
        `\`${name}\` takes ${spec.arity} argument${spec.arity === 1 ? "" : "s"}, as in \`${spec.usage}\``,
        this.spanOf([name]),
      );
    }
    const args = rawArgs.map((arg, i) => {
      if (spec.scoped && i === 1) return name === "map" ? this.value(arg, true) : this.condition(arg, true);
      return this.value(arg, scoped);
    });
    const first = args[0];
    if ((name === "days_since" || name === "days_until" || name === "exists") && first?.kind !== "field") {
      return this.fail(
        "E_UNKNOWN_FUNCTION",
        `\`${name}\` takes a field path, as in \`${spec.usage}\``,
        this.spanOf([name]),
      );
    }
    return { kind: "call", fn: name, args, span: this.whole() };
  }
}

/** Parses one condition expression; a problem comes back located in the file, never thrown. */
export function parseExpression(
  text: string,
  context: ExpressionContext,
): { expr?: Expr; problem?: ExpressionProblem } {
  if (text.length > MAX_EXPRESSION_LENGTH) {
    const message = `a condition may be at most ${MAX_EXPRESSION_LENGTH} characters; split it into segments`;
    return { problem: { code: "E_EXPRESSION_UNSUPPORTED", message, span: context.spanAt(0, 1) } };
  }
  let tree: jsep.Expression;
  try {
    tree = jsep(text);
  } catch (error) {
    const index = typeof (error as { index?: unknown }).index === "number" ? (error as { index: number }).index : 0;
    const raw = error instanceof Error ? error.message : String(error);
    const message = raw.replace(/ at character \d+$/, "");
    return {
      problem: {
        code: "E_EXPRESSION_SYNTAX",
        message: `cannot parse condition: ${message}`,
        span: context.spanAt(Math.min(index, Math.max(0, text.length - 1)), 1),
      },
    };
  }
  const converter = new Converter(text, context);
  try {
    if (tree.type === "Compound")
      converter.fail("E_EXPRESSION_SYNTAX", "a condition is one expression; join parts with `and` or `or`");
    return { expr: context.value === true ? converter.value(tree, false) : converter.condition(tree, false) };
  } catch (error) {
    if (error instanceof Problem) return { problem: error.problem };
    throw error;
  }
}
