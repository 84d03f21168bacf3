#!/usr/bin/env node
// The playloop command line. Commands print diagnostics as file:line:col and exit 1 on errors.
import { mkdirSync, writeFileSync } from "node:fs";
import { userInfo } from "node:os";
import { join } from "node:path";
import { Command } from "commander";
import { compilePlan } from "../compile/compile-playbook.js";
import { formatJson } from "../compile/format-json.js";
import type { CompiledPlan } from "../compile/plan.js";
import { hasErrors } from "../diagnostics/diagnostic.js";
import { formatDiagnostic } from "../diagnostics/format-diagnostic.js";
import { journeyMermaid } from "../graph/journey-mermaid.js";
import type { AccountView } from "../journey/account-view.js";
import { findPlaybookFiles, validateFiles, type FileResult } from "../validate/validate-files.js";
import { requestApi } from "./api-request.js";
import { registerDeployCommands } from "./deploy-commands.js";
import { registerPreviewCommand } from "./preview-command.js";
import { registerQueueCommand } from "./queue-command.js";
import { registerReportCommand } from "./report-command.js";
import { registerSimulateCommand } from "./simulate-command.js";
import { registerTestCommand } from "./test-command.js";

function report(results: readonly FileResult[], json: boolean): boolean {
  const diagnostics = results.flatMap((r) => r.diagnostics);
  if (json) {
    process.stdout.write(`${JSON.stringify({ files: results.length, diagnostics }, null, 2)}\n`);
  } else {
    for (const result of results) {
      for (const d of result.diagnostics) process.stderr.write(`${formatDiagnostic(d, result.source?.text)}\n`);
    }
  }
  return !hasErrors(diagnostics);
}

/** The valid playbooks' plans with their files, or undefined (diagnostics printed) when any has an error. */
function loadWithFiles(paths: readonly string[], json = false): { file: string; plan: CompiledPlan }[] | undefined {
  const files = findPlaybookFiles(paths);
  if (files.length === 0) {
    process.stderr.write(`no playbook files (*.yaml, *.yml) in ${paths.join(", ")}\n`);
    return undefined;
  }
  const results = validateFiles(files);
  if (!report(results, json)) return undefined;
  return results.flatMap((r) => (r.playbook === undefined ? [] : [{ file: r.file, plan: compilePlan(r.playbook) }]));
}

function load(paths: readonly string[], json = false): CompiledPlan[] | undefined {
  return loadWithFiles(paths, json)?.map((loaded) => loaded.plan);
}

const program = new Command()
  .name("playloop")
  .description(
    "Revenue plays on existing customers: validate, compile and graph YAML playbooks, and run them as durable Temporal journeys.",
  )
  .showHelpAfterError()
  .configureOutput({ outputError: (text, write) => write(text) });

program
  .command("validate")
  .description("Check playbooks against the schema and the language's rules; exit 1 on any error.")
  .argument("<paths...>", "playbook files or folders (searched for *.yaml and *.yml)")
  .option("--json", "print diagnostics as JSON on stdout")
  .action(async (paths: string[], options: { json?: boolean }) => {
    const loaded = loadWithFiles(paths, options.json === true);
    if (loaded === undefined) process.exitCode = 1;
    else if (options.json !== true) {
      process.stdout.write(
        `${loaded.length} playbook${loaded.length === 1 ? "" : "s"} valid: ${loaded.map((l) => l.plan.id).join(", ")}\n`,
      );
      const { migrationsSinceCommit } = await import("../runtime/migrations-since-commit.js");
      for (const line of migrationsSinceCommit(loaded)) process.stdout.write(`${line}\n`);
    }
  });

program
  .command("compile")
  .description("Compile playbooks to plans (JSON Logic rules and the stage graph). One file prints its plan on stdout.")
  .argument("<paths...>", "playbook files or folders")
  .option("-o, --out-dir <dir>", "write each plan to <dir>/<playbook id>.plan.json")
  .action((paths: string[], options: { outDir?: string }) => {
    const plans = load(paths);
    if (plans === undefined) {
      process.exitCode = 1;
      return;
    }
    if (options.outDir === undefined) {
      if (plans.length !== 1) {
        process.stderr.write(`${plans.length} playbooks found; give one file, or --out-dir to write them all\n`);
        process.exitCode = 1;
        return;
      }
      process.stdout.write(`${formatJson(plans[0])}\n`);
      return;
    }
    mkdirSync(options.outDir, { recursive: true });
    for (const plan of plans) {
      const target = join(options.outDir, `${plan.id}.plan.json`);
      writeFileSync(target, `${formatJson(plan)}\n`);
      process.stdout.write(`${target}  ${plan.version}\n`);
    }
  });

