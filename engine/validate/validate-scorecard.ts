// playbooks/scorecard.yaml: the schema, then each signal's form and expression, the fields it reads
// (against the account schema), the bands' order and the weights' sum. Problems come back as
// diagnostics located in the file; nothing is thrown.
import type { Expr } from "../ast/expression.js";
import type { PlaybookNode } from "../ast/playbook.js";
import type { ScorecardNode, SignalMeasure, SignalNode } from "../ast/scorecard.js";
import type { DiagnosticCode } from "../diagnostics/codes.js";
import { diagnostic, hasErrors, sortDiagnostics, type Diagnostic } from "../diagnostics/diagnostic.js";
import { didYouMean } from "../diagnostics/suggest.js";
import { parseExpression } from "../expression/parse-expression.js";
import { locateKey, locateValue, type DataPath, type Span } from "../parse/locate.js";
import { locateInScalar } from "../parse/locate-in-scalar.js";
import { parsePlaybook } from "../parse/parse-playbook.js";
import type { ParsedYaml } from "../parse/parse-yaml.js";
import scorecardSchema from "../../schemas/scorecard.schema.json" with { type: "json" };
import { everyCondition } from "./all-conditions.js";
import { schemaDiagnostics } from "./schema-diagnostics.js";
import { createSchemaValidator } from "./schema-issues.js";
import { undeclaredField } from "./undeclared-field.js";

interface SignalDocument {
  weight: number;
  when?: string;
  value?: string;
  from?: number;
  to?: number;
  description?: string;
}

interface ScorecardDocument {
  scorecard: string;
  description?: string;
  scale?: { min: number; max: number };
  bands: { ready: number; warming: number };
  normalize?: boolean;
  signals: Record<string, SignalDocument>;
}

const validateDocument = createSchemaValidator<ScorecardDocument>(scorecardSchema);

/** The scale when the scorecard names none. */
const DEFAULT_SCALE = { min: 0, max: 100 } as const;

/** Names a condition sees besides the account's fields: the clock and the counted events. */
const CONTEXT_ROOTS = new Set(["now", "recent_events"]);

/** The account fields an expression reads: not an event's inside count(...), nor an item's inside any/all/none/map. */
function accountFields(expr: Expr): Extract<Expr, { kind: "field" }>[] {
  switch (expr.kind) {
    case "field":
      return [expr];
    case "list":
      return expr.items.flatMap(accountFields);
    case "compare":
    case "arithmetic":
      return [...accountFields(expr.left), ...accountFields(expr.right)];
    case "negate":
    case "not":
      return accountFields(expr.operand);
    case "logical":
      return expr.operands.flatMap(accountFields);
    case "in":
      return [...accountFields(expr.item), ...accountFields(expr.list)];
    case "call": {
      const scoped = expr.fn === "any" || expr.fn === "all" || expr.fn === "none" || expr.fn === "map";
      return (scoped ? expr.args.slice(0, 1) : expr.args).flatMap(accountFields);
    }
    default:
      return [];
  }
}

const pointsText = (n: number): string => String(Math.round(n * 100) / 100);

class ScorecardChecker {
  readonly diagnostics: Diagnostic[] = [];
  constructor(
    private readonly parsed: ParsedYaml,
    private readonly file: string,
  ) {}

  report(code: DiagnosticCode, message: string, at: Span): void {
    this.diagnostics.push(diagnostic(code, message, this.file, at));
  }

  /** Parses a signal's condition or value where it is written. */
  expression(text: string, path: DataPath, value: boolean): Expr | undefined {
    const { expr, problem } = parseExpression(text, {
      segments: new Set(),
      spanAt: locateInScalar(this.parsed, path),
      value,
    });
    if (problem !== undefined) this.report(problem.code, problem.message, problem.span);
    return expr;
  }

