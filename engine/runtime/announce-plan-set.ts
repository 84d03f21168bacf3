import { randomUUID } from "node:crypto";
import type { Client } from "@temporalio/client";
import { defaultPayloadConverter } from "@temporalio/common";
import { ACCOUNT_WORKFLOW, deploySignal, type PlanSetRef } from "../messages/account-messages.js";
import { SEARCH_ATTRIBUTES } from "../messages/search-attributes.js";

/** The visibility query for the running accounts of `taskQueue` that do not follow `set` yet. */
export function accountsNotOn(set: PlanSetRef, taskQueue: string): string {
  return `WorkflowType = '${ACCOUNT_WORKFLOW}' AND TaskQueue = '${taskQueue.replace(/'/g, "''")}' AND ExecutionStatus = 'Running' AND ${SEARCH_ATTRIBUTES.PlanSet.name} != '${set.id}'`;
}

/**
 * Tells every running account of `taskQueue` (whose record deployed `set`; another queue in the
 * namespace has its own record) not on `set` that it is deployed, with one Temporal batch
 * operation (the server signals them; no loop of ours): each account loads the set on its next
 * workflow task. Returns the batch job's id.
 */
export async function announcePlanSet(
  client: Client,
  namespace: string,
  taskQueue: string,
  set: PlanSetRef,
): Promise<string> {
  const jobId = `playloop-deploy-${set.id.replace(/^set:/, "")}-${randomUUID().slice(0, 8)}`;
  await client.workflowService.startBatchOperation({
    namespace,
    jobId,
    reason: `playloop: plan set ${set.id} deployed (${Object.keys(set.versions).join(", ")})`,
    visibilityQuery: accountsNotOn(set, taskQueue),
    signalOperation: {
      signal: deploySignal.name,
      input: { payloads: [defaultPayloadConverter.toPayload(set)] },
      identity: "playloop-worker",
    },
  });
  return jobId;
}
