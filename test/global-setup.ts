import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { TestProject } from "vitest/node";
import { bundleJourneyWorkflows } from "../engine/runtime/workflow-bundle.js";

declare module "vitest" {
  export interface ProvidedContext {
    /** A file holding the workflow bundle's code, made once per test run. */
    workflowBundlePath: string;
  }
}

/** Builds dist/ (the CLI tests run it) and bundles the workflow code once for every worker. */
export default async function setup(project: TestProject): Promise<void> {
  const root = fileURLToPath(new URL("..", import.meta.url));
  execFileSync(process.execPath, [`${root}node_modules/typescript/bin/tsc`, "-p", `${root}tsconfig.json`], {
    stdio: "inherit",
  });
  const bundle = await bundleJourneyWorkflows();
  const path = join(mkdtempSync(join(tmpdir(), "playloop-bundle-")), "workflows.js");
  writeFileSync(path, bundle.code);
  project.provide("workflowBundlePath", path);
}
