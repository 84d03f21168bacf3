import { WithStartWorkflowOperation, WorkflowNotFoundError, type Client } from "@temporalio/client";
import type { AccountView } from "../journey/account-view.js";
import type { AccountSnapshot, JourneyEvent } from "../journey/journey-types.js";
import {
  ACCOUNT_WORKFLOW,
  accountWorkflowId,
  eventUpdate,
  stateQuery,
  upsertUpdate,
  type AccountWorkflowInput,
  type PlanHint,
  type PlanSetRef,
} from "../messages/account-messages.js";
import { SEARCH_ATTRIBUTES } from "../messages/search-attributes.js";
import { withUpdateRetry } from "./update-retry.js";

/** Thrown when an event names an account nobody PUT; the API answers 404. */
export class UnknownAccountError extends Error {
  override readonly name = "UnknownAccountError";
  constructor(readonly accountId: string) {
    super(`unknown account "${accountId}": PUT /v1/accounts/${accountId} first`);
  }
}

type AccountWorkflow = (input: AccountWorkflowInput) => Promise<void>;

/** Talks to account workflows: one entity workflow per account runs every play of it. */
export class AccountClient {
  /**
   * `planSet` gives the plan set this process knows (the API's copy of the playbooks folder):
   * sent with every update, it makes an account on an older set load the worker's set first.
   */
  constructor(
    private readonly client: Client,
    private readonly taskQueue: string,
    private readonly planSet?: () => PlanSetRef | undefined,
  ) {}

  private hint(): [] | [PlanHint] {
    const set = this.planSet?.();
    return set === undefined ? [] : [{ id: set.id, loadedAt: set.loadedAt }];
  }

  private startOperation(account: AccountSnapshot): WithStartWorkflowOperation<AccountWorkflow> {
    const name = typeof account.name === "string" ? account.name : account.id;
    return new WithStartWorkflowOperation<AccountWorkflow>(ACCOUNT_WORKFLOW, {
      workflowId: accountWorkflowId(account.id),
      taskQueue: this.taskQueue,
      args: [{ accountId: account.id }],
      workflowIdConflictPolicy: "USE_EXISTING",
      typedSearchAttributes: [{ key: SEARCH_ATTRIBUTES.AccountId, value: account.id }],
      staticSummary: `Account ${name}: every play of ${account.id}`,
    });
  }

  /** Upserts the snapshot (starting the account's workflow if needed); says whether it changed. */
  async upsertAccount(account: AccountSnapshot): Promise<{ changed: boolean }> {
    // A start operation is used once, so each attempt makes its own.
    return withUpdateRetry((updateId) =>
      this.client.workflow.executeUpdateWithStart(upsertUpdate, {
        args: [account, ...this.hint()],
        updateId,
        startWorkflowOperation: this.startOperation(account),
      }),
    );
  }

  /** Applies an event to a known account; says whether it was a repeat. */
  async sendEvent(accountId: string, event: JourneyEvent): Promise<{ duplicate: boolean }> {
    try {
      const handle = this.client.workflow.getHandle<AccountWorkflow>(accountWorkflowId(accountId));
      return await withUpdateRetry((updateId) =>
        handle.executeUpdate(eventUpdate, { args: [event, ...this.hint()], updateId }),
      );
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) throw new UnknownAccountError(accountId);
      throw error;
    }
  }

  /** Every play of the account: status, stage, waits, offers, decisions, plan version. */
  async status(accountId: string): Promise<AccountView> {
    try {
      return await this.client.workflow.getHandle<AccountWorkflow>(accountWorkflowId(accountId)).query(stateQuery);
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) throw new UnknownAccountError(accountId);
      throw error;
    }
  }
}
