// Parses one Liquid text of a playbook with the shared engine and lists the values it reads, each
// at its character index, so validation can point at a problem inside the YAML scalar.
import type { Template } from "liquidjs";
import { NONDETERMINISTIC_FILTERS, templateEngine } from "./template-engine.js";

/** Why a template cannot be used: it does not parse, or it asks for something not offered. */
export interface TemplateProblem {
  readonly code: "E_TEMPLATE_SYNTAX" | "E_TEMPLATE_UNSUPPORTED";
  readonly message: string;
  /** Where in the text (a character index) and how many characters. */
  readonly index: number;
  readonly length: number;
}

/** A value a template reads from its scope: `{{ account.plan.tier }}`. */
export interface TemplateVariable {
  /** The path up to its first computed part: `contacts[i].role` reads `["contacts"]`. */
  readonly path: readonly (string | number)[];
  /** The path as liquidjs prints it (`account.plan.tier`). */
  readonly text: string;
  readonly index: number;
  readonly length: number;
}

/** A parsed template and the values it reads from outside (not its own `assign`s and loop variables). */
export interface ParsedTemplate {
  readonly templates?: Template[];
  readonly variables: readonly TemplateVariable[];
  readonly problem?: TemplateProblem;
}

/** Whether a text holds Liquid at all; plain text renders as itself and needs no parse. */
export function isTemplate(text: string): boolean {
  return text.includes("{{") || text.includes("{%");
}

/** The character index of a 1-based row and column. */
function indexOf(text: string, row: number, col: number): number {
  let index = 0;
  for (let line = 1; line < row; line++) {
    const next = text.indexOf("\n", index);
    if (next === -1) break;
    index = next + 1;
  }
  return Math.min(text.length, index + col - 1);
}

interface LiquidFailure {
  readonly message: string;
  readonly token?: { readonly begin: number; readonly end: number };
  readonly originalError?: { readonly name: string; readonly message: string };
}

function isFailure(error: unknown): error is LiquidFailure {
  return error instanceof Error;
}

/** A liquidjs error as a problem: its message without the `, line:1, col:4` liquidjs appends. */
function problemOf(error: unknown, text: string): TemplateProblem {
  const failure: LiquidFailure = isFailure(error) ? error : { message: String(error) };
  const message = failure.message.replace(/, line:\d+, col:\d+$/, "");
  const begin = Math.min(text.length, Math.max(0, failure.token?.begin ?? 0));
  const end = Math.max(begin + 1, failure.token?.end ?? begin + 1);
  const filter = /^undefined filter: (\S+)/.exec(message)?.[1];
  if (failure.originalError?.name === "TemplateFeatureRefused")
    return {
      code: "E_TEMPLATE_UNSUPPORTED",
      message: failure.originalError.message,
      index: begin,
      length: end - begin,
    };
  if (filter !== undefined && NONDETERMINISTIC_FILTERS.includes(filter))
    return {
      code: "E_TEMPLATE_UNSUPPORTED",
      message: `the \`${filter}\` filter is not offered: rendering must give the same text every time`,
      index: begin,
      length: end - begin,
    };
  return { code: "E_TEMPLATE_SYNTAX", message, index: begin, length: end - begin };
}

/** Parses a template; a problem comes back as data, never thrown. */
export function parseTemplate(text: string): ParsedTemplate {
  const engine = templateEngine();
  let templates: Template[];
  try {
    templates = engine.parse(text);
  } catch (error) {
    return { variables: [], problem: problemOf(error, text) };
  }
  const analysis = engine.analyzeSync(templates, { partials: false });
  const variables = Object.values(analysis.globals)
    .flat()
    .map((variable): TemplateVariable => {
      const computed = variable.segments.findIndex((segment) => typeof segment === "object");
      const path = (computed === -1 ? variable.segments : variable.segments.slice(0, computed)).filter(
        (segment): segment is string | number => typeof segment !== "object",
      );
      const printed = variable.toString();
      return {
        path,
        text: printed,
        index: indexOf(text, variable.location.row, variable.location.col),
        length: printed.length,
      };
    })
    .sort((a, b) => a.index - b.index);
  return { templates, variables };
}
