import { Worker, type NativeConnection, type WorkflowBundleOption } from "@temporalio/worker";
import { createActivities } from "./activities.js";
import type { ActionSink } from "./action-sinks.js";
import type { PlanRegistry } from "./plan-registry.js";
import { bundleJourneyWorkflows } from "./workflow-bundle.js";

/** The task queue playloop's workers poll. */
export const TASK_QUEUE = "playloop";

export interface JourneyWorkerOptions {
  readonly connection: NativeConnection;
  readonly namespace?: string;
  readonly taskQueue?: string;
  readonly sinks: readonly ActionSink[];
  /** The plans this worker serves to account workflows. */
  readonly plans: PlanRegistry;
  /** A bundle made once by `bundleJourneyWorkflows`; bundled here when absent. */
  readonly workflowBundle?: WorkflowBundleOption;
  /** Workflows kept in memory between tasks (the worker's sticky cache); the SDK's default when absent. */
  readonly maxCachedWorkflows?: number;
}

/** Creates a worker that runs account workflows and delivers their actions to the sinks. */
export async function createJourneyWorker(options: JourneyWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace ?? "default",
    taskQueue: options.taskQueue ?? TASK_QUEUE,
    workflowBundle: options.workflowBundle ?? (await bundleJourneyWorkflows()),
    activities: createActivities(options.sinks, options.plans),
    ...(options.maxCachedWorkflows === undefined ? {} : { maxCachedWorkflows: options.maxCachedWorkflows }),
  });
}
