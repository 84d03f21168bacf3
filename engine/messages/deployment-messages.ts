// The deployments workflow's messages, defined once. One workflow per task queue
// (`playloop/deployments/<queue>`) is the durable record of what ran when: every deploy, rollback,
// pause, resume and stop, with the plan bodies and playbook sources they shipped.
import { defineQuery, defineSignal, defineUpdate } from "@temporalio/workflow";
import type { CompiledPlan } from "../compile/plan.js";
import type { AccountPolicy } from "../validate/validate-policy.js";
import type { DeploymentsState } from "../deploy/deployments-record.js";
import type { PlanSetRef, PlayControl } from "./account-messages.js";

/** The workflow type that records deployments. */
export const DEPLOYMENTS_WORKFLOW = "deployments";

const RECORD_ID_PREFIX = "playloop/deployments/";

/** The deployments workflow of a task queue: every worker polling it follows that record. */
export function deploymentsWorkflowId(taskQueue: string): string {
  return `${RECORD_ID_PREFIX}${taskQueue}`;
}

/**
 * The task queue the record of `taskQueue` runs on: its own, so its updates (a pause), queries
 * (plan bodies) and announcements never wait behind the accounts' workflow tasks. A worker whose
 * slots are all held by account tasks waiting for a new set could otherwise not answer the query
 * that brings it that set.
 */
export function deploymentsTaskQueue(taskQueue: string): string {
  return `${taskQueue}-deployments`;
}

/** The record's own task queue, from its workflow id. */
export function recordTaskQueueOf(workflowId: string): string {
  return deploymentsTaskQueue(workflowId.slice(RECORD_ID_PREFIX.length));
}

/** A playbook's YAML as it was deployed: what `deploy` diffs the next folder against. */
export interface PlaybookSource {
  readonly id: string;
  readonly version: string;
  /** The file's path relative to the deployed folder. */
  readonly file: string;
  readonly text: string;
}

/** What changed the deployed set. */
export type DeploymentKind = "deploy" | "rollback" | "pause" | "resume" | "stop";

/** One entry of the record: the set that became current, when, by whom and why. */
export interface Deployment {
  /** `d1`, `d2`, ... in the order they were made. */
  readonly id: string;
  readonly kind: DeploymentKind;
  /** The set that became current; its `loadedAt` is `at`, so accounts only move forward. */
  readonly set: PlanSetRef;
  readonly at: number;
  /** `PLAYLOOP_ACTOR`, else the git author, else the user name. */
  readonly actor: string;
  /** The git commit of the deployed folder, when it is in git. */
  readonly commit?: string;
  /** One line a person reads: "seat-upsell changed; renewal-bundle added", "paused seat-upsell". */
  readonly summary: string;
  /** A rollback: the deployment whose plans it restored. */
  readonly restores?: string;
}

/** Ships a compiled folder. */
export interface DeployRequest {
  readonly plans: readonly CompiledPlan[];
  readonly sources: readonly PlaybookSource[];
  readonly policy: AccountPolicy;
  readonly actor: string;
  readonly commit?: string;
  /**
   * A worker deploying its folder at start: only when these plans were never deployed, so that a
   * worker restarted from an old folder cannot roll the fleet back (`deploy --to` can).
   */
  readonly onlyIfNew?: boolean;
}

/** Restores the plans and policy of an earlier deployment. */
export interface RollbackRequest {
  readonly to: string;
  readonly actor: string;
}

/** Pauses, resumes or stops one playbook. */
export interface ControlRequest {
  readonly playbook: string;
  readonly action: "pause" | "resume" | "stop";
  readonly actor: string;
}

/** What a request did: the deployment it made, or the current one when nothing changed. */
export interface DeployOutcome {
  readonly deployment: Deployment;
  readonly changed: boolean;
}

/** A worker's report: the set it serves now. */
export interface WorkerReport {
  readonly identity: string;
  readonly setId: string;
  readonly at: number;
}

/** The record without bodies: every deployment, the current one, and what each worker serves. */
export interface DeploymentsView {
  readonly deployments: readonly Deployment[];
  readonly current?: Deployment;
  readonly workers: readonly WorkerReport[];
}

/** Plan bodies and sources by version, for a worker or `deploy` that lacks them. */
export interface PlanBodies {
  readonly plans: readonly CompiledPlan[];
  readonly sources: readonly PlaybookSource[];
}

/** How the deployments workflow starts: empty, or with the record a previous run carried. */
export interface DeploymentsInput {
  readonly carried?: DeploymentsState;
  /** Continue as new once the history is longer than this (default 1,000 events). */
  readonly maxHistoryEvents?: number;
}

/** The memo key holding the current Deployment (read with a describe, no worker needed). */
export const CURRENT_DEPLOYMENT_MEMO = "currentDeployment";

export const deployUpdate = defineUpdate<DeployOutcome, [DeployRequest]>("deploy");
export const rollbackUpdate = defineUpdate<DeployOutcome, [RollbackRequest]>("rollback");
export const controlUpdate = defineUpdate<DeployOutcome, [ControlRequest]>("control");
export const workerReportSignal = defineSignal<[WorkerReport]>("workerReport");
export const deploymentsQuery = defineQuery<DeploymentsView>("deployments");
export const planBodiesQuery = defineQuery<PlanBodies, [readonly string[]]>("planBodies");

export type { PlayControl };
