// Reads accounts from several places at once: CRM exports (NDJSON, or CSV with the ingest mapping),
// JSON files holding one account or a list of them (playbooks/samples/acme.json), and folders of
// those JSON files. Each account is validated as ingest would; a later one with a seen id wins.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import type { AccountSnapshot } from "../journey/journey-types.js";
import type { FieldMapping } from "../runtime/ingest/field-mapping.js";
import { issuesText } from "../validate/schema-issues.js";
import { validateAccount } from "../validate/validate-account.js";
import { readAccounts } from "./read-accounts.js";

/** The accounts read, and what was left out with where and why. */
export interface AccountFiles {
  readonly accounts: AccountSnapshot[];
  /** `line`: the export's line, or the item's position (from 1) in a JSON file. */
  readonly rejected: { readonly file: string; readonly line: number; readonly reason: string }[];
}

/** A `.json` file's accounts, or undefined when it is not one JSON document (then it is read as NDJSON). */
function jsonDocument(file: string): unknown[] | undefined {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file, "utf8"));
  } catch {
    return undefined;
  }
  return Array.isArray(value) ? value : [value];
}

/** Reads every account of the files and folders (a folder: its `*.json` files), in order. */
export async function readAccountFiles(paths: readonly string[], mapping?: FieldMapping): Promise<AccountFiles> {
  const byId = new Map<string, AccountSnapshot>();
  const rejected: { file: string; line: number; reason: string }[] = [];
  const files = paths.flatMap((path) =>
    statSync(path).isDirectory()
      ? readdirSync(path)
          .filter((name) => name.endsWith(".json"))
          .sort()
          .map((name) => join(path, name))
      : [path],
  );
  for (const file of files) {
    const documents = /\.json$/i.test(file) ? jsonDocument(file) : undefined;
    if (documents === undefined) {
      const read = await readAccounts(file, mapping);
      for (const account of read.accounts) byId.set(account.id, account);
      rejected.push(...read.rejected.map((r) => ({ file, ...r })));
      continue;
    }
    documents.forEach((document, index) => {
      const { account, issues } = validateAccount(document);
      if (account === undefined) rejected.push({ file, line: index + 1, reason: issuesText(issues) });
      else byId.set(account.id, account);
    });
  }
  return { accounts: [...byId.values()], rejected };
}