  /** A field the account schema does not declare is a warning: accounts may carry more, but it is often a typo. */
  fields(expr: Expr, signal: string): void {
    for (const field of accountFields(expr)) {
      if (CONTEXT_ROOTS.has(field.path[0] ?? "")) continue;
      const missing = undeclaredField(field.path);
      if (missing === undefined) continue;
      const prefix = field.path.slice(0, missing.index);
      const candidates = missing.known.map((name) => [...prefix, name].join("."));
      const name = field.path.slice(0, missing.index + 1).join(".");
      this.report(
        "W_UNKNOWN_FIELD",
        `signal \`${signal}\` reads \`${field.path.join(".")}\`: the account schema has no field \`${name}\`${didYouMean(name, candidates)}`,
        field.span,
      );
    }
  }

  /** One signal: exactly one of `when` or `value` (with `from` and `to`), and its expression. */
  signal(name: string, doc: SignalDocument): SignalNode | undefined {
    const at: DataPath = ["signals", name];
    const span = locateKey(this.parsed, at);
    const graded = doc.value !== undefined;
    if (graded === (doc.when !== undefined)) {
      this.report(
        "E_SCHEMA_SHAPE",
        `signal \`${name}\` takes either \`when\` (a condition: its full weight when it holds) or \`value\` with \`from\` and \`to\` (graded between them)${graded ? ", not both" : ""}`,
        span,
      );
      return undefined;
    }
    if (!graded && (doc.from !== undefined || doc.to !== undefined)) {
      const key = doc.from !== undefined ? "from" : "to";
      this.report(
        "E_SCHEMA_SHAPE",
        `\`${key}\` grades a \`value\`: signal \`${name}\` has a \`when\`, which gives all or nothing`,
        locateKey(this.parsed, [...at, key]),
      );
      return undefined;
    }
    if (graded && (doc.from === undefined || doc.to === undefined || doc.from === doc.to)) {
      this.report(
        "E_SCHEMA_SHAPE",
        doc.from !== undefined && doc.from === doc.to
          ? `signal \`${name}\` grades its value from ${doc.from} to ${doc.to}: \`from\` and \`to\` must differ`
          : `signal \`${name}\` grades \`value\` between \`from\` (no points) and \`to\` (its full weight): write both`,
        span,
      );
      return undefined;
    }
    const text = doc.value ?? doc.when ?? "";
    const expr = this.expression(text, [...at, graded ? "value" : "when"], graded);
    if (expr === undefined) return undefined;
    this.fields(expr, name);
    const measure: SignalMeasure = graded
      ? { kind: "graded", value: expr, from: doc.from ?? 0, to: doc.to ?? 1 }
      : { kind: "when", condition: expr };
    return {
      kind: "signal",
      name,
      weight: doc.weight,
      label: text,
      ...(doc.description === undefined ? {} : { description: doc.description }),
      measure,
      span,
    };
  }

  /** min < warming < ready <= max. */
  bands(scale: { min: number; max: number }, bands: ScorecardDocument["bands"], hasScale: boolean): void {
    if (scale.min >= scale.max) {
      this.report(
        "E_SCORECARD_BANDS",
        `the scale's min (${scale.min}) must be below its max (${scale.max})`,
        locateKey(this.parsed, ["scale"]),
      );
      return;
    }
    const where = hasScale ? "the scale's" : "the default scale's";
    if (bands.warming >= bands.ready)
      this.report(
        "E_SCORECARD_BANDS",
        `\`warming\` (${bands.warming}) must be below \`ready\` (${bands.ready}): warming is the band below ready`,
        locateValue(this.parsed, ["bands", "warming"]),
      );
    if (bands.ready > scale.max)
      this.report(
        "E_SCORECARD_BANDS",
        `\`ready\` (${bands.ready}) is above ${where} max (${scale.max}): no account could be ready`,
        locateValue(this.parsed, ["bands", "ready"]),
      );
    if (bands.warming <= scale.min)
      this.report(
        "E_SCORECARD_BANDS",
        `\`warming\` (${bands.warming}) must be above ${where} min (${scale.min}), or no account is ever \`not_now\``,
        locateValue(this.parsed, ["bands", "warming"]),
      );
  }

