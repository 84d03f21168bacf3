import { Ajv2020, type ErrorObject, type ValidateFunction } from "ajv/dist/2020.js";
import formatsPlugin from "ajv-formats";
import type { DiagnosticCode } from "../diagnostics/codes.js";
import { didYouMean } from "../diagnostics/suggest.js";
import { pointerToPath, type DataPath } from "../parse/locate.js";

/** One schema violation, located by data path; `atKey` points at the key rather than the value. */
export interface SchemaIssue {
  readonly code: DiagnosticCode;
  readonly path: DataPath;
  readonly atKey: boolean;
  readonly message: string;
}

const PATTERN_HINTS: Readonly<Record<string, string>> = {
  "^[1-9][0-9]*(m|h|d|w)$": "a duration such as `90d` (m, h, d or w)",
  "^(100|[1-9]?[0-9])(\\.[0-9]+)?%$": "a percentage from 0% to 100%, such as `15%`",
  "^[a-z][a-z0-9_]*$": "a name of lowercase letters, digits and `_`, starting with a letter",
  "^[a-z][a-z0-9_-]*$": "an id of lowercase letters, digits, `_` and `-`",
  "^[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)*$": "a field path such as `renewal_date` or `plan.tier`",
  "^[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)+$": "an event type such as `usage.updated`",
  "^[a-z][a-z0-9]*(-[a-z0-9]+)*$": "an id of lowercase words joined by `-`, such as `seat-upsell`",
  "^\\+[0-9]+(\\.[0-9]+)?%?$": "`+N` units or `+N%`",
  "^([01][0-9]|2[0-3]):[0-5][0-9]-([01][0-9]|2[0-4]):[0-5][0-9]$": "hours such as `09:00-17:00`",
};

// Messages for a value that fits none of the alternatives of an anyOf/oneOf, keyed by the start of
// the description of the schema holding the alternatives (ajv inlines $refs, so paths vary).
const ALTERNATIVE_HINTS: readonly [RegExp, string][] = [
  [
    /^A condition:/,
    "a condition is an expression such as `arr >= 20000`, a segment name, true/false, or an object with one of `all`, `any`, `not`",
  ],
  [
    /^A trigger:/,
    "a trigger takes exactly one of `on` (an event), `window` (around an account date) or `enters` (a segment)",
  ],
  [/^A window around/, "a window takes exactly one of `before` or `after`"],
  [/^Wait for/, "a wait takes exactly one of `event`, `trigger`, `duration` or `until`"],
];

function alternativesHint(error: ErrorObject): string | undefined {
  const description = (error.parentSchema as { description?: unknown } | undefined)?.description;
  if (typeof description !== "string") return undefined;
  return ALTERNATIVE_HINTS.find(([pattern]) => pattern.test(description))?.[1] ?? description;
}

function label(path: DataPath): string {
  const last = path[path.length - 1];
  return last === undefined ? "the playbook" : typeof last === "number" ? `item ${last + 1}` : `\`${last}\``;
}

function issueFor(error: ErrorObject): SchemaIssue {
  const path = pointerToPath(error.instancePath);
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case "additionalProperties": {
      const key = String(params.additionalProperty);
      const properties = (error.parentSchema as { properties?: Record<string, unknown> } | undefined)?.properties ?? {};
      const allowed = Object.keys(properties);
      const isStep = allowed.includes("wait") && allowed.includes("crm.task");
      const what = isStep ? `unknown step kind \`${key}\`` : `unknown key \`${key}\``;
      const list = allowed.length > 0 && allowed.length <= 12 ? `; expected one of ${allowed.join(", ")}` : "";
      return {
        code: "E_SCHEMA_UNKNOWN_KEY",
        path: [...path, key],
        atKey: true,
        message: `${what}${didYouMean(key, allowed) || list}`,
      };
    }
    case "required":
      return {
        code: "E_SCHEMA_REQUIRED",
        path,
        atKey: true,
        message: `${label(path)} is missing required key \`${String(params.missingProperty)}\``,
      };
    case "type":
      return { code: "E_SCHEMA_TYPE", path, atKey: false, message: `${label(path)} must be ${String(params.type)}` };
    case "enum": {
      const allowed = (params.allowedValues as unknown[]).map(String);
      return {
        code: "E_SCHEMA_VALUE",
        path,
        atKey: false,
        message: `${label(path)} must be one of ${allowed.join(", ")}`,
      };
    }
    case "pattern": {
      const hint = PATTERN_HINTS[String(params.pattern)] ?? `text matching ${String(params.pattern)}`;
      const propertyName = error.propertyName;
      if (propertyName !== undefined) {
        return {
          code: "E_SCHEMA_VALUE",
          path: [...path, propertyName],
          atKey: true,
          message: `\`${propertyName}\` must be ${hint}`,
        };
      }
      return { code: "E_SCHEMA_VALUE", path, atKey: false, message: `${label(path)} must be ${hint}` };
    }
    case "maxProperties":
    case "minProperties":
      return {
        code: "E_SCHEMA_SHAPE",
        path,
        atKey: false,
        message:
          params.limit === 1 && error.keyword === "maxProperties"
            ? "a step names exactly one kind: put each action, wait or loop in its own list item"
            : `${label(path)} ${error.message ?? "has the wrong number of keys"}`,
      };
    case "minLength":
      if (params.limit === 1)
        return { code: "E_SCHEMA_VALUE", path, atKey: false, message: `${label(path)} must not be empty` };
      return {
        code: "E_SCHEMA_VALUE",
        path,
        atKey: false,
        message: `${label(path)} ${error.message ?? "is too short"}`,
      };
    case "not":
      return {
        code: "E_SCHEMA_VALUE",
        path,
        atKey: false,
        message: `${label(path)} uses a reserved field name (\`event\` and \`now\` are reserved)`,
      };
    default:
      return { code: "E_SCHEMA_VALUE", path, atKey: false, message: `${label(path)} ${error.message ?? "is invalid"}` };
  }
}

