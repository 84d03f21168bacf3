// `playloop report`: the base's NRR and GRR and each play's funnel and lift over a period, from
// the running API (GET /v1/reports) or, with --db or when nothing serves the API, from the
// analytics database file itself (read-only).
import { existsSync, writeFileSync } from "node:fs";
import type { Command } from "commander";
import { formatReport } from "../analytics/format-report.js";
import { parsePeriod } from "../analytics/report-period.js";
import type { RevenueReport } from "../analytics/revenue-report.js";
import { requestApi } from "./api-request.js";

interface ReportOptions {
  from?: string;
  to?: string;
  playbook?: string;
  json?: boolean;
  html?: string;
  db?: string;
}

/** Exit codes: 0 printed, 1 no report could be read, 2 bad options. */
const REPORT_EXIT = { failed: 1, invalid: 2 } as const;

/** The report from a database file, opened read-only (it fails while a worker has it open). */
async function reportFromFile(
  path: string,
  period: { from: string; to: string; playbook?: string },
): Promise<RevenueReport> {
  if (!existsSync(path)) throw new Error(`no analytics database at ${path}`);
  const { FactStore } = await import("../analytics/fact-store.js");
  const { revenueReport } = await import("../analytics/revenue-report.js");
  const store = await FactStore.open(path, { readOnly: true }).catch((error: unknown) => {
    throw new Error(
      `cannot read ${path}: ${error instanceof Error ? error.message : String(error)} (a running worker holds it: ask its API instead, without --db)`,
      { cause: error },
    );
  });
  try {
    return await revenueReport(store, period);
  } finally {
    store.close();
  }
}

/** The report from the API; undefined (with why on stderr) when it answered with an error. */
async function reportFromApi(query: URLSearchParams): Promise<RevenueReport | undefined> {
  const answer = await requestApi("GET", `/v1/reports?${query.toString()}`);
  if (answer.ok) return answer.json as RevenueReport;
  const message = (answer.json as { error?: string } | undefined)?.error ?? answer.text;
  process.stderr.write(`playloop: the API answered ${answer.status}: ${message}\n`);
  if (answer.hint !== undefined) process.stderr.write(`playloop: ${answer.hint}\n`);
  return undefined;
}

export function registerReportCommand(program: Command): void {
  program
    .command("report")
    .description(
      "Report revenue retention (NRR, GRR, expansion, contraction, churn) and each play's funnel, deals and lift over the holdout for a period; exit 1 when no report could be read, 2 on bad options.",
    )
    .option("--from <date>", "the period's start, a date or ISO time (default: a year before --to)")
    .option("--to <date>", "the period's end (default: now)")
    .option("--playbook <id>", "report on this playbook only (the base is always the whole base)")
    .option("--json", 'print the report as JSON: { "base": {...}, "months": [...], "plays": [...], ... }')
    .option("--html <file>", "also write the report as a self-contained HTML page with charts")
    .option(
      "--db <file>",
      "read this analytics database (read-only) instead of asking the API; default when the API is down: PLAYLOOP_FACTS_DB or <data dir>/analytics.duckdb",
    )
    .action(async (options: ReportOptions) => {
      const period = parsePeriod(options.from, options.to, Date.now());
      if (typeof period === "string") {
        process.stderr.write(`playloop: ${period}\n`);
        process.exitCode = REPORT_EXIT.invalid;
        return;
      }
      const wanted = { ...period, ...(options.playbook === undefined ? {} : { playbook: options.playbook }) };
      let report: RevenueReport | undefined;
      if (options.db !== undefined) report = await reportFromFile(options.db, wanted);
      else {
        const query = new URLSearchParams(wanted);
        try {
          report = await reportFromApi(query);
        } catch (unreachable) {
          // Nothing serves the API: the worker is stopped, so its database file can be read.
          const { loadConfig } = await import("../runtime/config.js");
          const file = loadConfig().factsDb;
          if (file === undefined || !existsSync(file)) throw unreachable;
          process.stderr.write(`playloop: the API is not running; reading ${file}\n`);
          report = await reportFromFile(file, wanted);
        }
      }
      if (report === undefined) {
        process.exitCode = REPORT_EXIT.failed;
        return;
      }
      if (options.html !== undefined) {
        const { htmlReport } = await import("../analytics/html-report.js");
        writeFileSync(options.html, htmlReport(report));
        process.stderr.write(`playloop: wrote ${options.html}\n`);
      }
      process.stdout.write(options.json === true ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
    });
}