program
  .command("graph")
  .description("Print a playbook's journey as a Mermaid flowchart (renders on GitHub inside ```mermaid).")
  .argument("<file>", "a playbook file")
  .action((file: string) => {
    const plans = load([file]);
    if (plans?.[0] === undefined) process.exitCode = 1;
    else process.stdout.write(journeyMermaid(plans[0]));
  });

const RUNTIME_ENV = `
Environment:
  TEMPORAL_ADDRESS           Temporal frontend (default localhost:7233)
  TEMPORAL_NAMESPACE         namespace (default "default")
  PLAYLOOP_TASK_QUEUE        task queue (default "playloop")
  TEMPORAL_API_KEY           API key (Temporal Cloud); turns TLS on
  TEMPORAL_TLS=1, TEMPORAL_TLS_CERT, TEMPORAL_TLS_KEY, TEMPORAL_TLS_SERVER_NAME   mTLS
  PLAYLOOP_API_PORT          HTTP API port (default 8080)
  PLAYLOOP_API_HOST          where the HTTP API listens (default 127.0.0.1; anything else wants TLS in front)
  PLAYLOOP_API_TOKEN         the API's bearer token (serve requires it; dev makes one when unset; event and status send it)
  PLAYLOOP_API_READ_TOKEN    a second token that may only read (GET)
  PLAYLOOP_DATA_DIR          dev server state and the action log (default .playloop/data)
  PLAYLOOP_ACTIONS_FILE      NDJSON action log, or - for stdout (default <data dir>/actions.ndjson)
  PLAYLOOP_FACTS_DB          the analytics database (DuckDB) for reports (default <data dir>/analytics.duckdb; off: none)
  PLAYLOOP_FACTS_FILE        also append every fact as a CloudEvent to this NDJSON file, for a warehouse
  PLAYLOOP_WEBHOOK_URL, PLAYLOOP_WEBHOOK_SECRET   signed webhook sink (secret: whsec_...)
  PLAYLOOP_PLAYBOOKS         the playbooks folder (default ./playbooks, else the bundled samples,
                             which dev runs as a demo and worker never deploys)
  TEMPORAL_CLI_PATH          the temporal CLI to run the dev server with`;

async function runtime(command: "dev" | "worker" | "serve"): Promise<void> {
  const { loadConfig } = await import("../runtime/config.js");
  const { createLogger } = await import("../runtime/logger.js");
  const services = await import("../runtime/run-services.js");
  const config = loadConfig();
  const logger = createLogger();
  const run = command === "dev" ? services.runDev : command === "worker" ? services.runWorker : services.runServe;
  await run(config, logger);
}

program
  .command("dev")
  .description(
    "Run everything on this machine: an embedded Temporal dev server (SQLite, Web UI on 8233), a worker and the HTTP API.",
  )
  .addHelpText("after", RUNTIME_ENV)
  .action(() => runtime("dev"));

program
  .command("worker")
  .description(
    "Run only the worker, against TEMPORAL_ADDRESS / TEMPORAL_NAMESPACE (a Temporal cluster or Temporal Cloud).",
  )
  .addHelpText("after", RUNTIME_ENV)
  .action(() => runtime("worker"));

program
  .command("serve")
  .description("Run only the HTTP API, against TEMPORAL_ADDRESS / TEMPORAL_NAMESPACE.")
  .addHelpText("after", RUNTIME_ENV)
  .action(() => runtime("serve"));

program
  .command("ingest")
  .description(
    "Ingest a CRM export (NDJSON or CSV) of accounts or events into Temporal; idempotent, so it can be interrupted and run again.",
  )
  .argument("<file>", "the export: .ndjson, .jsonl or .csv (with a header row)")
  .option(
    "--mapping <file>",
    "a YAML field mapping for exports that do not use the canonical names (schemas/mapping.schema.json)",
  )
  .option("--kind <kind>", "accounts or events (default: from the mapping, else detected per line)")
  .option("--concurrency <n>", "requests in flight at once", "16")
  .addHelpText("after", RUNTIME_ENV)
  .action(async (file: string, options: { mapping?: string; kind?: string; concurrency: string }) => {
    if (options.kind !== undefined && options.kind !== "accounts" && options.kind !== "events") {
      throw new Error(`--kind must be accounts or events, not "${options.kind}"`);
    }
    const concurrency = Number(options.concurrency);
    if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 1000)
      throw new Error("--concurrency must be a whole number from 1 to 1000");
    const { loadConfig } = await import("../runtime/config.js");
    const { createLogger } = await import("../runtime/logger.js");
    const { runIngest } = await import("../runtime/ingest/run-ingest.js");
    process.exitCode = await runIngest(loadConfig(), createLogger(), {
      file,
      mapping: options.mapping,
      kind: options.kind,
      concurrency,
    });
  });

