import type { Command } from "commander";
import { isScoreBand, SCORE_BANDS } from "../ast/scorecard.js";
import { formatQueue } from "../queue/format-queue.js";
import { QueueRefused, rankQueue, type QueueFilters, type QueueReport } from "../queue/rank-queue.js";
import { readAccountFiles } from "../simulate/read-account-files.js";
import { requestApi } from "./api-request.js";
import { loadCommandInputs } from "./command-inputs.js";

interface QueueOptions {
  accounts?: string[];
  mapping?: string;
  playbooks?: string;
  owner?: string;
  segment?: string;
  band?: string;
  limit: string;
  at?: string;
  json?: boolean;
}

/** Says what is wrong on stderr and sets exit code 2 (bad input: nothing was ranked). */
function refuse(message: string): void {
  process.stderr.write(`${message}\n`);
  process.exitCode = 2;
}

function print(report: QueueReport, json: boolean): void {
  process.stdout.write(json ? `${JSON.stringify(report, null, 2)}\n` : formatQueue(report));
}

/** Ranks an export in this process, as `playloop preview` does: no server. */
async function rankExport(options: QueueOptions, accounts: readonly string[], filters: QueueFilters): Promise<void> {
  const inputs = loadCommandInputs(options);
  if (typeof inputs === "string") return refuse(inputs);
  const { now, loaded, mapping } = inputs;
  let read: Awaited<ReturnType<typeof readAccountFiles>>;
  try {
    read = await readAccountFiles(accounts, mapping);
  } catch (error) {
    return refuse(`${accounts.join(", ")}: ${error instanceof Error ? error.message : String(error)}`);
  }
  let report: QueueReport;
  try {
    report = rankQueue(
      read.accounts.map((account) => ({ account })),
      { plans: loaded.plans, policy: loaded.policy, now, filters },
    );
  } catch (error) {
    if (error instanceof QueueRefused) return refuse(error.message);
    throw error;
  }
  for (const { file, line, reason } of read.rejected.slice(0, 20))
    process.stderr.write(`${file}:${line}: rejected: ${reason}\n`);
  if (read.rejected.length > 20) process.stderr.write(`... and ${read.rejected.length - 20} more rejected\n`);
  if (read.rejected.length > 0) process.exitCode = 1;
  print(report, options.json === true);
}

/**
 * `playloop queue`: the accounts to work next, by score, each with its next best play. With
 * `--accounts` it ranks an export in process; without, it asks the running API (`GET /v1/queue`).
 * Exit 0; 1 when export lines were rejected or the API answered with an error; 2 on bad input.
 */
export function registerQueueCommand(program: Command): void {
  program
    .command("queue")
    .description(
      "List the accounts a CSM should work next, ranked by their score (playbooks/scorecard.yaml), each with its next best play, its offer and why, or what blocks every play. With --accounts over an export in process; otherwise from the running API (GET /v1/queue).",
    )
    .option(
      "--accounts <files...>",
      "CRM exports (NDJSON, or CSV with --mapping), JSON files of accounts, or folders of them (playbooks/samples)",
    )
    .option(
      "--mapping <file>",
      "the ingest mapping for a CSV export's columns (see playbooks/samples/crm-mapping.yaml)",
    )
    .option("--playbooks <dir>", "with --accounts: the playbooks folder (default: PLAYLOOP_PLAYBOOKS or ./playbooks)")
    .option("--owner <owner>", "only the accounts this owner holds (the account's `owner`)")
    .option("--segment <name>", "only the accounts in this segment (as a playbook defines it, such as at_risk)")
    .option("--band <band>", `only the accounts in this band: ${SCORE_BANDS.join(", ")}`)
    .option("--limit <n>", "list at most this many accounts (1 to 500)", "50")
    .option("--at <date>", "with --accounts: rank as of this time (ISO 8601; default now)")
    .option("--json", 'print { "at", "scorecard", "accounts", "matched", "rows": [ { "rank", "account", ... } ] }')
    .action(async (options: QueueOptions) => {
      const limit = Number(options.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 500)
        return refuse(`--limit ${options.limit}: a whole number from 1 to 500`);
      if (options.band !== undefined && !isScoreBand(options.band))
        return refuse(`--band ${options.band}: one of ${SCORE_BANDS.join(", ")}`);
      const filters: QueueFilters = {
        ...(options.owner === undefined ? {} : { owner: options.owner }),
        ...(options.segment === undefined ? {} : { segment: options.segment }),
        ...(options.band === undefined || !isScoreBand(options.band) ? {} : { band: options.band }),
        limit,
      };
      if (options.accounts !== undefined) return rankExport(options, options.accounts, filters);
      if (options.at !== undefined || options.mapping !== undefined || options.playbooks !== undefined)
        return refuse("--at, --mapping and --playbooks go with --accounts; the API ranks its accounts now");
      const query = new URLSearchParams(
        Object.entries(filters).map(([key, value]) => [key, String(value)] as [string, string]),
      );
      const answer = await requestApi("GET", `/v1/queue?${query.toString()}`);
      if (answer.ok && answer.json !== undefined) print(answer.json as QueueReport, options.json === true);
      else process.stdout.write(`${answer.json === undefined ? answer.text : JSON.stringify(answer.json, null, 2)}\n`);
      if (!answer.ok) process.exitCode = 1;
      if (answer.hint !== undefined) process.stderr.write(`playloop: ${answer.hint}\n`);
    });
}
