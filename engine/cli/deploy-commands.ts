// `playloop deploy`, `playloop deployments`: ship a playbooks folder to the running fleet, see what
// it changes first, and roll back. Exit codes a CI job can use (see DEPLOY_EXIT).
import { createInterface } from "node:readline/promises";
import type { Command } from "commander";
import type { Deployment, DeploymentsView } from "../messages/deployment-messages.js";
import type { LoadedPlaybooks } from "../runtime/load-plans.js";

/** `playloop deploy` exit codes. */
export const DEPLOY_EXIT = {
  ok: 0,
  /** Temporal unreachable, or the record refused the deploy. */
  failed: 1,
  /** The folder does not validate. */
  invalid: 2,
  /** Recorded, but not every worker serves it within --wait. */
  rolloutIncomplete: 3,
  /** Declined at the question, or asked with no terminal and no --yes. */
  notConfirmed: 4,
} as const;

interface DeployOptions {
  dryRun?: boolean;
  yes?: boolean;
  to?: string;
  wait: string;
  json?: boolean;
}

async function confirm(question: string): Promise<boolean> {
  if (!process.stdin.isTTY) return false;
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}

const when = (at: number): string => new Date(at).toISOString().replace(/\.\d{3}Z$/, "Z");

/** The record as a table: newest first, the current one marked. */
export function formatDeployments(view: DeploymentsView): string {
  if (view.deployments.length === 0) return "Nothing deployed yet.\n";
  const rows = [...view.deployments]
    .reverse()
    .map((d: Deployment) => [
      `${d.id === view.current?.id ? "*" : " "} ${d.id}`,
      when(d.at),
      d.kind,
      d.actor,
      d.commit?.slice(0, 10) ?? "",
      d.summary,
    ]);
  const header = ["  id", "at", "kind", "by", "commit", "what"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join("  ")
      .trimEnd();
  const workers = view.workers.map((w) => `  ${w.identity}: ${w.setId} (reported ${when(w.at)})`);
  return `${[line(header), ...rows.map(line), "", "Workers:", ...(workers.length > 0 ? workers : ["  none reported"])].join("\n")}\n`;
}

export function registerDeployCommands(program: Command): void {
  program
    .command("deploy")
    .description(
      "Validate and compile a playbooks folder, show what it changes and how many accounts each change touches, then deploy it to every worker (recorded in Temporal). Exit codes: 0 deployed or nothing to do, 1 failed, 2 invalid playbooks, 3 not every worker took it within --wait, 4 not confirmed.",
    )
    .argument("[dir]", "the playbooks folder", "playbooks")
    .option("--dry-run", "show what the deploy changes and stop")
    .option("--yes", "deploy without asking")
    .option("--to <deployment>", "roll back: deploy the plans of an earlier deployment (see `playloop deployments`)")
    .option("--wait <seconds>", "how long to wait for every worker to serve the deployment", "60")
    .option("--json", "print the plan and the outcome as JSON")
    .action(async (dir: string, options: DeployOptions) => {
      const wait = Number(options.wait);
      if (!Number.isFinite(wait) || wait < 0) throw new Error("--wait must be a number of seconds");
      const { loadConfig } = await import("../runtime/config.js");
      const { connectClient } = await import("../runtime/connect.js");
      const { DeploymentsClient, DeploymentRefused } = await import("../runtime/deployments-client.js");
      const { loadPlaybooks, PlaybookLoadError } = await import("../runtime/load-plans.js");
      const { planDeploy, deployActor, deployCommit, deployedPlaybooks } = await import("../runtime/run-deploy.js");
      const { formatDeployPlan, deployChangesSomething } = await import("../deploy/deploy-plan.js");
      const config = loadConfig();
      const out = (text: string): void => void (options.json === true ? undefined : process.stdout.write(text));
      let folder: LoadedPlaybooks | undefined;
      if (options.to === undefined) {
        try {
          folder = loadPlaybooks(dir);
        } catch (error) {
          if (!(error instanceof PlaybookLoadError)) throw error;
          process.stderr.write(`${error.message}\n`);
          process.exitCode = DEPLOY_EXIT.invalid;
          return;
        }
      }
      const client = await connectClient(config);
      try {
        const deployments = new DeploymentsClient(client, config.taskQueue);
        if (options.to !== undefined) {
          // A rollback is shown as a deploy of the earlier deployment's playbooks.
          folder = await deployedPlaybooks(deployments, options.to);
          if (folder === undefined) {
            process.stderr.write(`no deployment ${options.to}: \`playloop deployments\` lists them\n`);
            process.exitCode = DEPLOY_EXIT.failed;
            return;
          }
          out(`Roll back to ${options.to}:\n`);
        }
        if (folder === undefined) throw new Error("no playbooks to deploy");
        const shipped: LoadedPlaybooks = folder;
        const plan = await planDeploy(client, deployments, shipped);
        out(formatDeployPlan(plan));
        const nothing = !deployChangesSomething(plan);
        if (options.dryRun === true || nothing) {
          if (options.json === true) process.stdout.write(`${JSON.stringify({ plan, deployed: false }, null, 2)}\n`);
          return;
        }
        if (options.yes !== true && !(await confirm("Deploy? [y/N] "))) {
          process.stderr.write(
            process.stdin.isTTY ? "not deployed\n" : "not deployed: no terminal to ask; pass --yes to deploy\n",
          );
          process.exitCode = DEPLOY_EXIT.notConfirmed;
          return;
        }
        const actor = deployActor(dir);
        const commit = deployCommit(dir);
        let outcome;
        try {
          outcome =
            options.to !== undefined
              ? await deployments.rollback({ to: options.to, actor })
              : await deployments.deploy({
                  plans: shipped.plans,
                  sources: shipped.sources,
                  policy: shipped.policy,
                  actor,
                  ...(commit === undefined ? {} : { commit }),
                });
        } catch (error) {
          if (!(error instanceof DeploymentRefused)) throw error;
          process.stderr.write(`deploy refused: ${error.message}\n`);
          process.exitCode = DEPLOY_EXIT.failed;
          return;
        }
        const { deployment, changed } = outcome;
        out(
          changed
            ? `Deployed ${deployment.id} (${deployment.summary}).\n`
            : `${deployment.id} already runs this set; nothing recorded.\n`,
        );
        const rollout = await deployments.waitForWorkers(deployment, wait * 1000);
        if (rollout.workers.length === 0)
          out(`No worker polls task queue ${config.taskQueue}: the deployment waits for one.\n`);
        else if (rollout.lagging.length > 0)
          out(
            `Not every worker serves ${deployment.id} after ${rollout.seconds.toFixed(1)} s: ${rollout.lagging.join(", ")}\n`,
          );
        else out(`All ${rollout.workers.length} workers serve ${deployment.id} (${rollout.seconds.toFixed(1)} s).\n`);
        if (options.json === true)
          process.stdout.write(`${JSON.stringify({ plan, deployed: changed, deployment, rollout }, null, 2)}\n`);
        if (rollout.workers.length === 0 || rollout.lagging.length > 0)
          process.exitCode = DEPLOY_EXIT.rolloutIncomplete;
      } finally {
        await client.connection.close();
      }
    });

  program
    .command("deployments")
    .description(
      "List every deployment, rollback, pause and stop recorded in Temporal, newest first, and what each worker serves.",
    )
    .option("--json", "print the record as JSON")
    .action(async (options: { json?: boolean }) => {
      const { loadConfig } = await import("../runtime/config.js");
      const { connectClient } = await import("../runtime/connect.js");
      const { DeploymentsClient } = await import("../runtime/deployments-client.js");
      const config = loadConfig();
      const client = await connectClient(config);
      try {
        const view = await new DeploymentsClient(client, config.taskQueue).list();
        process.stdout.write(options.json === true ? `${JSON.stringify(view, null, 2)}\n` : formatDeployments(view));
      } finally {
        await client.connection.close();
      }
    });
}
