// Renders one Liquid text of an action for one account. The parse is cached by text (the same
// text in every account and version parses once); the render is synchronous, as the core is.
import { isTemplate, parseTemplate, type ParsedTemplate } from "../template/parse-template.js";
import { templateEngine } from "../template/template-engine.js";

/** What a render gave: the text, the values it read that were missing, and why it failed, if it did. */
export interface RenderedText {
  readonly text: string;
  /** Paths the template reads that have no value (`account.plan.tier`): they rendered empty. */
  readonly missing: readonly string[];
  /** Set when the template could not be rendered (a render budget exceeded): the text is empty. */
  readonly error?: string;
}

/** Parsed templates kept; past this many, the cache starts again (a plan set has far fewer). */
const MAX_CACHED = 500;
const parsed = new Map<string, ParsedTemplate>();

function parsedTemplate(text: string): ParsedTemplate {
  let entry = parsed.get(text);
  if (entry === undefined) {
    if (parsed.size >= MAX_CACHED) parsed.clear();
    entry = parseTemplate(text);
    parsed.set(text, entry);
  }
  return entry;
}

/** The value at `path` in the scope, reading own properties only (and a list's `first`, `last`, `size`). */
function valueAt(scope: unknown, path: readonly (string | number)[]): unknown {
  let value = scope;
  for (const segment of path) {
    if (value === undefined || value === null) return undefined;
    if (segment === "size" && (typeof value === "string" || Array.isArray(value))) value = value.length;
    else if (Array.isArray(value) && (segment === "first" || segment === "last"))
      value = segment === "first" ? value[0] : value[value.length - 1];
    else if (typeof value === "object" && Object.hasOwn(value, segment))
      value = (value as Record<string | number, unknown>)[segment];
    else return undefined;
  }
  return value;
}

/** A path as Liquid writes it: `account.plan.tier`, `contacts[0].role`. */
function pathText(path: readonly (string | number)[]): string {
  return path
    .map((segment, i) => (typeof segment === "number" ? `[${segment}]` : i === 0 ? segment : `.${segment}`))
    .join("");
}

/**
 * Renders a text against a scope. A value the scope lacks renders empty and is listed in
 * `missing`; a text that does not parse (validation stops such playbooks) or exceeds the render
 * budget renders empty with `error`. Never throws.
 */
export function renderTemplate(text: string, scope: Readonly<Record<string, unknown>>): RenderedText {
  if (!isTemplate(text)) return { text, missing: [] };
  const template = parsedTemplate(text);
  if (template.templates === undefined) return { text: "", missing: [], error: template.problem?.message };
  const missing = [
    ...new Set(template.variables.filter((v) => valueAt(scope, v.path) == null).map((v) => pathText(v.path))),
  ];
  try {
    const rendered: unknown = templateEngine().renderSync(template.templates, { ...scope });
    return { text: String(rendered), missing };
  } catch (error) {
    return { text: "", missing, error: error instanceof Error ? error.message : String(error) };
  }
}