  /** Without `normalize: true` the weights are points and add up to the scale's span. */
  weights(scale: { min: number; max: number }, signals: Record<string, SignalDocument>): void {
    const entries = Object.entries(signals);
    const total = entries.reduce((sum, [, s]) => sum + s.weight, 0);
    const span = scale.max - scale.min;
    if (Math.abs(total - span) < 1e-9) return;
    const each = entries.map(([name, s]) => `${name} ${pointsText(s.weight)}`).join(", ");
    this.report(
      "E_SCORECARD_WEIGHTS",
      `the signals' weights add up to ${pointsText(total)} (${each}), not ${span}, the scale's max - min: make them add up to ${span}, or write \`normalize: true\` to scale them`,
      locateKey(this.parsed, ["signals"]),
    );
  }
}

/** Validates a scorecard file; the checked scorecard when it has no errors, and every diagnostic. */
export function validateScorecard(
  input: string | Uint8Array,
  file = "scorecard.yaml",
): { scorecard?: ScorecardNode; diagnostics: Diagnostic[] } {
  const { parsed, diagnostics } = parsePlaybook(input, file);
  if (parsed === undefined) return { diagnostics };
  const { value, issues } = validateDocument(parsed.value);
  if (value === undefined) return { diagnostics: schemaDiagnostics(parsed, issues) };
  const checker = new ScorecardChecker(parsed, file);
  const scale = value.scale ?? DEFAULT_SCALE;
  const signals = Object.entries(value.signals).flatMap(([name, doc]) => checker.signal(name, doc) ?? []);
  checker.bands(scale, value.bands, value.scale !== undefined);
  if (value.normalize !== true) checker.weights(scale, value.signals);
  const found = sortDiagnostics(checker.diagnostics);
  if (hasErrors(found)) return { diagnostics: found };
  return {
    scorecard: {
      kind: "scorecard",
      file,
      name: value.scorecard,
      nameSpan: locateValue(parsed, ["scorecard"]),
      ...(value.description === undefined ? {} : { description: value.description }),
      scale: { min: scale.min, max: scale.max },
      bands: { ready: value.bands.ready, warming: value.bands.warming },
      normalize: value.normalize === true,
      signals,
    },
    diagnostics: found,
  };
}

/**
 * `score.<name>` in a playbook's conditions names the scorecard validated with it (an error
 * otherwise, with "did you mean"); with no scorecard at all the score reads null (a warning).
 */
export function checkScoreReads(playbook: PlaybookNode, scorecard: ScorecardNode | undefined): Diagnostic[] {
  const found: Diagnostic[] = [];
  for (const condition of everyCondition(playbook))
    for (const field of accountFields(condition)) {
      const [root, name, ...rest] = field.path;
      if (root !== "score" || name === undefined) continue;
      const text = field.path.join(".");
      if (scorecard === undefined)
        found.push(
          diagnostic(
            "W_NO_SCORECARD",
            `\`${text}\` reads a score, but no scorecard is validated with this playbook: add playbooks/scorecard.yaml with \`scorecard: ${name}\`, or the score reads null`,
            playbook.file,
            field.span,
          ),
        );
      else if (name !== scorecard.name || rest.length > 0)
        found.push(
          diagnostic(
            "E_UNKNOWN_SCORE",
            rest.length > 0 && name === scorecard.name
              ? `\`score.${name}\` is a number: \`${text}\` reads nothing`
              : `no scorecard \`${name}\`${didYouMean(name, [scorecard.name]) || `; ${scorecard.file} declares \`${scorecard.name}\``}: conditions read \`score.${scorecard.name}\``,
            playbook.file,
            field.span,
          ),
        );
    }
  return found;
}

/** True for the file name that holds the scorecard rather than a playbook. */
export function isScorecardFile(file: string): boolean {
  return /(^|[\\/])scorecard\.ya?ml$/.test(file);
}
