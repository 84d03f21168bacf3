import { diagnostic, sortDiagnostics, type Diagnostic } from "../diagnostics/diagnostic.js";
import { locateKey, locateValue } from "../parse/locate.js";
import type { ParsedYaml } from "../parse/parse-yaml.js";
import type { SchemaIssue } from "./schema-issues.js";

/** Schema issues as diagnostics located in the YAML file. */
export function schemaDiagnostics(parsed: ParsedYaml, issues: readonly SchemaIssue[]): Diagnostic[] {
  return sortDiagnostics(
    issues.map((issue) =>
      diagnostic(
        issue.code,
        issue.message,
        parsed.source.file,
        issue.atKey ? locateKey(parsed, issue.path) : locateValue(parsed, issue.path),
      ),
    ),
  );
}
