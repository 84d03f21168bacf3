// `playloop ingest`: a CRM export into account coordinators, with bounded concurrency. Idempotent:
// an unchanged snapshot and an event id seen before both report `unchanged`.
import eventSchema from "../../../schemas/event.schema.json" with { type: "json" };
import type { JourneyEvent } from "../../journey/journey-types.js";
import { validateAccount } from "../../validate/validate-account.js";
import { createSchemaValidator, issuesText } from "../../validate/schema-issues.js";
import { UnknownAccountError, type AccountClient } from "../account-client.js";
import { applyMapping, type FieldMapping } from "./field-mapping.js";
import { readRecords } from "./read-records.js";

const validateEvent = createSchemaValidator<JourneyEvent>(eventSchema);

/** What one ingest run did. */
export interface IngestSummary {
  accepted: number;
  unchanged: number;
  rejected: { line: number; reason: string }[];
  /** The last line read before an interruption, when interrupted. */
  interruptedAfterLine?: number;
}

export interface IngestOptions {
  readonly file: string;
  readonly accounts: AccountClient;
  readonly mapping?: FieldMapping;
  readonly kind?: "accounts" | "events";
  readonly concurrency?: number;
  /** Called after each line is settled, with the line number. */
  readonly onProgress?: (line: number, summary: IngestSummary) => void;
  /** Stops reading new lines when aborted; lines in flight finish. */
  readonly signal?: AbortSignal;
}

/** Ingests an NDJSON or CSV export of accounts or events. A bad line is rejected and the rest go on. */
export async function ingest(options: IngestOptions): Promise<IngestSummary> {
  const summary: IngestSummary = { accepted: 0, unchanged: 0, rejected: [] };
  const limit = Math.max(1, options.concurrency ?? 16);
  const inFlight = new Set<Promise<void>>();
  const fromText = /\.csv$/i.test(options.file);
  const kindOf = (record: Record<string, unknown>): "accounts" | "events" =>
    options.kind ??
    options.mapping?.kind ??
    (typeof record.type === "string" && typeof record.account === "string" ? "events" : "accounts");

  const handle = async (line: number, record: Record<string, unknown>): Promise<void> => {
    const value = applyMapping(record, options.mapping, fromText);
    if (kindOf(value) === "accounts") {
      const { account, issues } = validateAccount(value);
      if (account === undefined) return void summary.rejected.push({ line, reason: issuesText(issues) });
      const { changed } = await options.accounts.upsertAccount(account);
      if (changed) summary.accepted++;
      else summary.unchanged++;
      return;
    }
    const { account: accountId, ...rest } = value;
    if (typeof accountId !== "string" || accountId === "")
      return void summary.rejected.push({ line, reason: "an event needs an `account` id" });
    const { value: event, issues } = validateEvent(rest);
    if (event === undefined) return void summary.rejected.push({ line, reason: issuesText(issues) });
    const { duplicate } = await options.accounts.sendEvent(accountId, event);
    if (duplicate) summary.unchanged++;
    else summary.accepted++;
  };

  let lastLine = 0;
  for await (const raw of readRecords(options.file)) {
    if (options.signal?.aborted === true) {
      summary.interruptedAfterLine = lastLine;
      break;
    }
    lastLine = raw.line;
    if ("error" in raw) {
      summary.rejected.push({ line: raw.line, reason: raw.error });
      options.onProgress?.(raw.line, summary);
      continue;
    }
    const task: Promise<void> = handle(raw.line, raw.record)
      .catch((error: unknown) => {
        const reason =
          error instanceof UnknownAccountError
            ? `unknown account "${error.accountId}"`
            : error instanceof Error
              ? error.message
              : String(error);
        summary.rejected.push({ line: raw.line, reason });
      })
      .finally(() => {
        inFlight.delete(task);
        options.onProgress?.(raw.line, summary);
      });
    inFlight.add(task);
    if (inFlight.size >= limit) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  summary.rejected.sort((a, b) => a.line - b.line);
  return summary;
}
