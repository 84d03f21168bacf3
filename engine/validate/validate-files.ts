import type { PlaybookNode } from "../ast/playbook.js";
import { diagnostic, hasErrors, sortDiagnostics, type Diagnostic } from "../diagnostics/diagnostic.js";
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
import type { ScorecardNode } from "../ast/scorecard.js";
import { checkScoreReads, isScorecardFile, validateScorecard } from "./validate-scorecard.js";

/** One playbook file's outcome: its text (to show source lines), AST when valid, diagnostics. */
export interface FileResult {
  readonly file: string;
  readonly source?: SourceFile;
  readonly playbook?: PlaybookNode;
  /** Set for playbooks/policy.yaml, which holds the account policy rather than a playbook. */
  readonly policy?: AccountPolicy;
  /** Set for playbooks/destinations.yaml: where actions go. */
  readonly routing?: Routing;
  /** Set for playbooks/scorecard.yaml: the readiness score (`score.<name>` in conditions). */
  readonly scorecard?: ScorecardNode;
  readonly diagnostics: readonly Diagnostic[];
}

/** A result with more diagnostics; a playbook with an error among them is not used. */
function withDiagnostics(result: FileResult, more: readonly Diagnostic[]): FileResult {
  const diagnostics = sortDiagnostics([...result.diagnostics, ...more]);
  if (!hasErrors(more)) return { ...result, diagnostics };
  return { file: result.file, source: result.source, diagnostics };
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
 * Validates playbook files (and a policy.yaml, a destinations.yaml and a scorecard.yaml) together:
 * each on its own, then playbook ids unique across them, step routes naming steps they have and
 * `score.<name>` naming the scorecard.
 */
export function validateFiles(files: readonly string[]): FileResult[] {
  let destinations: { readonly index: number; readonly checked: DestinationsResult } | undefined;
  const results = files.map((file, index): FileResult => {
    const { source, diagnostics } = readSource(file);
    if (source === undefined) return { file, diagnostics };
    if (isPolicyFile(file)) return { file, source, ...validatePolicy(source.text, file) };
    if (isScorecardFile(file)) return { file, source, ...validateScorecard(source.text, file) };
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
  const scorecard = results.find((r) => r.scorecard !== undefined)?.scorecard;
  return results.map((checked) => {
    const scoreReads = checked.playbook === undefined ? [] : checkScoreReads(checked.playbook, scorecard);
    const result = scoreReads.length > 0 ? withDiagnostics(checked, scoreReads) : checked;
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
