import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import type { IncomingHttpHeaders } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { compilePlaybook, formatDiagnostic, type Diagnostic } from "../engine/index.js";
import type { ActionEvent } from "../engine/journey/action-event.js";
import { experimentVariant } from "../engine/journey/experiment-variant.js";
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

/** seat-upsell's in-app prompts, one per variant of its capacity_prompt experiment (orchestrate.1). */
const CAPACITY_PROMPTS = {
  insight: { step: "orchestrate.2", template: "capacity-insight" },
  roi_first: { step: "orchestrate.3", template: "capacity-roi" },
} as const;

/** What seat-upsell's capacity_prompt experiment gives one account. */
export interface CapacityPrompt {
  readonly variant: keyof typeof CAPACITY_PROMPTS;
  /** The step of the in-app prompt the account is sent, and its template. */
  readonly step: (typeof CAPACITY_PROMPTS)[keyof typeof CAPACITY_PROMPTS]["step"];
  readonly template: (typeof CAPACITY_PROMPTS)[keyof typeof CAPACITY_PROMPTS]["template"];
  /** The step of the other variant's prompt, which the account's play skips. */
  readonly skipped: (typeof CAPACITY_PROMPTS)[keyof typeof CAPACITY_PROMPTS]["step"];
}

/**
 * The variant of seat-upsell's capacity_prompt experiment an account gets, as the core assigns it
 * (a stable hash of playbook, experiment and account against the shares in the bundled playbook),
 * with the in-app prompt it is sent and the one it skips.
 */
export function capacityPrompt(accountId: string): CapacityPrompt {
  const plan = compilePlaybook(readRepoFile("playbooks/seat-upsell.yaml")).plan;
  const experiment = plan?.stages
    .flatMap((stage) => stage.steps)
    .find((step) => step.kind === "experiment" && step.name === "capacity_prompt");
  if (experiment?.kind !== "experiment") throw new Error("seat-upsell has no capacity_prompt experiment");
  const variant = experimentVariant("seat-upsell", "capacity_prompt", accountId, experiment.variants)?.variant.name;
  if (variant !== "insight" && variant !== "roi_first") throw new Error(`unexpected variant ${String(variant)}`);
  const other = variant === "insight" ? "roi_first" : "insight";
  return { variant, ...CAPACITY_PROMPTS[variant], skipped: CAPACITY_PROMPTS[other].step };
}

/** The decision a play records for a step whose `when` does not hold. */
export const SKIPPED_BY_WHEN = "skipped: skipped: its `when` condition does not hold";

/**
 * seat-upsell's decisions from its experiment to its prompts, in step order: the variant the
 * account gets, then `sent` (what became of its prompt) and the other variant's prompt skipped.
 */
export function capacityPromptDecisions(prompt: CapacityPrompt, sent: string): string[] {
  const variant = `experiment: experiment capacity_prompt: variant ${prompt.variant} (50%)`;
  return [variant, ...(prompt.step < prompt.skipped ? [sent, SKIPPED_BY_WHEN] : [SKIPPED_BY_WHEN, sent])];
}

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
  id: "seat-upsell:acme:0:orchestrate.4",
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

/**
 * A playbooks folder holding renewal-bundle with its window opening 60 days before renewal instead
 * of 90, its bundled test (which then fails at its first expectation) and the acme sample.
 */
export function changedRenewalFolder(): string {
  const dir = join(mkdtempSync(join(tmpdir(), "playloop-test-")), "playbooks");
  mkdirSync(join(dir, "tests"), { recursive: true });
  mkdirSync(join(dir, "samples"));
  cpSync(join(ROOT, "playbooks/samples/acme.json"), join(dir, "samples/acme.json"));
  writeFileSync(
    join(dir, "renewal-bundle.yaml"),
    readFileSync(join(ROOT, "playbooks/renewal-bundle.yaml"), "utf8").replace("opens: 90d", "opens: 60d"),
  );
  cpSync(join(ROOT, "playbooks/tests/renewal-bundle.test.yaml"), join(dir, "tests/renewal-bundle.test.yaml"));
  return dir;
}
