import { routingProblems } from "./sinks-from-config.js";
import type { Logger } from "pino";
import { isNewerSet, type PlanHint } from "../messages/account-messages.js";
import type { Deployment } from "../messages/deployment-messages.js";
import type { DeploymentsClient } from "./deployments-client.js";
import type { PlanRegistry } from "./plan-registry.js";

/** How often a process checks the record for a new deployment (a describe: no worker involved). */
const FOLLOW_INTERVAL_MS = 1000;

/**
 * Keeps a process's PlanRegistry on the current deployment: workers serve it to account workflows,
 * the API and ingest send it as their hint. It reads the current deployment from the record's memo,
 * fetches the plan bodies it lacks, and (for a worker) reports the set it serves.
 */
export class DeploymentFollower {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<Deployment | undefined> | undefined;
  private failures = 0;

  constructor(
    private readonly deployments: DeploymentsClient,
    private readonly registry: PlanRegistry,
    private readonly logger: Logger,
    /** A worker's identity: reported to the record with each set it starts serving. */
    private readonly identity?: string,
  ) {}

  /** Brings the registry to the current deployment now; concurrent calls share one check. */
  refresh(): Promise<Deployment | undefined> {
    this.running ??= this.check().finally(() => (this.running = undefined));
    return this.running;
  }

  /** Refreshes every second until `stop`; a failure is logged once, not thrown. */
  start(): void {
    const tick = (): void => {
      this.refresh().then(
        () => (this.failures = 0),
        (error: unknown) => {
          if (this.failures++ === 0) this.logger.warn({ err: error }, "cannot read the deployments record; retrying");
        },
      );
    };
    tick();
    this.timer = setInterval(tick, FOLLOW_INTERVAL_MS);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** Refreshes when `hint` names a set newer than the one served (a local activity asks for it). */
  async catchUp(hint: PlanHint | undefined): Promise<void> {
    const served = this.registry.setIfLoaded;
    if (served === undefined || (hint !== undefined && isNewerSet(hint, served))) await this.refresh();
  }

  private async check(): Promise<Deployment | undefined> {
    const current = await this.deployments.current();
    if (current === undefined) return undefined;
    const served = this.registry.setIfLoaded;
    if (served?.id === current.set.id && served.loadedAt === current.set.loadedAt) return current;
    const missing = Object.values(current.set.versions).filter((version) => !this.registry.has(version));
    const { plans } = missing.length === 0 ? { plans: [] } : await this.deployments.bodies(missing);
    this.registry.adopt(current.set, plans);
    // A deploy may route to a destination this worker's environment lacks: its actions wait, retried.
    const problems = routingProblems(current.set.policy.routing);
    if (problems.length > 0)
      this.logger.error(
        { deployment: current.id, problems },
        `deployment ${current.id} routes actions to destinations this worker cannot reach; they are retried until it can: ${problems.join("; ")}`,
      );
    this.logger.info(
      { deployment: current.id, set: current.set.id, versions: current.set.versions, controls: current.set.controls },
      `serving deployment ${current.id} (${current.summary})`,
    );
    if (this.identity !== undefined)
      await this.deployments.report({ identity: this.identity, setId: current.set.id, at: Date.now() });
    return current;
  }
}
