import type { PlaybookNode } from "../ast/playbook.js";
import { hasErrors, sortDiagnostics, type Diagnostic } from "../diagnostics/diagnostic.js";
import { buildAst, checkConditionsLeniently } from "../parse/build-ast.js";
import { parsePlaybook } from "../parse/parse-playbook.js";
import type { ParsedYaml } from "../parse/parse-yaml.js";
import type { PlaybookDocument } from "../parse/playbook-document.js";
import playbookSchema from "../../schemas/playbook.schema.json" with { type: "json" };
import { checkPlaybook } from "./check-playbook.js";
import { schemaDiagnostics } from "./schema-diagnostics.js";
import { createSchemaValidator } from "./schema-issues.js";

const validateDocument = createSchemaValidator<PlaybookDocument>(playbookSchema);

/** The result of validation: the typed playbook when there are no errors, and every diagnostic. */
export interface ValidationResult {
  readonly playbook?: PlaybookNode;
  readonly diagnostics: readonly Diagnostic[];
}

/**
 * Validates a playbook: schema, then the typed AST, then the checks beyond the schema. Takes YAML
 * text (with a file name for diagnostics) or an already parsed document. Never throws on bad input.
 */
export function validatePlaybook(input: string | Uint8Array | ParsedYaml, file = "<playbook>"): ValidationResult {
  let parsed: ParsedYaml;
  if (typeof input === "string" || input instanceof Uint8Array) {
    const result = parsePlaybook(input, file);
    if (result.parsed === undefined) return { diagnostics: result.diagnostics };
    parsed = result.parsed;
  } else parsed = input;
  const { value, issues } = validateDocument(parsed.value);
  if (value === undefined) {
    // The conditions are still checked, so one run reports their problems too.
    return {
      diagnostics: sortDiagnostics([...schemaDiagnostics(parsed, issues), ...checkConditionsLeniently(parsed)]),
    };
  }
  const built = buildAst(parsed, value);
  const diagnostics = sortDiagnostics([...built.diagnostics, ...checkPlaybook(built.ast)]);
  return hasErrors(diagnostics) ? { diagnostics } : { playbook: built.ast, diagnostics };
}
