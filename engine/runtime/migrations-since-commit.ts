// `playloop validate` on a playbook that migrates running plays (`versioning: at_stage_boundary`):
// against the version last committed in git, which stages' running plays would move at their next
// stage boundary and which would end. Offline: `deploy --dry-run` counts them against what runs.
import { basename, dirname } from "node:path";
import { compilePlan } from "../compile/compile-playbook.js";
import type { CompiledPlan } from "../compile/plan.js";
import { describeMigrationPath, migrationPaths } from "../deploy/migration-paths.js";
import { validatePlaybook } from "../validate/validate-playbook.js";
import { gitOutput } from "./git-output.js";

/** The file as committed at HEAD, when it is in git. */
const committedText = (file: string): string | undefined =>
  gitOutput(dirname(file), ["show", `HEAD:./${basename(file)}`]);

/** Lines naming what a migration does, for each migrating playbook that changed since HEAD. */
export function migrationsSinceCommit(playbooks: readonly { file: string; plan: CompiledPlan }[]): string[] {
  const lines: string[] = [];
  for (const { file, plan } of playbooks) {
    if (plan.versioning?.running !== "at_stage_boundary") continue;
    const text = committedText(file);
    const committed = text === undefined ? undefined : validatePlaybook(text, file).playbook;
    if (committed === undefined) continue;
    const old = compilePlan(committed);
    if (old.version === plan.version) continue;
    lines.push(`${plan.id}: running plays of the committed version (HEAD) migrate at their next stage boundary:`);
    for (const path of migrationPaths(old, plan)) lines.push(`  in ${path.stage}: ${describeMigrationPath(path)}`);
  }
  return lines;
}
