import { performance } from "node:perf_hooks";
import type { Command } from "commander";
import { loadCommandInputs } from "./command-inputs.js";
import { formatPreview } from "../simulate/format-preview.js";
import { previewPlays } from "../simulate/preview-plays.js";
import { readAccounts } from "../simulate/read-accounts.js";

interface PreviewOptions {
  accounts: string;
  mapping?: string;
  playbooks?: string;
  at?: string;
  json?: boolean;
}

/** Says what is wrong on stderr and sets exit code 2 (bad input: nothing was previewed). */
function refuse(message: string): void {
  process.stderr.write(`${message}\n`);
  process.exitCode = 2;
}

/**
 * `playloop preview`: who would enter each play now, and why not, over a CRM export. Exit 0, 1
 * when lines of the export were rejected (the rest are previewed), 2 on bad playbooks or options.
 */
export function registerPreviewCommand(program: Command): void {
  program
    .command("preview")
    .description(
      "Show who would enter each play now over a CRM export, and why the others would not (suppressed, not eligible, no trigger, another play active), with counts and example accounts; exit 1 when export lines were rejected, 2 on bad input.",
    )
    .argument("[playbook]", "show only this playbook (arbitration still weighs every play)")
    .requiredOption("--accounts <file>", "a CRM export of accounts: NDJSON, or CSV with --mapping")
    .option(
      "--mapping <file>",
      "the ingest mapping file for the export's columns (see playbooks/samples/crm-mapping.yaml)",
    )
    .option("--playbooks <dir>", "the playbooks folder (default: PLAYLOOP_PLAYBOOKS or ./playbooks)")
    .option("--at <date>", "preview as of this time (ISO 8601; default now)")
    .option("--json", 'print { "plays": [ { "playbook", "accounts", "eligible", "entering", "reasons" } ], ... }')
    .action(async (playbook: string | undefined, options: PreviewOptions) => {
      const inputs = loadCommandInputs(options);
      if (typeof inputs === "string") return refuse(inputs);
      const { now, loaded, mapping } = inputs;
      if (playbook !== undefined && !loaded.plans.some((p) => p.id === playbook))
        return refuse(`unknown playbook "${playbook}": the folder has ${loaded.plans.map((p) => p.id).join(", ")}`);
      let read: Awaited<ReturnType<typeof readAccounts>>;
      try {
        read = await readAccounts(options.accounts, mapping);
      } catch (error) {
        return refuse(`${options.accounts}: ${error instanceof Error ? error.message : String(error)}`);
      }
      const started = performance.now();
      const report = previewPlays({ plans: loaded.plans, policy: loaded.policy, accounts: read.accounts, now });
      const evaluatedMs = Math.round((performance.now() - started) * 10) / 10;
      for (const { line, reason } of read.rejected.slice(0, 20))
        process.stderr.write(`${options.accounts}:${line}: rejected: ${reason}\n`);
      if (read.rejected.length > 20) process.stderr.write(`... and ${read.rejected.length - 20} more lines rejected\n`);
      if (read.rejected.length > 0) process.exitCode = 1;
      if (options.json === true) {
        const plays = report.plays.filter((p) => playbook === undefined || p.playbook === playbook);
        const json = { ...report, plays, rejected: read.rejected.length, evaluated_ms: evaluatedMs };
        process.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
        return;
      }
      process.stdout.write(
        `preview at ${report.at}: ${report.accounts} accounts from ${options.accounts}` +
          `${read.rejected.length > 0 ? ` (${read.rejected.length} lines rejected)` : ""}, ` +
          `${loaded.plans.length} playbooks, evaluated in ${evaluatedMs} ms\n\n`,
      );
      process.stdout.write(formatPreview(report, { playbook }));
    });
}
