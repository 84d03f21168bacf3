// playloop's CLI as child processes, for tests against a real Temporal dev server: a `playloop
// worker` on its own task queue and playbooks folder, and one-shot commands with their output.
import { TestWorkflowEnvironment } from "@temporalio/testing";
import { SEARCH_ATTRIBUTES } from "../../engine/messages/search-attributes.js";
import { findTemporalCli } from "../../engine/runtime/temporal-binaries.js";
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT } from "../helpers.js";

const MAIN = join(ROOT, "dist/engine/cli/main.js");

/** A playbooks folder of its own for a worker process. */
export function playbookFolder(files: Record<string, string>): string {
  const folder = mkdtempSync(join(tmpdir(), "playloop-playbooks-"));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(folder, name), text);
  return folder;
}

/**
 * `playloop worker` in a child process; resolves once it polls. Kill it with `children`' helpers.
 * It keeps no analytics database unless `env` names one (several run at once in a test).
 */
export function startWorkerProcess(children: ChildProcess[], env: Record<string, string>): Promise<ChildProcess> {
  const child = spawn(process.execPath, [MAIN, "worker"], {
    env: { ...process.env, PLAYLOOP_FACTS_DB: "off", ...env },
    stdio: ["ignore", "ignore", "pipe"],
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    let output = "";
    child.stderr?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes("worker polling task queue")) resolve(child);
    });
    child.once("exit", (code) => reject(new Error(`worker exited with ${code}:\n${output}`)));
  });
}

/** Runs one CLI command to its end: exit code, stdout and stderr. */
export function runCli(
  args: readonly string[],
  env: Record<string, string>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [MAIN, ...args],
      { env: { ...process.env, ...env }, timeout: 120_000 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === "number" ? error.code : 1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** The Temporal dev server `playloop dev` runs (visibility, search attributes), for a test file. */
export async function devServerEnv(): Promise<TestWorkflowEnvironment> {
  const cli = findTemporalCli();
  if (cli === undefined) throw new Error("no Temporal CLI: run `npm install` (tools/install-temporal.mjs)");
  return TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: "existing-path", path: cli },
      searchAttributes: Object.values(SEARCH_ATTRIBUTES),
      extraArgs: ["--log-level", "error"],
    },
  });
}
