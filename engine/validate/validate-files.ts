import type { PlaybookNode } from "../ast/playbook.js";
import { diagnostic, sortDiagnostics, type Diagnostic } from "../diagnostics/diagnostic.js";
import { findFiles } from "../parse/find-files.js";
import { readSource, type SourceFile } from "../parse/source-file.js";
import { validatePlaybook } from "./validate-playbook.js";
import type { Routing } from "../journey/route-action.js";
import {
  checkStepRoutes,
  isDestinationsFile,
  validateDestinations,
  type DestinationsResult,
} from "./validate-destinations.js";
import { isPolicyFile, validatePolicy, type AccountPolicy } from "./validate-policy.js";

/** One playbook file's outcome: its text (to show source lines), AST when valid, diagnostics. */
export interface FileResult {
  readonly file: string;
  readonly source?: SourceFile;
  readonly playbook?: PlaybookNode;
  /** Set for playbooks/policy.yaml, which holds the account policy rather than a playbook. */
  readonly policy?: AccountPolicy;
  /** Set for playbooks/destinations.yaml: where actions go. */
  readonly routing?: Routing;
  readonly diagnostics: readonly Diagnostic[];
}

/**
 * Expands files and directories into playbook files (`*.yaml`, `*.yml`, but not `*.test.yaml`),
 * sorted, recursing into folders other than `samples/` and `tests/`.
 */
export function findPlaybookFiles(paths: readonly string[]): string[] {
  // samples/ holds example accounts and exports, tests/ playbook tests (*.test.yaml): not playbooks.
  return findFiles(
    paths,
    (file) => /\.ya?ml$/.test(file) && !/\.test\.ya?ml$/.test(file),
    (folder) => folder === "samples" || folder === "tests",
  );
}

/**
 * Validates playbook files (and a policy.yaml and a destinations.yaml) together: each on its own,
 * then playbook ids unique across them and step routes naming steps they have.
 */
export function validateFiles(files: readonly string[]): FileResult[] {
  let destinations: { readonly index: number; readonly checked: DestinationsResult } | undefined;
  const results = files.map((file, index): FileResult => {
    const { source, diagnostics } = readSource(file);
    if (source === undefined) return { file, diagnostics };
    if (isPolicyFile(file)) return { file, source, ...validatePolicy(source.text, file) };
    if (isDestinationsFile(file)) {
      const checked = validateDestinations(source.text, file);
      destinations = { index, checked };
      return { file, source, diagnostics: checked.diagnostics, ...(checked.routing && { routing: checked.routing }) };
    }
    return { file, source, ...validatePlaybook(source.text, file) };
  });
  if (destinations !== undefined) {
    const playbooks = results.flatMap((r) => (r.playbook === undefined ? [] : [r.playbook]));
    const unknown = checkStepRoutes(destinations.checked, playbooks, files[destinations.index] ?? "");
    // A routing that names a missing step is not used: the file has an error.
    if (unknown.length > 0)
      results[destinations.index] = {
        file: files[destinations.index] ?? "",
        source: results[destinations.index]?.source,
        diagnostics: sortDiagnostics([...destinations.checked.diagnostics, ...unknown]),
      };
  }
  const firstById = new Map<string, PlaybookNode>();
  return results.map((result) => {
    const playbook = result.playbook;
    if (playbook === undefined) return result;
    const first = firstById.get(playbook.id);
    if (first === undefined) {
      firstById.set(playbook.id, playbook);
      return result;
    }
    const duplicate = diagnostic(
      "E_DUPLICATE_ID",
      `playbook id \`${playbook.id}\` is already used by ${first.file}:${first.idSpan.line}`,
      result.file,
      playbook.idSpan,
    );
    return { file: result.file, source: result.source, diagnostics: [...result.diagnostics, duplicate] };
  });
}
