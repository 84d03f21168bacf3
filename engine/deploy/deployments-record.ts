// The deployments record as plain data, and the pure functions that change it: the deployments
// workflow is a thin shell around these, and the tests drive them directly.
import type { CompiledPlan } from "../compile/plan.js";
import { canonicalJson } from "../compile/canonical-json.js";
import type { PlanSetRef, PlayControl } from "../messages/account-messages.js";
import type {
  ControlRequest,
  DeployOutcome,
  DeployRequest,
  Deployment,
  DeploymentsView,
  PlanBodies,
  PlaybookSource,
  RollbackRequest,
  WorkerReport,
} from "../messages/deployment-messages.js";
import { planSetId } from "./plan-set-id.js";

/** Everything the deployments workflow keeps, carried across continue-as-new. */
export interface DeploymentsState {
  readonly deployments: Deployment[];
  /** Every plan body ever deployed, by version: a rollback needs nothing from outside. */
  readonly plans: Record<string, CompiledPlan>;
  readonly sources: Record<string, PlaybookSource>;
  readonly workers: Record<string, WorkerReport>;
}

/** Why the record refuses a request: it names something the record lacks, or it cannot be done now. */
export type RejectionReason = "unknown" | "conflict";

/** A request the record refuses, with the message the caller sees. */
export class DeploymentRejected extends Error {
  override readonly name = "DeploymentRejected";
  constructor(
    message: string,
    readonly reason: RejectionReason = "conflict",
  ) {
    super(message);
  }
}

/** Plan bodies are kept for the versions of this many latest deployments (what a rollback can restore). */
export const KEEP_BODIES_OF = 30;

/** Workers not heard from for this long leave the view. */
const WORKER_FORGET_MS = 24 * 3_600_000;

export function emptyDeployments(): DeploymentsState {
  return { deployments: [], plans: {}, sources: {}, workers: {} };
}

export function currentDeployment(state: DeploymentsState): Deployment | undefined {
  return state.deployments.at(-1);
}

/** The record without bodies, as the deployments query answers. */
export function deploymentsView(state: DeploymentsState): DeploymentsView {
  const current = currentDeployment(state);
  return {
    deployments: state.deployments,
    ...(current === undefined ? {} : { current }),
    workers: Object.values(state.workers).sort((a, b) => a.identity.localeCompare(b.identity)),
  };
}

/** Bodies and sources of the versions asked for that the record holds. */
export function planBodies(state: DeploymentsState, versions: readonly string[]): PlanBodies {
  return {
    plans: versions.flatMap((v) => state.plans[v] ?? []),
    sources: versions.flatMap((v) => state.sources[v] ?? []),
  };
}

const sameContent = (a: PlanSetRef, versions: Readonly<Record<string, string>>, policy: unknown): boolean =>
  canonicalJson(a.versions) === canonicalJson(versions) && canonicalJson(a.policy) === canonicalJson(policy);

/** Adds a deployment making `set` current, unless it is current already. */
function record(
  state: DeploymentsState,
  now: number,
  entry: Omit<Deployment, "id" | "at" | "set"> & { set: Omit<PlanSetRef, "id" | "loadedAt"> },
): DeployOutcome {
  const current = currentDeployment(state);
  const id = planSetId(entry.set.versions, entry.set.policy, entry.set.controls);
  if (current !== undefined && current.set.id === id) return { deployment: current, changed: false };
  // Strictly after the current one, whatever the clock says: accounts move to later sets only.
  const at = Math.max(now, (current?.at ?? 0) + 1);
  const deployment: Deployment = {
    ...entry,
    id: `d${state.deployments.length + 1}`,
    at,
    set: {
      id,
      loadedAt: at,
      versions: entry.set.versions,
      policy: entry.set.policy,
      ...(entry.set.controls === undefined || Object.keys(entry.set.controls).length === 0
        ? {}
        : { controls: entry.set.controls }),
    },
  };
  state.deployments.push(deployment);
  return { deployment, changed: true };
}

/** A one-line summary of what a deploy changes against the current set. */
function deploySummary(current: PlanSetRef | undefined, versions: Readonly<Record<string, string>>): string {
  const before = current?.versions ?? {};
  const parts = [
    ...Object.keys(versions)
      .filter((id) => before[id] === undefined)
      .map((id) => `${id} added`),
    ...Object.keys(versions)
      .filter((id) => before[id] !== undefined && before[id] !== versions[id])
      .map((id) => `${id} changed`),
    ...Object.keys(before)
      .filter((id) => versions[id] === undefined)
      .map((id) => `${id} removed`),
  ];
  return parts.length === 0 ? "policy changed" : parts.join("; ");
}

