import {
  WithStartWorkflowOperation,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type Client,
} from "@temporalio/client";
import { ApplicationFailure } from "@temporalio/common";
import {
  controlUpdate,
  CURRENT_DEPLOYMENT_MEMO,
  DEPLOYMENTS_WORKFLOW,
  deploymentsQuery,
  deploymentsTaskQueue,
  deploymentsWorkflowId,
  deployUpdate,
  planBodiesQuery,
  rollbackUpdate,
  workerReportSignal,
  type ControlRequest,
  type DeployOutcome,
  type DeployRequest,
  type Deployment,
  type DeploymentsInput,
  type DeploymentsView,
  type PlanBodies,
  type RollbackRequest,
  type WorkerReport,
} from "../messages/deployment-messages.js";
import { taskQueuePollers } from "./task-queue-ready.js";
import { withUpdateRetry } from "./update-retry.js";
import type { RejectionReason } from "../deploy/deployments-record.js";

/** How a rollout ended: every worker serves the deployment, or these do not (yet). */
export interface Rollout {
  readonly seconds: number;
  readonly workers: readonly string[];
  readonly lagging: readonly string[];
}

/** A deploy, rollback or control the record refused; the message says why. */
export class DeploymentRefused extends Error {
  override readonly name = "DeploymentRefused";
  constructor(
    message: string,
    /** `unknown`: it names a deployment or playbook the record lacks; `conflict`: it cannot be done now. */
    readonly reason: RejectionReason,
  ) {
    super(message);
  }
}

type DeploymentsWorkflow = (input?: DeploymentsInput) => Promise<void>;

/** Talks to the deployments workflow of one task queue. */
export class DeploymentsClient {
  constructor(
    private readonly client: Client,
    private readonly taskQueue: string,
  ) {}

  private get workflowId(): string {
    return deploymentsWorkflowId(this.taskQueue);
  }

  private handle() {
    return this.client.workflow.getHandle<DeploymentsWorkflow>(this.workflowId);
  }

  /** Runs an update, starting the record when it does not exist yet; a refusal becomes DeploymentRefused. */
  private async change<A>(
    update: typeof deployUpdate | typeof rollbackUpdate | typeof controlUpdate,
    request: A,
  ): Promise<DeployOutcome> {
    try {
      return await withUpdateRetry((updateId) =>
        this.client.workflow.executeUpdateWithStart(update as unknown as typeof deployUpdate, {
          args: [request as unknown as DeployRequest],
          updateId,
          startWorkflowOperation: new WithStartWorkflowOperation<DeploymentsWorkflow>(DEPLOYMENTS_WORKFLOW, {
            workflowId: this.workflowId,
            taskQueue: deploymentsTaskQueue(this.taskQueue),
            args: [{}],
            workflowIdConflictPolicy: "USE_EXISTING",
            staticSummary: `Deployments of task queue ${this.taskQueue}: every deploy, rollback, pause and stop`,
          }),
        }),
      );
    } catch (error) {
      if (error instanceof WorkflowUpdateFailedError && error.cause instanceof ApplicationFailure)
        throw new DeploymentRefused(
          error.cause.message,
          error.cause.details?.[0] === "unknown" ? "unknown" : "conflict",
        );
      throw error;
    }
  }

  deploy(request: DeployRequest): Promise<DeployOutcome> {
    return this.change(deployUpdate, request);
  }

  rollback(request: RollbackRequest): Promise<DeployOutcome> {
    return this.change(rollbackUpdate, request);
  }

  control(request: ControlRequest): Promise<DeployOutcome> {
    return this.change(controlUpdate, request);
  }

  /** The current deployment, read from the record's memo (no worker needed); undefined before any. */
  async current(): Promise<Deployment | undefined> {
    try {
      const description = await this.handle().describe();
      return description.memo?.[CURRENT_DEPLOYMENT_MEMO] as Deployment | undefined;
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return undefined;
      throw error;
    }
  }

  /** Every deployment and what each worker serves; empty before the first deploy. */
  async list(): Promise<DeploymentsView> {
    try {
      return await this.handle().query(deploymentsQuery);
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return { deployments: [], workers: [] };
      throw error;
    }
  }

  /** Plan bodies and playbook sources by version. */
  async bodies(versions: readonly string[]): Promise<PlanBodies> {
    return this.handle().query(planBodiesQuery, versions);
  }

  /** Waits until every worker polling the queue reports serving `deployment`'s set, or `timeoutMs` passes. */
  async waitForWorkers(deployment: Deployment, timeoutMs: number): Promise<Rollout> {
    const started = Date.now();
    for (;;) {
      const [workers, view] = await Promise.all([
        taskQueuePollers(this.client, this.client.options.namespace, this.taskQueue),
        this.list(),
      ]);
      const serving = new Set(view.workers.filter((w) => w.setId === deployment.set.id).map((w) => w.identity));
      const lagging = workers.filter((identity) => !serving.has(identity));
      const seconds = (Date.now() - started) / 1000;
      if ((workers.length > 0 && lagging.length === 0) || Date.now() - started >= timeoutMs)
        return { seconds, workers, lagging };
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** Tells the record which set a worker serves. */
  async report(report: WorkerReport): Promise<void> {
    await this.handle().signal(workerReportSignal, report);
  }
}
