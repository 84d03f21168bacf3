// Sends the minimal entity its updates the way AccountClient sends an account's: update-with-start
// for a snapshot, an update for an event, each sent again with the same update id on a timeout.
import { WithStartWorkflowOperation, type Client } from "@temporalio/client";
import { withUpdateRetry } from "../../engine/runtime/update-retry.js";
import {
  MINIMAL_WORKFLOW,
  eventUpdate,
  minimalWorkflowId,
  upsertUpdate,
  type MinimalEvent,
  type entity,
} from "./workflows.js";

export class MinimalClient {
  constructor(
    private readonly client: Client,
    private readonly taskQueue: string,
  ) {}

  /** Sets the entity's snapshot, starting its workflow if needed. */
  async upsert(id: string, snapshot: unknown): Promise<{ changed: boolean }> {
    return withUpdateRetry((updateId) =>
      this.client.workflow.executeUpdateWithStart(upsertUpdate, {
        args: [snapshot],
        updateId,
        startWorkflowOperation: new WithStartWorkflowOperation<typeof entity>(MINIMAL_WORKFLOW, {
          workflowId: minimalWorkflowId(id),
          taskQueue: this.taskQueue,
          args: [id],
          workflowIdConflictPolicy: "USE_EXISTING",
        }),
      }),
    );
  }

  /** Queues an event on the entity; its workflow runs one activity for it. */
  async sendEvent(id: string, event: MinimalEvent): Promise<{ queued: boolean }> {
    const handle = this.client.workflow.getHandle<typeof entity>(minimalWorkflowId(id));
    return withUpdateRetry((updateId) => handle.executeUpdate(eventUpdate, { args: [event], updateId }));
  }
}
