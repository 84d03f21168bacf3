import { basename, relative } from "node:path";
import { compilePlan } from "../compile/compile-playbook.js";
import type { CompiledPlan } from "../compile/plan.js";
import { hasErrors } from "../diagnostics/diagnostic.js";
import { formatDiagnostic } from "../diagnostics/format-diagnostic.js";
import { findPlaybookFiles, validateFiles } from "../validate/validate-files.js";
import { DEFAULT_POLICY, type AccountPolicy } from "../validate/validate-policy.js";
import type { Routing } from "../journey/route-action.js";
import type { ScorecardNode } from "../ast/scorecard.js";
import { compileScorecard } from "../compile/compile-scorecard.js";
import type { PlaybookSource } from "../messages/deployment-messages.js";

/** Thrown when the playbooks to run do not validate; the message holds every diagnostic. */
export class PlaybookLoadError extends Error {
  override readonly name = "PlaybookLoadError";
}

/** What a playbooks folder holds: the compiled plans, their YAML, and the account policy (with its routing). */
export interface LoadedPlaybooks {
  readonly plans: CompiledPlan[];
  readonly sources: PlaybookSource[];
  readonly policy: AccountPolicy;
}

/**
 * The account policy with the destinations file's routing and the compiled scorecard: all three
 * hold for every play of the set, so they deploy with it.
 */
function withRoutingAndScorecard(
  policy: AccountPolicy,
  routing: Routing | undefined,
  scorecard: ScorecardNode | undefined,
): AccountPolicy {
  return {
    ...policy,
    ...(routing === undefined ? {} : { routing }),
    ...(scorecard === undefined ? {} : { scorecard: compileScorecard(scorecard) }),
  };
}

/** Validates and compiles a folder's playbooks, policy, destinations and scorecard; throws PlaybookLoadError on any error. */
export function loadPlaybooks(dir: string): LoadedPlaybooks {
  const results = validateFiles(findPlaybookFiles([dir]));
  const diagnostics = results.flatMap((r) => r.diagnostics);
  if (hasErrors(diagnostics)) {
    const text = results.flatMap((r) => r.diagnostics.map((d) => formatDiagnostic(d, r.source?.text))).join("\n");
    throw new PlaybookLoadError(`playbooks do not validate:\n${text}`);
  }
  const compiled = results.flatMap((r) => {
    if (r.playbook === undefined || r.source === undefined) return [];
    const plan = compilePlan(r.playbook);
    const source: PlaybookSource = {
      id: plan.id,
      version: plan.version,
      file: relative(dir, r.file) || basename(r.file),
      text: r.source.text,
    };
    return [{ plan, source }];
  });
  if (compiled.length === 0) throw new PlaybookLoadError(`no playbooks (*.yaml) in ${dir}`);
  return {
    plans: compiled.map((c) => c.plan),
    sources: compiled.map((c) => c.source),
    policy: withRoutingAndScorecard(
      results.find((r) => r.policy !== undefined)?.policy ?? DEFAULT_POLICY,
      results.find((r) => r.routing !== undefined)?.routing,
      results.find((r) => r.scorecard !== undefined)?.scorecard,
    ),
  };
}
