import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { bundleWorkflowCode, DefaultLogger, type WorkflowBundleWithSourceMap } from "@temporalio/worker";

// The bundler reports progress at info level; keep only its warnings and errors.
const quietLogger = new DefaultLogger("WARN");

/** The journey workflow's entry file: TypeScript source in development, JavaScript in dist/. */
export function workflowsPath(): string {
  const js = fileURLToPath(new URL("../../workflows/index.js", import.meta.url));
  return existsSync(js) ? js : fileURLToPath(new URL("../../workflows/index.ts", import.meta.url));
}

/** Bundles the workflow code once; hand the result to every worker (bundling takes seconds). */
export async function bundleJourneyWorkflows(): Promise<WorkflowBundleWithSourceMap> {
  return bundleWorkflowCode({
    workflowsPath: workflowsPath(),
    // The sources import `./x.js` as Node's ESM resolution wants; let webpack find the `.ts` file.
    webpackConfigHook: (config) => ({
      ...config,
      resolve: { ...config.resolve, extensionAlias: { ".js": [".ts", ".js"] } },
    }),
    logger: quietLogger,
  });
}
