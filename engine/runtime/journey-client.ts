import { WorkflowNotFoundError, type Client } from "@temporalio/client";
import type { CompiledPlan } from "../compile/plan.js";
import { isHeldOut } from "../journey/holdout.js";
import {
  journeyWorkflowId,
  type AccountSnapshot,
  type JourneyEvent,
  type JourneyState,
} from "../journey/journey-types.js";
import { SEARCH_ATTRIBUTES } from "../journey/search-attributes.js";
import { TASK_QUEUE } from "./worker.js";

/** One account's view across playbooks, as `GET /v1/accounts/{id}` returns it. */
export interface AccountStatus {
  readonly id: string;
  readonly journeys: readonly JourneyState[];
}

/** Thrown when an event names an account no journey knows; the API answers 404. */
export class UnknownAccountError extends Error {
  override readonly name = "UnknownAccountError";
  constructor(readonly accountId: string) {
    super(`unknown account "${accountId}": PUT /v1/accounts/${accountId} first`);
  }
}

/** Starts and signals journeys: one workflow per account and playbook. */
export class JourneyClient {
  constructor(
    private readonly client: Client,
    private readonly plans: readonly CompiledPlan[],
    private readonly taskQueue = TASK_QUEUE,
  ) {}

  /** Upserts an account snapshot into every playbook's journey, starting those not running yet. */
  async upsertAccount(account: AccountSnapshot): Promise<void> {
    await Promise.all(
      this.plans.map((plan) => {
        const holdout = isHeldOut(plan.id, account.id, plan.holdout);
        return this.client.workflow.signalWithStart("journey", {
          workflowId: journeyWorkflowId(plan.id, account.id),
          taskQueue: this.taskQueue,
          args: [{ plan, account, holdout }],
          signal: "snapshot",
          signalArgs: [account],
          typedSearchAttributes: [
            { key: SEARCH_ATTRIBUTES.PlaybookId, value: plan.id },
            { key: SEARCH_ATTRIBUTES.AccountId, value: account.id },
            { key: SEARCH_ATTRIBUTES.Motion, value: plan.motion },
            { key: SEARCH_ATTRIBUTES.Stage, value: plan.start },
            { key: SEARCH_ATTRIBUTES.Holdout, value: holdout },
          ],
          staticSummary: `${plan.name} (${plan.motion}) for ${typeof account.name === "string" ? account.name : account.id}`,
          staticDetails: `Playbook **${plan.id}** version \`${plan.version}\`, priority ${plan.priority}${holdout ? ", **holdout** (no actions delivered)" : ""}. Account \`${account.id}\`.`,
        });
      }),
    );
  }

  /** Sends an event to the account's journeys; throws UnknownAccountError when none exists. */
  async sendEvent(accountId: string, event: JourneyEvent): Promise<number> {
    const results = await Promise.all(
      this.plans.map(async (plan) => {
        try {
          await this.client.workflow.getHandle(journeyWorkflowId(plan.id, accountId)).signal("event", event);
          return 1;
        } catch (error) {
          if (error instanceof WorkflowNotFoundError) return 0;
          throw error;
        }
      }),
    );
    const delivered = results.reduce<number>((a, b) => a + b, 0);
    if (delivered === 0) throw new UnknownAccountError(accountId);
    return delivered;
  }

  /** Every journey's state for the account; empty when the account is unknown. */
  async status(accountId: string): Promise<AccountStatus> {
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
    return { id: accountId, journeys: states.filter((s): s is JourneyState => s !== undefined) };
  }
}
