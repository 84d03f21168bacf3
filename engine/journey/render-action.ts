import type { PlanStep } from "../compile/plan.js";
import { renderTemplate } from "./render-template.js";

/** An action's texts as its CloudEvent carries them, rendered for one account. */
export interface RenderedFields {
  readonly title?: string;
  readonly body?: string;
  readonly variables?: Readonly<Record<string, string>>;
  readonly payload?: Readonly<Record<string, unknown>>;
}

/**
 * Renders an action step's `title`, `body`, `variables` and every string inside `payload` against
 * a template scope. `notes` says what rendered empty and why (`title: account.plan.tier is
 * missing, rendered empty`), for the play's decisions.
 */
export function renderAction(
  step: Extract<PlanStep, { kind: "action" }>,
  scope: Readonly<Record<string, unknown>>,
): { readonly fields: RenderedFields; readonly notes: readonly string[] } {
  const notes: string[] = [];
  const render = (field: string, text: string): string => {
    const result = renderTemplate(text, scope);
    for (const path of result.missing) notes.push(`${field}: ${path} is missing, rendered empty`);
    if (result.error !== undefined) notes.push(`${field}: not rendered (${result.error}), left empty`);
    return result.text;
  };
  const value = (field: string, item: unknown): unknown => {
    if (typeof item === "string") return render(field, item);
    if (Array.isArray(item)) return item.map((entry, i) => value(`${field}[${i}]`, entry));
    return typeof item === "object" && item !== null ? object(field, item) : item;
  };
  const object = (field: string, item: object): Record<string, unknown> =>
    Object.fromEntries(Object.entries(item).map(([key, entry]) => [key, value(`${field}.${key}`, entry)]));
  const fields: RenderedFields = {
    ...(step.title === undefined ? {} : { title: render("title", step.title) }),
    ...(step.body === undefined ? {} : { body: render("body", step.body) }),
    ...(step.variables === undefined
      ? {}
      : {
          variables: Object.fromEntries(
            Object.entries(step.variables).map(([key, text]) => [key, render(`variables.${key}`, text)]),
          ),
        }),
    ...(step.payload === undefined ? {} : { payload: object("payload", step.payload) }),
  };
  return { fields, notes };
}
