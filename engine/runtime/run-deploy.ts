// `playloop deploy`, `deployments`, `deploy --to`: the folder compiled and compared with what runs,
// the deploy recorded in the deployments workflow, and the wait until every worker serves it.
import { execFileSync } from "node:child_process";
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
import type { LoadedPlaybooks } from "./load-plans.js";

/** Who deploys: PLAYLOOP_ACTOR, else the git author of the folder, else the user. */
export function deployActor(dir: string, env: NodeJS.ProcessEnv = process.env): string {
  if (env.PLAYLOOP_ACTOR) return env.PLAYLOOP_ACTOR;
  const git = gitOutput(dir, ["config", "user.name"]);
  return git ?? userInfo().username;
}

/** The folder's git commit (with `+dirty` when it has uncommitted changes), when it is in git. */
export function deployCommit(dir: string): string | undefined {
  const head = gitOutput(dir, ["rev-parse", "HEAD"]);
  if (head === undefined) return undefined;
  const dirty = gitOutput(dir, ["status", "--porcelain", "--", "."]);
  return dirty ? `${head}+dirty` : head;
}

function gitOutput(dir: string, args: readonly string[]): string | undefined {
  try {
    const out = execFileSync("git", ["-C", dir, ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
    return out.trim() || undefined;
  } catch {
    return undefined;
  }
}

const quote = (value: string): string => `'${value.replace(/'/g, "")}'`;

/** Accounts with a play of `playbook` at each version, by stage, from Temporal visibility. */
async function countPlays(
  client: Client,
  playbook: string,
  versions: readonly string[],
  start: string,
): Promise<VersionCount[]> {
  const { Plays, Stages } = SEARCH_ATTRIBUTES;
  const base = `WorkflowType = '${ACCOUNT_WORKFLOW}' AND ExecutionStatus = 'Running'`;
  const count = async (where: string): Promise<number> => (await client.workflow.count(`${base} AND ${where}`)).count;
  const counts = await Promise.all(
    versions.map(async (version): Promise<VersionCount> => {
      const on = `${Plays.name} = ${quote(`${playbook}@${version}`)}`;
      const [all, detecting, ended] = await Promise.all([
        count(on),
        count(`${on} AND ${Stages.name} = ${quote(`${playbook}:${start}`)}`),
        count(`${on} AND ${Stages.name} = ${quote(`${playbook}:ended`)}`),
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
  const { Plays, Stages } = SEARCH_ATTRIBUTES;
  const rows: MigrationCount[] = [];
  for (const plan of old)
    for (const path of migrationPaths(plan, next)) {
      const where = `WorkflowType = '${ACCOUNT_WORKFLOW}' AND ExecutionStatus = 'Running' AND ${Plays.name} = ${quote(`${plan.id}@${plan.version}`)} AND ${Stages.name} = ${quote(`${plan.id}:${path.stage}`)}`;
      const { count } = await client.workflow.count(where);
      if (count > 0) rows.push({ ...path, version: plan.version, plays: count });
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
  const policyChanged = current !== undefined && canonicalJson(current.set.policy) !== canonicalJson(folder.policy);
  return { ...(current === undefined ? {} : { current }), changes, affected, migrations, policyChanged };
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
