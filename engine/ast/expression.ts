import type { Span } from "../parse/locate.js";

/** Comparison operators as written in playbooks. */
export type CompareOp = "==" | "!=" | "<" | "<=" | ">" | ">=";
/** Arithmetic operators as written in playbooks. */
export type ArithmeticOp = "+" | "-" | "*" | "/" | "%";
/** Functions a condition may call. */
export type FunctionName = "days_since" | "days_until" | "exists" | "between" | "any" | "all" | "none" | "map";

/** A condition's typed syntax tree. Every node knows where it is written. */
export type Expr =
  | { readonly kind: "literal"; readonly value: string | number | boolean | null; readonly span: Span }
  | { readonly kind: "list"; readonly items: readonly Expr[]; readonly span: Span }
  | { readonly kind: "field"; readonly path: readonly string[]; readonly span: Span }
  | { readonly kind: "segment"; readonly name: string; readonly span: Span }
  | { readonly kind: "compare"; readonly op: CompareOp; readonly left: Expr; readonly right: Expr; readonly span: Span }
  | {
      readonly kind: "arithmetic";
      readonly op: ArithmeticOp;
      readonly left: Expr;
      readonly right: Expr;
      readonly span: Span;
    }
  | { readonly kind: "negate"; readonly operand: Expr; readonly span: Span }
  | { readonly kind: "logical"; readonly op: "and" | "or"; readonly operands: readonly Expr[]; readonly span: Span }
  | { readonly kind: "not"; readonly operand: Expr; readonly span: Span }
  | { readonly kind: "in"; readonly item: Expr; readonly list: Expr; readonly span: Span }
  | { readonly kind: "call"; readonly fn: FunctionName; readonly args: readonly Expr[]; readonly span: Span }
  | {
      /** `count(support.ticket_opened, 30d, data.category == "reporting")`: the account's events of a type in a sliding window. */
      readonly kind: "count";
      readonly event: string;
      readonly windowMs: number;
      /** A condition on each event (`data.*`, `type`, `at`); every event of the type counts when absent. */
      readonly where?: Expr;
      readonly span: Span;
    };
