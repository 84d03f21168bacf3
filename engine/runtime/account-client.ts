import { WithStartWorkflowOperation, WorkflowNotFoundError, type Client } from "@temporalio/client";
import type { CompiledPlan } from "../compile/plan.js";
import { accountWorkflowId, type AccountInput, type AccountState } from "../journey/account-types.js";
import {
  journeyWorkflowId,
  type AccountSnapshot,
  type JourneyEvent,
  type JourneyState,
} from "../journey/journey-types.js";
import { SEARCH_ATTRIBUTES } from "../journey/search-attributes.js";
import type { AccountPolicy } from "../validate/validate-policy.js";
import { withUpdateRetry } from "./update-retry.js";

/** One account across playbooks, as `GET /v1/accounts/{id}` returns it. */
export interface AccountStatus {
  readonly id: string;
  readonly account: AccountState;
  readonly journeys: readonly JourneyState[];
}

/** Thrown when an event names an account nobody PUT; the API answers 404. */
export class UnknownAccountError extends Error {
  override readonly name = "UnknownAccountError";
  constructor(readonly accountId: string) {
    super(`unknown account "${accountId}": PUT /v1/accounts/${accountId} first`);
  }
}

/** Talks to account coordinators: one entity workflow per account, which runs its journeys. */
export class AccountClient {
  constructor(
    private readonly client: Client,
    private readonly plans: readonly CompiledPlan[],
    private readonly policy: AccountPolicy,
    private readonly taskQueue: string,
  ) {}

  private startOperation(account: AccountSnapshot): WithStartWorkflowOperation<(input: AccountInput) => Promise<void>> {
    return new WithStartWorkflowOperation<(input: AccountInput) => Promise<void>>("account", {
      workflowId: accountWorkflowId(account.id),
      taskQueue: this.taskQueue,
      args: [{ account, plans: this.plans, policy: this.policy }],
      workflowIdConflictPolicy: "USE_EXISTING",
      typedSearchAttributes: [{ key: SEARCH_ATTRIBUTES.AccountId, value: account.id }],
      staticSummary: `Account ${typeof account.name === "string" ? account.name : account.id}: coordinates ${this.plans.length} playbooks`,
    });
  }

  /** Upserts the snapshot (starting the account's coordinator if needed); says whether it changed. */
  async upsertAccount(account: AccountSnapshot): Promise<{ changed: boolean }> {
    // A start operation is used once, so each attempt makes its own.
    return withUpdateRetry((updateId) =>
      this.client.workflow.executeUpdateWithStart<
        (input: AccountInput) => Promise<void>,
        { changed: boolean },
        [AccountSnapshot]
      >("upsert", { args: [account], updateId, startWorkflowOperation: this.startOperation(account) }),
    );
  }

  /** Applies an event to a known account; says whether it was a duplicate. */
  async sendEvent(accountId: string, event: JourneyEvent): Promise<{ duplicate: boolean }> {
    try {
      const handle = this.client.workflow.getHandle(accountWorkflowId(accountId));
      return await withUpdateRetry((updateId) =>
        handle.executeUpdate<{ duplicate: boolean }, [JourneyEvent]>("ingestEvent", { args: [event], updateId }),
      );
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) throw new UnknownAccountError(accountId);
      throw error;
    }
  }

  /** The account's coordinator state and every journey's state. */
  async status(accountId: string): Promise<AccountStatus> {
    let account: AccountState;
    try {
      account = await this.client.workflow.getHandle(accountWorkflowId(accountId)).query<AccountState>("state");
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) throw new UnknownAccountError(accountId);
      throw error;
    }
    const states = await Promise.all(
      this.plans.map(async (plan) => {
        try {
          return await this.client.workflow
            .getHandle(journeyWorkflowId(plan.id, accountId))
            .query<JourneyState>("state");
        } catch (error) {
          if (error instanceof WorkflowNotFoundError) return undefined;
          throw error;
        }
      }),
    );
    return { id: accountId, account, journeys: states.filter((s): s is JourneyState => s !== undefined) };
  }
}