/**
 * Records a deploy. A stopped playbook detects again (a deploy ends a stop); a paused one stays
 * paused until it is resumed. `onlyIfNew` skips plans deployed before (a worker's folder at start).
 */
export function applyDeploy(state: DeploymentsState, request: DeployRequest, now: number): DeployOutcome {
  if (request.plans.length === 0) throw new DeploymentRejected("a deploy needs at least one playbook");
  const versions = Object.fromEntries(
    [...request.plans].sort((a, b) => a.id.localeCompare(b.id)).map((plan) => [plan.id, plan.version]),
  );
  if (Object.keys(versions).length !== request.plans.length)
    throw new DeploymentRejected("a deploy holds each playbook once");
  const current = currentDeployment(state);
  if (request.onlyIfNew === true && current !== undefined) {
    const seen = state.deployments.some((d) => sameContent(d.set, versions, request.policy));
    if (seen) return { deployment: current, changed: false };
  }
  for (const plan of request.plans) state.plans[plan.version] = plan;
  for (const source of request.sources) state.sources[source.version] = source;
  const controls = Object.fromEntries(
    Object.entries(current?.set.controls ?? {}).filter(([id, control]) => control === "paused" && id in versions),
  );
  return record(state, now, {
    kind: "deploy",
    actor: request.actor,
    ...(request.commit === undefined ? {} : { commit: request.commit }),
    summary: deploySummary(current?.set, versions),
    set: { versions, policy: request.policy, controls },
  });
}

/** Restores an earlier deployment's plans and policy, as a new deployment. */
export function applyRollback(state: DeploymentsState, request: RollbackRequest, now: number): DeployOutcome {
  const target = state.deployments.find((d) => d.id === request.to);
  if (target === undefined)
    throw new DeploymentRejected(
      `no deployment ${request.to}; the record holds ${state.deployments.map((d) => d.id).join(", ") || "none"}`,
      "unknown",
    );
  const missing = Object.values(target.set.versions).filter((version) => state.plans[version] === undefined);
  if (missing.length > 0)
    throw new DeploymentRejected(
      `${target.id} is too old to restore: the record keeps the plans of the last ${KEEP_BODIES_OF} deployments`,
    );
  const current = currentDeployment(state);
  const controls = Object.fromEntries(
    Object.entries(current?.set.controls ?? {}).filter(
      ([id, control]) => control === "paused" && id in target.set.versions,
    ),
  );
  return record(state, now, {
    kind: "rollback",
    actor: request.actor,
    ...(target.commit === undefined ? {} : { commit: target.commit }),
    summary: `rolled back to ${target.id} (${deploySummary(current?.set, target.set.versions)})`,
    restores: target.id,
    set: { versions: target.set.versions, policy: target.set.policy, controls },
  });
}

const CONTROL_AFTER: Record<ControlRequest["action"], PlayControl | undefined> = {
  pause: "paused",
  resume: undefined,
  stop: "stopped",
};

/** Pauses, resumes or stops one deployed playbook. */
export function applyControl(state: DeploymentsState, request: ControlRequest, now: number): DeployOutcome {
  const current = currentDeployment(state);
  if (current === undefined) throw new DeploymentRejected("nothing is deployed yet: run `playloop deploy` first");
  if (current.set.versions[request.playbook] === undefined)
    throw new DeploymentRejected(
      `playbook "${request.playbook}" is not deployed; deployed: ${Object.keys(current.set.versions).join(", ")}`,
      "unknown",
    );
  const controls: Record<string, PlayControl> = { ...current.set.controls };
  const after = CONTROL_AFTER[request.action];
  if (after === undefined) delete controls[request.playbook];
  else controls[request.playbook] = after;
  const verb = { pause: "paused", resume: "resumed", stop: "stopped" }[request.action];
  return record(state, now, {
    kind: request.action,
    actor: request.actor,
    summary: `${verb} ${request.playbook}`,
    set: { versions: current.set.versions, policy: current.set.policy, controls },
  });
}

/** Notes the set a worker serves; forgets workers silent for a day. */
export function applyWorkerReport(state: DeploymentsState, report: WorkerReport): void {
  state.workers[report.identity] = report;
  for (const [identity, seen] of Object.entries(state.workers))
    if (report.at - seen.at > WORKER_FORGET_MS) delete state.workers[identity];
}

/** Drops plan bodies and sources no deployment among the latest KEEP_BODIES_OF uses. */
export function pruneBodies(state: DeploymentsState): void {
  const used = new Set(state.deployments.slice(-KEEP_BODIES_OF).flatMap((d) => Object.values(d.set.versions)));
  for (const version of Object.keys(state.plans)) if (!used.has(version)) delete state.plans[version];
  for (const version of Object.keys(state.sources)) if (!used.has(version)) delete state.sources[version];
}
