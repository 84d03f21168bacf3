// `playloop deploy`, `deployments`, `deploy --to`: the folder compiled and compared with what runs,
// the deploy recorded in the deployments workflow, and the wait until every worker serves it.
import { userInfo } from "node:os";
import type { Client } from "@temporalio/client";
import { canonicalJson } from "../compile/canonical-json.js";
import type { CompiledPlan } from "../compile/plan.js";
import type { DeployPlan, MigrationCount, VersionCount } from "../deploy/deploy-plan.js";
import { migrationPaths } from "../deploy/migration-paths.js";
import { diffPlaybooks } from "../deploy/playbook-diff.js";
import { ACCOUNT_WORKFLOW } from "../messages/account-messages.js";
import { SEARCH_ATTRIBUTES } from "../messages/search-attributes.js";
import type { DeploymentsClient } from "./deployments-client.js";
import { gitOutput } from "./git-output.js";
import type { LoadedPlaybooks } from "./load-plans.js";

/** Who deploys: PLAYLOOP_ACTOR, else the git author of the folder, else the user. */
export function deployActor(dir: string, env: NodeJS.ProcessEnv = process.env): string {
  if (env.PLAYLOOP_ACTOR) return env.PLAYLOOP_ACTOR;
  return gitOutput(dir, ["config", "user.name"])?.trim() || userInfo().username;
}

/** The folder's git commit (with `+dirty` when it has uncommitted changes), when it is in git. */
export function deployCommit(dir: string): string | undefined {
  const head = gitOutput(dir, ["rev-parse", "HEAD"])?.trim();
  if (!head) return undefined;
  const dirty = gitOutput(dir, ["status", "--porcelain", "--", "."])?.trim();
  return dirty ? `${head}+dirty` : head;
}

const quote = (value: string): string => `'${value.replace(/'/g, "")}'`;

/** Running accounts with a play of `playbook` at `version`, in `stage` when given (`ended` too). */
async function countAccounts(client: Client, playbook: string, version: string, stage?: string): Promise<number> {
  const { Plays, Stages } = SEARCH_ATTRIBUTES;
  const where = [
    `WorkflowType = '${ACCOUNT_WORKFLOW}' AND ExecutionStatus = 'Running'`,
    `${Plays.name} = ${quote(`${playbook}@${version}`)}`,
    ...(stage === undefined ? [] : [`${Stages.name} = ${quote(`${playbook}:${stage}`)}`]),
  ].join(" AND ");
  return (await client.workflow.count(where)).count;
}

/** Accounts with a play of `playbook` at each version, by where the play is, from Temporal visibility. */
async function countPlays(
  client: Client,
  playbook: string,
  versions: readonly string[],
  start: string,
): Promise<VersionCount[]> {
  const counts = await Promise.all(
    versions.map(async (version): Promise<VersionCount> => {
      const [all, detecting, ended] = await Promise.all([
        countAccounts(client, playbook, version),
        countAccounts(client, playbook, version, start),
        countAccounts(client, playbook, version, "ended"),
      ]);
      return { version, detecting, ended, running: Math.max(0, all - detecting - ended) };
    }),
  );
  return counts.filter((c) => c.detecting + c.running + c.ended > 0);
}

/**
 * What a migration at the next stage boundary does to the running plays of older versions: for
 * each stage they are in, how many there are and the stage they enter next, which the new version
 * has (they move) or not (they end).
 */
async function countMigrations(
  client: Client,
  old: readonly CompiledPlan[],
  next: CompiledPlan,
): Promise<MigrationCount[]> {
  const rows: MigrationCount[] = [];
  for (const plan of old)
    for (const path of migrationPaths(plan, next)) {
      const plays = await countAccounts(client, plan.id, plan.version, path.stage);
      if (plays > 0) rows.push({ ...path, version: plan.version, plays });
    }
  return rows;
}

/** Compares the folder with the current deployment and counts the accounts each change touches. */
export async function planDeploy(
  client: Client,
  deployments: DeploymentsClient,
  folder: LoadedPlaybooks,
): Promise<DeployPlan> {
  const view = await deployments.list();
  const current = view.current;
  const deployedVersions = Object.values(current?.set.versions ?? {});
  const bodies =
    deployedVersions.length === 0 ? { plans: [], sources: [] } : await deployments.bodies(deployedVersions);
  const changes = diffPlaybooks(bodies.sources, folder.sources);
  const planOf = new Map<string, CompiledPlan>(bodies.plans.map((p) => [p.id, p]));
  const affected: Record<string, VersionCount[]> = {};
  for (const change of changes.filter((c) => c.kind === "changed" || c.kind === "removed")) {
    // Every version of the playbook the record has shipped: plays may still follow older ones.
    const versions = [...new Set(view.deployments.flatMap((d) => d.set.versions[change.playbook] ?? []))];
    affected[change.playbook] = await countPlays(
      client,
      change.playbook,
      versions,
      planOf.get(change.playbook)?.start ?? "detect",
    );
  }
  const migrations: Record<string, MigrationCount[]> = {};
  for (const change of changes.filter((c) => c.kind === "changed")) {
    const next = folder.plans.find((p) => p.id === change.playbook);
    const running = (affected[change.playbook] ?? []).filter((c) => c.running > 0).map((c) => c.version);
    if (next?.versioning?.running !== "at_stage_boundary" || running.length === 0) continue;
    const old = (await deployments.bodies(running)).plans;
    migrations[change.playbook] = await countMigrations(client, old, next);
  }
  const { routing: deployedRouting, scorecard: deployedScorecard, ...deployedPolicy } = current?.set.policy ?? {};
  const { routing, scorecard, ...policy } = folder.policy;
  const policyChanged = current !== undefined && canonicalJson(deployedPolicy) !== canonicalJson(policy);
  const destinationsChanged = current !== undefined && canonicalJson(deployedRouting) !== canonicalJson(routing);
  const scorecardChanged = current !== undefined && canonicalJson(deployedScorecard) !== canonicalJson(scorecard);
  return {
    ...(current === undefined ? {} : { current }),
    changes,
    affected,
    migrations,
    policyChanged,
    destinationsChanged,
    ...(scorecardChanged ? { scorecardChanged } : {}),
  };
}

/** An earlier deployment's playbooks, as a folder would hold them; undefined when the record lacks it. */
export async function deployedPlaybooks(
  deployments: DeploymentsClient,
  id: string,
): Promise<LoadedPlaybooks | undefined> {
  const target = (await deployments.list()).deployments.find((d) => d.id === id);
  if (target === undefined) return undefined;
  const { plans, sources } = await deployments.bodies(Object.values(target.set.versions));
  return { plans: [...plans], sources: [...sources], policy: target.set.policy };
}
