import type { Expr } from "./expression.js";

/** Calls `visit` on every node of an expression tree, parents first. */
export function walkExpr(expr: Expr, visit: (node: Expr) => void): void {
  visit(expr);
  switch (expr.kind) {
    case "list":
      for (const item of expr.items) walkExpr(item, visit);
      return;
    case "compare":
    case "arithmetic":
      walkExpr(expr.left, visit);
      walkExpr(expr.right, visit);
      return;
    case "negate":
    case "not":
      walkExpr(expr.operand, visit);
      return;
    case "logical":
      for (const operand of expr.operands) walkExpr(operand, visit);
      return;
    case "in":
      walkExpr(expr.item, visit);
      walkExpr(expr.list, visit);
      return;
    case "call":
      for (const arg of expr.args) walkExpr(arg, visit);
      return;
    case "count":
      if (expr.where !== undefined) walkExpr(expr.where, visit);
      return;
    default:
      return;
  }
}

/** The segment names an expression refers to. */
export function segmentsUsed(expr: Expr): string[] {
  const names: string[] = [];
  walkExpr(expr, (node) => {
    if (node.kind === "segment") names.push(node.name);
  });
  return names;
}
