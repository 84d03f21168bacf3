import type { Expr } from "../ast/expression.js";
import { walkExpr } from "../ast/walk-expr.js";
import type { PlanCount } from "./plan.js";

/** Every event type the conditions count, with its longest window, sorted; undefined when none does. */
export function countedEvents(conditions: readonly Expr[]): PlanCount[] | undefined {
  const windows = new Map<string, number>();
  for (const expr of conditions)
    walkExpr(expr, (node) => {
      if (node.kind === "count") windows.set(node.event, Math.max(windows.get(node.event) ?? 0, node.windowMs));
    });
  if (windows.size === 0) return undefined;
  return [...windows.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([event, windowMs]) => ({ event, windowMs }));
}
