import { readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { performance } from "node:perf_hooks";
import type { Command } from "commander";
import { formatDiagnostic } from "../diagnostics/format-diagnostic.js";
import { loadMapping, MappingError, type FieldMapping } from "../runtime/ingest/field-mapping.js";
import { loadPlaybooks, PlaybookLoadError, type LoadedPlaybooks } from "../runtime/load-plans.js";
import { defaultPlaybooksDir } from "../runtime/project-root.js";
import { formatSimulation } from "../simulate/format-simulation.js";
import { readAccounts } from "../simulate/read-accounts.js";
import { readHistory } from "../simulate/read-history.js";
import { simulatePopulation, type TimedEvent } from "../simulate/simulate-population.js";
import { simulationHtml } from "../simulate/simulation-html.js";
import { parseSignals, type SimulatedSignal } from "../simulate/simulated-signals.js";

interface SimulateOptions {
  accounts: string;
  mapping?: string;
  events?: string;
  eventsMapping?: string;
  signals?: string;
  days: string;
  seed: string;
  start?: string;
  playbooks?: string;
  json?: boolean;
  html?: string;
}

/** Says what is wrong on stderr and sets exit code 2 (bad input: nothing was simulated). */
function refuse(message: string): void {
  process.stderr.write(`${message}\n`);
  process.exitCode = 2;
}

const DAY_MS = 86_400_000;

/**
 * `playloop simulate`: every playbook over a CRM export on simulated time. Exit 0, 1 when lines of
 * the export or the history were rejected (the rest are simulated), 2 on bad input.
 */
export function registerSimulateCommand(program: Command): void {
  program
    .command("simulate")
    .description(
      "Run every playbook over a CRM export on simulated time, with the journey core, arbitration, caps and holdouts of production: per play, entries, actions by kind, offers, approvals, suppressions, contests and outcomes, per week; exit 1 when input lines were rejected, 2 on bad input.",
    )
    .requiredOption("--accounts <file>", "a CRM export of accounts: NDJSON, or CSV with --mapping")
    .option("--mapping <file>", "the ingest mapping file for the accounts export")
    .option(
      "--events <file>",
      "an event history (NDJSON, or CSV with --events-mapping), each event with `account` and `at`",
    )
    .option("--events-mapping <file>", "the ingest mapping file for the event history")
    .option("--signals <file>", "synthetic signals (schemas/signals.schema.json): a share of accounts per period")
    .option("--days <n>", "how many days to simulate", "365")
    .option("--seed <n>", "the seed of the synthetic signals", "1")
    .option("--start <date>", "the first simulated day (ISO 8601; default today, 00:00 UTC)")
    .option("--playbooks <dir>", "the playbooks folder (default: PLAYLOOP_PLAYBOOKS or ./playbooks)")
    .option("--json", "print the report as JSON")
    .option("--html <file>", "also write an HTML report with a funnel per play and actions per week")
    .action(async (options: SimulateOptions) => {
      const days = Number(options.days);
      const seed = Number(options.seed);
      const start = options.start === undefined ? Math.floor(Date.now() / DAY_MS) * DAY_MS : Date.parse(options.start);
      if (!Number.isInteger(days) || days < 1 || days > 3660)
        return refuse(`--days ${options.days}: a whole number of days, 1 to 3660`);
      if (!Number.isInteger(seed)) return refuse(`--seed ${options.seed}: a whole number`);
      if (!Number.isFinite(start)) return refuse(`--start ${options.start}: not a date (write 2027-01-15)`);
      let loaded: LoadedPlaybooks;
      let mapping: FieldMapping | undefined;
      let eventsMapping: FieldMapping | undefined;
      let signals: SimulatedSignal[] | undefined;
      try {
        loaded = loadPlaybooks(resolve(options.playbooks ?? process.env.PLAYLOOP_PLAYBOOKS ?? defaultPlaybooksDir()));
        mapping = options.mapping === undefined ? undefined : loadMapping(options.mapping);
        eventsMapping = options.eventsMapping === undefined ? undefined : loadMapping(options.eventsMapping);
      } catch (error) {
        if (error instanceof PlaybookLoadError || error instanceof MappingError) return refuse(error.message);
        throw error;
      }
      if (options.signals !== undefined) {
        let text: string;
        try {
          text = readFileSync(options.signals, "utf8");
        } catch (error) {
          return refuse(`${options.signals}: ${error instanceof Error ? error.message : String(error)}`);
        }
        const parsed = parseSignals(text, options.signals);
        if (parsed.signals === undefined)
          return refuse(parsed.diagnostics.map((d) => formatDiagnostic(d, text)).join("\n"));
        signals = parsed.signals;
      }
      const rejected: string[] = [];
      let accounts: Awaited<ReturnType<typeof readAccounts>>["accounts"];
      let history: Map<string, TimedEvent[]> | undefined;
      try {
        const read = await readAccounts(options.accounts, mapping);
        accounts = read.accounts;
        rejected.push(...read.rejected.map((r) => `${options.accounts}:${r.line}: rejected: ${r.reason}`));
        if (options.events !== undefined) {
          const events = await readHistory(options.events, eventsMapping);
          history = events.history;
          rejected.push(...events.rejected.map((r) => `${options.events}:${r.line}: rejected: ${r.reason}`));
        }
      } catch (error) {
        return refuse(error instanceof Error ? error.message : String(error));
      }
      for (const line of rejected.slice(0, 20)) process.stderr.write(`${line}\n`);
      if (rejected.length > 20) process.stderr.write(`... and ${rejected.length - 20} more lines rejected\n`);
      if (rejected.length > 0) process.exitCode = 1;
      const started = performance.now();
      const report = simulatePopulation({
        plans: loaded.plans,
        policy: loaded.policy,
        accounts,
        history,
        signals,
        seed,
        start,
        days,
      });
      const seconds = (performance.now() - started) / 1000;
      if (options.html !== undefined) writeFileSync(options.html, simulationHtml(report));
      if (options.json === true)
        process.stdout.write(`${JSON.stringify({ ...report, seconds: Math.round(seconds * 10) / 10 }, null, 2)}\n`);
      else process.stdout.write(formatSimulation(report, seconds));
      if (report.errors.count > 0) process.exitCode = 1;
    });
}