/** Calls the HTTP API; prints the JSON answer, or hands it to `print`; exit code 1 on an error. */
async function api(method: string, path: string, body?: unknown, print?: (body: unknown) => string): Promise<void> {
  const answer = await requestApi(method, path, body);
  if (answer.ok && print !== undefined && answer.json !== undefined) process.stdout.write(print(answer.json));
  else process.stdout.write(`${answer.json === undefined ? answer.text : JSON.stringify(answer.json, null, 2)}\n`);
  if (!answer.ok) process.exitCode = 1;
  if (answer.hint !== undefined) process.stderr.write(`playloop: ${answer.hint}\n`);
}

program
  .command("event")
  .description("Send an event for an account through the HTTP API (PLAYLOOP_API_URL, default http://localhost:8080).")
  .argument("<account>", "the account id")
  .argument("<type>", "the event type, such as usage.updated")
  .option("--data <json>", "the event's data, a JSON object", "{}")
  .option("--id <id>", "the event id (default: a new random id); resending an id changes nothing")
  .action(async (account: string, type: string, options: { data: string; id?: string }) => {
    let data: unknown;
    try {
      data = JSON.parse(options.data);
    } catch (error) {
      throw new Error(`--data is not valid JSON: ${error instanceof Error ? error.message : String(error)}`, {
        cause: error,
      });
    }
    const id = options.id ?? `cli-${crypto.randomUUID()}`;
    await api("POST", `/v1/accounts/${encodeURIComponent(account)}/events`, { id, type, data });
  });

program
  .command("status")
  .description(
    "Show an account's plays: status, stage, waits, offers, plan version, and the latest decisions with their reasons.",
  )
  .argument("<account>", "the account id")
  .option("--json", "print the API's JSON instead of tables")
  .option("--decisions <n>", "how many of the latest decisions to list", "10")
  .action(async (account: string, options: { json?: boolean; decisions: string }) => {
    const { formatAccountStatus } = await import("../journey/format-account-status.js");
    const count = Number(options.decisions);
    if (!Number.isInteger(count) || count < 0) throw new Error("--decisions must be a whole number");
    await api(
      "GET",
      `/v1/accounts/${encodeURIComponent(account)}`,
      undefined,
      options.json === true ? undefined : (view) => formatAccountStatus(view as AccountView, count),
    );
  });

const CONTROLS = {
  pause:
    "Pause a playbook's actions on every account (through the HTTP API): they are held and go out on resume, or are skipped when the playbook says when_paused: skip. Waits, timers and detecting go on.",
  resume: "Resume a paused (or stopped) playbook: held actions go out, a stopped play detects again.",
  stop: "Stop a playbook: every run of it ends with the outcome `stopped` and it stops detecting until the next deploy or a resume.",
} as const;
for (const [action, description] of Object.entries(CONTROLS)) {
  program
    .command(action)
    .description(description)
    .argument("<playbook>", "the playbook id")
    .action(async (playbook: string) => {
      await api(
        "POST",
        `/v1/playbooks/${encodeURIComponent(playbook)}/${action}`,
        { actor: process.env.PLAYLOOP_ACTOR ?? userInfo().username },
        (body) => {
          const { deployment, changed, rollout } = body as {
            deployment: { id: string; summary: string };
            changed: boolean;
            rollout: { seconds: number; workers: string[]; lagging: string[] };
          };
          const effect =
            rollout.lagging.length > 0
              ? `not yet applied by ${rollout.lagging.join(", ")}`
              : rollout.workers.length === 0
                ? "no worker polls the task queue"
                : `in effect on all ${rollout.workers.length} workers after ${rollout.seconds.toFixed(1)} s`;
          return changed
            ? `${deployment.summary} (deployment ${deployment.id}): ${effect}\n`
            : `nothing to do: ${playbook} is already so (deployment ${deployment.id})\n`;
        },
      );
    });
}

registerDeployCommands(program);
registerTestCommand(program);
registerPreviewCommand(program);
registerQueueCommand(program);
registerSimulateCommand(program);
registerReportCommand(program);

program.parseAsync(process.argv).catch((error: unknown) => {
  process.stderr.write(`playloop: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
