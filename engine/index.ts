// playloop's public API: parse -> validate -> compile, and the rule evaluator.
export { parsePlaybook } from "./parse/parse-playbook.js";
export { validatePlaybook } from "./validate/validate-playbook.js";
export { findPlaybookFiles, validateFiles } from "./validate/validate-files.js";
export { validateAccount } from "./validate/validate-account.js";
export { compilePlaybook } from "./compile/compile-playbook-source.js";
export { compilePlan } from "./compile/compile-playbook.js";
export { PLAN_FORMAT } from "./compile/plan.js";
export { formatJson } from "./compile/format-json.js";
export { compileRule } from "./rules/compile-rule.js";
export { evaluate } from "./rules/evaluate.js";
export { registerPlayloopOperations, daysSince, daysUntil } from "./rules/date-operations.js";
export { formatDiagnostic } from "./diagnostics/format-diagnostic.js";
export { DIAGNOSTIC_CODES } from "./diagnostics/codes.js";
export { journeyMermaid } from "./graph/journey-mermaid.js";

export type { Diagnostic, Severity, SourcePosition } from "./diagnostics/diagnostic.js";
export type { DiagnosticCode } from "./diagnostics/codes.js";
export type { ParsedYaml } from "./parse/parse-yaml.js";
export type { PlaybookDocument } from "./parse/playbook-document.js";
export type { PlaybookNode, StageName, ActionKind } from "./ast/playbook.js";
export type { Expr } from "./ast/expression.js";
export type { ValidationResult } from "./validate/validate-playbook.js";
export type { FileResult } from "./validate/validate-files.js";
export type { Account, AccountIssue } from "./validate/validate-account.js";
export type { CompileResult } from "./compile/compile-playbook-source.js";
export type { CompiledPlan, PlanStage, PlanStep, PlanTrigger, PlanCondition, PlanOffer } from "./compile/plan.js";
export type { JsonLogicRule, RuleFunction } from "./rules/rule-types.js";
