import type { Deployment } from "../messages/deployment-messages.js";
import { describeMigrationPath, type MigrationPath } from "./migration-paths.js";
import type { PlaybookChange } from "./playbook-diff.js";

/** Accounts with a play of one playbook at one version, by where the play is. */
export interface VersionCount {
  readonly version: string;
  readonly detecting: number;
  readonly running: number;
  readonly ended: number;
}

/** Running plays of an older version in one stage, and what a migration does to them at the next boundary. */
export interface MigrationCount extends MigrationPath {
  readonly version: string;
  readonly plays: number;
}

/** What `playloop deploy` would do, shown before it does it. */
export interface DeployPlan {
  readonly current?: Deployment;
  readonly changes: readonly PlaybookChange[];
  /** Per affected (changed or removed) playbook: accounts by version in use. */
  readonly affected: Readonly<Record<string, readonly VersionCount[]>>;
  /** Per changed playbook whose new version migrates running plays: where they are and what happens. */
  readonly migrations?: Readonly<Record<string, readonly MigrationCount[]>>;
  readonly policyChanged: boolean;
  /** The routing (destinations.yaml) differs from the deployed one. */
  readonly destinationsChanged?: boolean;
  /** The scorecard (scorecard.yaml) differs from the deployed one, or is added or removed. */
  readonly scorecardChanged?: boolean;
}

/** True when the deploy would change the deployed set. */
export function deployChangesSomething(plan: DeployPlan): boolean {
  return (
    plan.policyChanged ||
    plan.destinationsChanged === true ||
    plan.scorecardChanged === true ||
    plan.changes.some((change) => change.kind !== "unchanged")
  );
}

const MARK = { added: "+", removed: "-", changed: "~", unchanged: "=" } as const;
const short = (version: string | undefined): string => (version ?? "").replace(/^sha256:/, "").slice(0, 8);

/** The plan as a person reads it: per playbook what changes, and how many accounts it touches. */
export function formatDeployPlan(plan: DeployPlan): string {
  const lines: string[] = [
    plan.current === undefined
      ? "Nothing is deployed yet: this is the first deployment."
      : `Deployed now: ${plan.current.id} (${new Date(plan.current.at).toISOString()}, by ${plan.current.actor}${plan.current.commit === undefined ? "" : `, commit ${plan.current.commit.slice(0, 10)}`})`,
    "",
  ];
  for (const change of plan.changes) {
    const versions =
      change.kind === "changed"
        ? ` ${short(change.before)} -> ${short(change.after)}`
        : change.kind === "added"
          ? ` ${short(change.after)}`
          : ` ${short(change.before)}`;
    lines.push(`${MARK[change.kind]} ${change.playbook} ${change.kind}${versions}`);
    for (const line of change.changes) lines.push(`    ${line}`);
    if (change.kind === "changed" && change.changes.length === 0) lines.push("    the compiled plan changed");
    const counts = plan.affected[change.playbook];
    if (counts !== undefined) {
      if (counts.length === 0) lines.push("    no account has a play of it yet");
      for (const count of counts)
        lines.push(
          `    accounts on ${short(count.version)}: ${count.detecting} detecting, ${count.running} running, ${count.ended} ended`,
        );
      const migrations = plan.migrations?.[change.playbook];
      if (change.kind === "changed" && migrations === undefined)
        lines.push("    detecting and ended plays take the new version; running plays finish on theirs");
      if (migrations !== undefined) {
        lines.push(
          "    detecting and ended plays take the new version; running plays migrate at their next stage boundary:",
        );
        for (const m of migrations)
          lines.push(`      ${m.plays} in ${m.stage} (${short(m.version)}): ${describeMigrationPath(m)}`);
      }
      if (change.kind === "removed") lines.push("    it stops detecting; running plays finish on their version");
    }
  }
  if (plan.policyChanged) lines.push("~ policy.yaml changed");
  if (plan.destinationsChanged === true) lines.push("~ destinations.yaml changed: actions route differently");
  if (plan.scorecardChanged === true)
    lines.push("~ scorecard.yaml changed: every account is scored anew as the deploy reaches it");
  if (!deployChangesSomething(plan)) lines.push("", "Nothing to deploy: the folder is what runs.");
  return `${lines.join("\n")}\n`;
}