/**
 * Turns ajv's raw errors into one issue per real problem. For each anyOf/oneOf (innermost first),
 * the alternative the value was evidently meant for is kept: the one whose errors all lie deeper
 * than the value, or the only one its type fits. Otherwise one message says what forms are allowed.
 */
export function schemaIssues(errors: readonly ErrorObject[]): SchemaIssue[] {
  const suppressed = new Set<ErrorObject>();
  const summaries = new Map<ErrorObject, SchemaIssue | undefined>();
  for (const error of errors) {
    if (error.keyword !== "anyOf" && error.keyword !== "oneOf") continue;
    const prefix = `${error.schemaPath}/`;
    const branches = new Map<string, ErrorObject[]>();
    for (const inner of errors) {
      if (!inner.schemaPath.startsWith(prefix)) continue;
      const branch = inner.schemaPath.slice(prefix.length).split("/")[0] ?? "";
      branches.set(branch, [...(branches.get(branch) ?? []), inner]);
    }
    const all = [...branches.values()];
    const typeFit = all.filter(
      (list) => !list.some((e) => e.keyword === "type" && e.instancePath === error.instancePath),
    );
    const deepFit = typeFit.filter((list) => list.every((e) => e.instancePath.startsWith(`${error.instancePath}/`)));
    const chosen =
      error.keyword === "oneOf" && branches.size < 2
        ? undefined
        : deepFit.length === 1
          ? deepFit[0]
          : typeFit.length === 1
            ? typeFit[0]
            : undefined;
    for (const list of all) if (list !== chosen) for (const inner of list) suppressed.add(inner);
    if (chosen !== undefined) {
      summaries.set(error, undefined);
      continue;
    }
    const hint = alternativesHint(error);
    const unknownKey = typeFit
      .flat()
      .find((e) => e.keyword === "additionalProperties" && e.instancePath === error.instancePath);
    const path = pointerToPath(error.instancePath);
    if (unknownKey !== undefined) {
      const key = String((unknownKey.params as Record<string, unknown>).additionalProperty);
      summaries.set(error, {
        code: "E_SCHEMA_UNKNOWN_KEY",
        path: [...path, key],
        atKey: true,
        message: `unknown key \`${key}\`: ${hint ?? "no form allows it"}`,
      });
    } else {
      summaries.set(error, {
        code: "E_SCHEMA_SHAPE",
        path,
        atKey: false,
        message: hint ?? `${label(path)} ${error.message ?? "matches no allowed form"}`,
      });
    }
  }
  const issues: SchemaIssue[] = [];
  for (const error of errors) {
    if (suppressed.has(error) || error.keyword === "propertyNames") continue;
    if (summaries.has(error)) {
      const summary = summaries.get(error);
      if (summary !== undefined) issues.push(summary);
    } else issues.push(issueFor(error));
  }
  // ajv can report one problem through several keywords; keep each (path, message) once.
  const seen = new Set<string>();
  return issues.filter((issue) => {
    const key = `${issue.path.join("/")}|${issue.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Compiles a JSON Schema (2020-12) into a validator that returns located issues. */
export function createSchemaValidator<T>(schema: object): (value: unknown) => { value?: T; issues: SchemaIssue[] } {
  const ajv = new Ajv2020({
    allErrors: true,
    verbose: true,
    strict: true,
    strictRequired: false,
    allowUnionTypes: true,
  });
  formatsPlugin.default(ajv);
  const validate: ValidateFunction<T> = ajv.compile<T>(schema);
  return (value) => (validate(value) ? { value, issues: [] } : { issues: schemaIssues(validate.errors ?? []) });
}

/** Validation issues as one line: `plan.seats: must be integer; id: must be string`. */
export function issuesText(issues: readonly { path: readonly (string | number)[]; message: string }[]): string {
  return issues.map((i) => (i.path.length > 0 ? `${i.path.join(".")}: ${i.message}` : i.message)).join("; ");
}
