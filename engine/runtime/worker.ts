import { Worker, type NativeConnection, type WorkflowBundleOption } from "@temporalio/worker";
import { createActivities, type FactSink } from "./activities.js";
import type { ActionSink } from "./action-sinks.js";
import type { Destination } from "../journey/route-action.js";
import type { PlanHint, PlanSetRef } from "../messages/account-messages.js";
import { deploymentsTaskQueue } from "../messages/deployment-messages.js";
import type { PlanRegistry } from "./plan-registry.js";
import { bundleJourneyWorkflows } from "./workflow-bundle.js";

/** The task queue playloop's workers poll. */
export const TASK_QUEUE = "playloop";

export interface JourneyWorkerOptions {
  readonly connection: NativeConnection;
  readonly namespace?: string;
  readonly taskQueue?: string;
  /** How the worker names itself to Temporal (the SDK's `pid@host` when absent). */
  readonly identity?: string;
  readonly sinks: readonly ActionSink[];
  /** The sink of each destination destinations.yaml declares (see destinationSinks). */
  readonly destinationSink?: (destination: Destination) => ActionSink;
  /** The plans this worker serves to account workflows. */
  readonly plans: PlanRegistry;
  /** A bundle made once by `bundleJourneyWorkflows`; bundled here when absent. */
  readonly workflowBundle?: WorkflowBundleOption;
  /** Announces a deployed set to the accounts (a batch operation); see announcePlanSet. */
  readonly announce?: (set: PlanSetRef) => Promise<string>;
  /** Brings `plans` to a newer deployment when a workflow asks for one (a DeploymentFollower). */
  readonly catchUp?: (hint: PlanHint | undefined) => Promise<void>;
  /** Workflows kept in memory between tasks (the worker's sticky cache); the SDK's default when absent. */
  readonly maxCachedWorkflows?: number;
  /** Where the accounts' facts are stored (the analytics database); dropped when absent. */
  readonly facts?: FactSink;
}

/** Creates a worker that runs account workflows and delivers their actions to the sinks. */
export async function createJourneyWorker(options: JourneyWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace ?? "default",
    taskQueue: options.taskQueue ?? TASK_QUEUE,
    workflowBundle: options.workflowBundle ?? (await bundleJourneyWorkflows()),
    activities: createActivities(options),
    ...(options.identity === undefined ? {} : { identity: options.identity }),
    ...(options.maxCachedWorkflows === undefined ? {} : { maxCachedWorkflows: options.maxCachedWorkflows }),
  });
}

/**
 * Creates the worker of the deployments record, on the record's own task queue (see
 * deploymentsTaskQueue): one workflow and its announcements, so a few slots and a small cache.
 */
export async function createRecordWorker(
  options: Omit<JourneyWorkerOptions, "sinks" | "destinationSink" | "catchUp" | "maxCachedWorkflows">,
): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace ?? "default",
    taskQueue: deploymentsTaskQueue(options.taskQueue ?? TASK_QUEUE),
    workflowBundle: options.workflowBundle ?? (await bundleJourneyWorkflows()),
    activities: createActivities({ ...options, sinks: [] }),
    ...(options.identity === undefined ? {} : { identity: options.identity }),
    maxCachedWorkflows: 4,
    maxConcurrentWorkflowTaskExecutions: 4,
    maxConcurrentActivityTaskExecutions: 4,
    maxConcurrentLocalActivityExecutions: 4,
  });
}
