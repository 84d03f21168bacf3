import { readFileSync } from "node:fs";
import accountSchema from "../../../schemas/account.schema.json" with { type: "json" };
import mappingSchema from "../../../schemas/mapping.schema.json" with { type: "json" };
import { formatDiagnostic } from "../../diagnostics/format-diagnostic.js";
import { parsePlaybook } from "../../parse/parse-playbook.js";
import { FORBIDDEN_SEGMENTS } from "../../rules/safe-path.js";
import { schemaDiagnostics } from "../../validate/schema-diagnostics.js";
import { createSchemaValidator } from "../../validate/schema-issues.js";

/** A field mapping: canonical path -> the export's column. */
export interface FieldMapping {
  readonly kind?: "accounts" | "events";
  readonly fields: readonly (readonly [target: readonly string[], source: string])[];
}

/** Thrown when a mapping file is invalid; the message holds its diagnostics. */
export class MappingError extends Error {
  override readonly name = "MappingError";
}

interface MappingDocument {
  kind?: "accounts" | "events";
  fields: Record<string, string>;
}

const validateMapping = createSchemaValidator<MappingDocument>(mappingSchema);

/** Loads and validates a mapping file (YAML or JSON). */
export function loadMapping(file: string): FieldMapping {
  const text = readFileSync(file, "utf8");
  const { parsed, diagnostics } = parsePlaybook(text, file);
  if (parsed === undefined) throw new MappingError(diagnostics.map((d) => formatDiagnostic(d, text)).join("\n"));
  const { value, issues } = validateMapping(parsed.value);
  if (value === undefined)
    throw new MappingError(
      schemaDiagnostics(parsed, issues)
        .map((d) => formatDiagnostic(d, text))
        .join("\n"),
    );
  const fields = Object.entries(value.fields).map(([target, source]) => {
    const path = target.split(".");
    const bad = path.find((segment) => FORBIDDEN_SEGMENTS.has(segment));
    if (bad !== undefined) throw new MappingError(`${file}: \`${bad}\` may not appear in a field path (${target})`);
    return [path, source] as const;
  });
  return { kind: value.kind, fields };
}

type FieldType = "number" | "integer" | "boolean" | "array" | "string";

/** The account schema's declared type for each dotted path, for turning CSV text into values. */
const ACCOUNT_TYPES: ReadonlyMap<string, FieldType> = (() => {
  const types = new Map<string, FieldType>();
  const walk = (node: unknown, prefix: string): void => {
    if (typeof node !== "object" || node === null) return;
    const properties = (node as { properties?: Record<string, unknown> }).properties ?? {};
    for (const [key, child] of Object.entries(properties)) {
      const path = prefix === "" ? key : `${prefix}.${key}`;
      const type = (child as { type?: unknown }).type;
      if (type === "number" || type === "integer" || type === "boolean" || type === "array" || type === "string")
        types.set(path, type);
      walk(child, path);
    }
  };
  walk(accountSchema, "");
  return types;
})();

function coerce(path: string, text: string): unknown {
  const type = ACCOUNT_TYPES.get(path) ?? (/^consent\./.test(path) ? "boolean" : undefined);
  const trimmed = text.trim();
  if (type === "number" || type === "integer")
    return trimmed !== "" && Number.isFinite(Number(trimmed)) ? Number(trimmed) : text;
  if (type === "boolean")
    return /^(true|yes|1)$/i.test(trimmed) ? true : /^(false|no|0)$/i.test(trimmed) ? false : text;
  if (type === "array")
    return trimmed.startsWith("[")
      ? safeJson(trimmed, text)
      : trimmed
          .split(/[;|]/)
          .map((s) => s.trim())
          .filter(Boolean);
  if (path === "data" && trimmed.startsWith("{")) return safeJson(trimmed, text);
  return text;
}

function safeJson(text: string, fallback: unknown): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return fallback;
  }
}

function setPath(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let node = target;
  for (const segment of path.slice(0, -1)) {
    if (FORBIDDEN_SEGMENTS.has(segment)) return;
    const next = Object.hasOwn(node, segment) ? node[segment] : undefined;
    if (typeof next !== "object" || next === null || Array.isArray(next)) node[segment] = {};
    node = node[segment] as Record<string, unknown>;
  }
  const last = path[path.length - 1];
  if (last !== undefined && !FORBIDDEN_SEGMENTS.has(last)) node[last] = value;
}

/**
 * Turns one export record into the canonical shape: mapped columns to their paths, or, with no
 * mapping, dotted column names to nested fields. Text from a CSV becomes numbers and booleans where
 * the account schema declares them; empty cells are left out.
 */
export function applyMapping(
  record: Readonly<Record<string, unknown>>,
  mapping: FieldMapping | undefined,
  fromText: boolean,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const pairs = mapping?.fields ?? Object.keys(record).map((key) => [key.split("."), key] as const);
  for (const [path, source] of pairs) {
    if (!Object.hasOwn(record, source)) continue;
    const raw = record[source];
    if (raw === undefined || raw === null || raw === "") continue;
    setPath(out, path, fromText && typeof raw === "string" ? coerce(path.join("."), raw) : raw);
  }
  return out;
}
