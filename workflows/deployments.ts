// The deployments record of one task queue: every deploy, rollback, pause, resume and stop, with
// the plans they shipped. Updates change it (engine/deploy/deployments-record.ts holds the logic);
// a changed set is announced to the accounts not on it with one batch operation (an activity).
import * as wf from "@temporalio/workflow";
import {
  applyControl,
  applyDeploy,
  applyRollback,
  applyWorkerReport,
  currentDeployment,
  DeploymentRejected,
  deploymentsView,
  emptyDeployments,
  planBodies,
  pruneBodies,
  type DeploymentsState,
} from "../engine/deploy/deployments-record.js";
import type { PlanSetRef } from "../engine/messages/account-messages.js";
import {
  controlUpdate,
  CURRENT_DEPLOYMENT_MEMO,
  deploymentsQuery,
  deployUpdate,
  planBodiesQuery,
  recordTaskQueueOf,
  rollbackUpdate,
  workerReportSignal,
  type DeployOutcome,
  type DeploymentsInput,
} from "../engine/messages/deployment-messages.js";
import type { Activities } from "../engine/runtime/activities.js";

const { announcePlanSet } = wf.proxyActivities<Activities>({
  startToCloseTimeout: "1 minute",
  retry: { initialInterval: "2 seconds", maximumInterval: "1 minute", maximumAttempts: 10 },
});

/** A record started on the accounts' task queue (before it had its own) moves to its own. */
const OWN_QUEUE_PATCH = "deployments-record-on-its-own-task-queue";

/** Records deployments and announces each new set to the accounts. */
export async function deployments(input: DeploymentsInput = {}): Promise<void> {
  const state = input.carried ?? emptyDeployments();
  let announce: PlanSetRef | undefined;
  // A continued run starts without the memo: put the current deployment back for the workers.
  const current = currentDeployment(state);
  if (current !== undefined) wf.upsertMemo({ [CURRENT_DEPLOYMENT_MEMO]: current });

  /** Runs a change on the record; a refusal fails the update with its reason, not the workflow. */
  const change =
    <R>(apply: (state: DeploymentsState, request: R, now: number) => DeployOutcome) =>
    (request: R): DeployOutcome => {
      try {
        const outcome = apply(state, request, Date.now());
        if (outcome.changed) {
          announce = outcome.deployment.set;
          // The current deployment in the memo: workers read it with a describe, which needs no worker.
          wf.upsertMemo({ [CURRENT_DEPLOYMENT_MEMO]: outcome.deployment });
        }
        return outcome;
      } catch (error) {
        if (error instanceof DeploymentRejected)
          throw wf.ApplicationFailure.nonRetryable(error.message, error.name, error.reason);
        throw error;
      }
    };
  wf.setHandler(deployUpdate, change(applyDeploy));
  wf.setHandler(rollbackUpdate, change(applyRollback));
  wf.setHandler(controlUpdate, change(applyControl));
  wf.setHandler(workerReportSignal, (report) => applyWorkerReport(state, report));
  wf.setHandler(deploymentsQuery, () => deploymentsView(state));
  wf.setHandler(planBodiesQuery, (versions) => planBodies(state, versions));

  const ownQueue = recordTaskQueueOf(wf.workflowInfo().workflowId);
  const continueOnOwnQueue = wf.makeContinueAsNewFunc<typeof deployments>({ taskQueue: ownQueue });
  const tooLong = (): boolean =>
    wf.workflowInfo().continueAsNewSuggested || wf.workflowInfo().historyLength > (input.maxHistoryEvents ?? 1000);
  for (;;) {
    const moves = wf.workflowInfo().taskQueue !== ownQueue && wf.patched(OWN_QUEUE_PATCH);
    if (!moves) await wf.condition(() => announce !== undefined || tooLong());
    if (announce !== undefined) {
      const set = announce;
      announce = undefined;
      try {
        await announcePlanSet.executeWithOptions({ summary: `Announce ${set.id} to the accounts not on it` }, [set]);
      } catch (error) {
        // The server runs one batch operation per namespace at a time by default: a deploy right
        // after another waits for it. Announce again (the newest set, if one came meanwhile).
        wf.log.warn(`could not announce ${set.id} yet; trying again in 30 s`, { error });
        announce ??= set;
        await wf.sleep("30 seconds");
      }
      continue;
    }
    await wf.condition(wf.allHandlersFinished);
    if (announce !== undefined) continue;
    pruneBodies(state);
    return continueOnOwnQueue({ ...input, carried: state });
  }
}
