import { readdirSync, readFileSync } from "node:fs";
import type { IncomingHttpHeaders } from "node:http";
import { fileURLToPath } from "node:url";
import { formatDiagnostic, type Diagnostic } from "../engine/index.js";
import type { ActionEvent } from "../engine/journey/action-event.js";
import { verifySignature, webhookKey } from "../engine/runtime/webhook-signature.js";

/** The repository root, for paths in tests. */
export const ROOT = fileURLToPath(new URL("..", import.meta.url));

/** YAML fixtures in a folder under test/fixtures, as [case name, relative path]. */
export function yamlFixtures(folder: string): [name: string, file: string][] {
  return readdirSync(`${ROOT}test/fixtures/${folder}`)
    .filter((f) => f.endsWith(".yaml"))
    .sort()
    .map((f) => [f.replace(/\.yaml$/, ""), `test/fixtures/${folder}/${f}`]);
}

/** Reads a file relative to the repository root. */
export function readRepoFile(file: string): string {
  return readFileSync(`${ROOT}${file}`, "utf8");
}

/** Formats diagnostics the way the CLI prints them. */
export function printDiagnostics(diagnostics: readonly Diagnostic[], text: string): string {
  return diagnostics.map((d) => formatDiagnostic(d, text)).join("\n") + "\n";
}

/** The five bundled playbooks, by id. */
export const PLAYBOOK_IDS = [
  "at-risk-retention",
  "downsell-save",
  "dsr-engagement-upsell",
  "new-department-cross-sell",
  "renewal-bundle",
  "seat-upsell",
] as const;

/**
 * Polls until `check` returns a value (not undefined) or the time runs out; for tests on the real
 * dev server, where things happen in wall-clock time. Errors from `check` count as "not yet".
 */
export async function eventually<T>(
  check: () => Promise<T | undefined> | T | undefined,
  what: string,
  timeoutMs = 30_000,
  intervalMs = 250,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ""}`);
}

/** An action as the sinks deliver it: seat-upsell's CSM task for acme. */
export const SAMPLE_ACTION: ActionEvent = {
  specversion: "1.0",
  id: "seat-upsell:acme:0:orchestrate.1",
  type: "playloop.action.crm.task",
  source: "playloop/playbooks/seat-upsell",
  subject: "acme",
  time: "2026-11-22T00:00:00.000Z",
  datacontenttype: "application/json",
  data: { action: "crm.task" },
};

/** Whether a webhook request carries a valid Standard Webhooks signature for `secret`. */
export function signedWith(secret: string, headers: IncomingHttpHeaders, body: string): boolean {
  return verifySignature(
    webhookKey(secret),
    String(headers["webhook-id"]),
    Number(headers["webhook-timestamp"]),
    body,
    String(headers["webhook-signature"]),
  );
}
