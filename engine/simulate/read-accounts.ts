// Reads a CRM export of accounts (NDJSON or CSV, with the ingest mapping file when the columns
// are the CRM's own) into validated snapshots, as `playloop ingest` would send them. A line that
// does not read or validate is reported with its number; the rest are kept.
import { applyMapping, type FieldMapping } from "../runtime/ingest/field-mapping.js";
import { readRecords } from "../runtime/ingest/read-records.js";
import type { AccountSnapshot } from "../journey/journey-types.js";
import { issuesText } from "../validate/schema-issues.js";
import { validateAccount } from "../validate/validate-account.js";

/** The accounts of an export and the lines that were left out, with why. */
export interface ExportAccounts {
  readonly accounts: AccountSnapshot[];
  readonly rejected: { readonly line: number; readonly reason: string }[];
}

/** Reads every account of an export; a later line with an id seen before replaces the earlier one. */
export async function readAccounts(file: string, mapping?: FieldMapping): Promise<ExportAccounts> {
  const byId = new Map<string, AccountSnapshot>();
  const rejected: { line: number; reason: string }[] = [];
  const fromText = /\.csv$/i.test(file);
  for await (const raw of readRecords(file)) {
    if ("error" in raw) {
      rejected.push({ line: raw.line, reason: raw.error });
      continue;
    }
    const { account, issues } = validateAccount(applyMapping(raw.record, mapping, fromText));
    if (account === undefined) {
      rejected.push({ line: raw.line, reason: issuesText(issues) });
      continue;
    }
    byId.set(account.id, account);
  }
  return { accounts: [...byId.values()], rejected };
}
