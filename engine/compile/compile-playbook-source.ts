import type { PlaybookNode } from "../ast/playbook.js";
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import type { ParsedYaml } from "../parse/parse-yaml.js";
import { validatePlaybook } from "../validate/validate-playbook.js";
import { compilePlan } from "./compile-playbook.js";
import type { CompiledPlan } from "./plan.js";

/** The compiled plan when the playbook has no errors, and every diagnostic either way. */
export interface CompileResult {
  readonly plan?: CompiledPlan;
  readonly diagnostics: readonly Diagnostic[];
}

function isPlaybookNode(input: string | Uint8Array | ParsedYaml | PlaybookNode): input is PlaybookNode {
  return typeof input === "object" && "kind" in input && input.kind === "playbook";
}

/** Validates and compiles a playbook given as YAML text, bytes, a parsed document or a validated AST. */
export function compilePlaybook(
  input: string | Uint8Array | ParsedYaml | PlaybookNode,
  file = "<playbook>",
): CompileResult {
  if (isPlaybookNode(input)) return { plan: compilePlan(input), diagnostics: [] };
  const { playbook, diagnostics } = validatePlaybook(input, file);
  return playbook === undefined ? { diagnostics } : { plan: compilePlan(playbook), diagnostics };
}
