import { existsSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { bundleWorkflowCode, DefaultLogger, type WorkflowBundleWithSourceMap } from "@temporalio/worker";

// The bundler reports progress at info level; keep only its warnings and errors.
const quietLogger = new DefaultLogger("WARN");

/** The journey workflow's entry file: TypeScript source in development, JavaScript in dist/. */
export function workflowsPath(): string {
  const js = fileURLToPath(new URL("../../workflows/index.js", import.meta.url));
  return existsSync(js) ? js : fileURLToPath(new URL("../../workflows/index.ts", import.meta.url));
}

/**
 * The template engine's liquidjs loader, as imported (`.js`, and `.ts` in development), mapped to
 * the one that loads liquidjs when a workflow first renders rather than when it starts. That one's
 * `require` is webpack's loader only in a CommonJS-aware module, which dist/'s `.js` (an ES module
 * by package.json) is not unless a rule says so.
 */
function lazyLiquidjs(entry: string): { alias: Record<string, string>; rule: { test: string; type: string } } {
  const eager = fileURLToPath(new URL("../engine/template/liquidjs-module.js", pathToFileURL(entry)));
  const lazy = fileURLToPath(new URL("../engine/template/liquidjs-module-lazy.js", pathToFileURL(entry)));
  return {
    alias: { [eager]: lazy, [eager.replace(/\.js$/, ".ts")]: lazy },
    rule: { test: lazy, type: "javascript/auto" },
  };
}

/** Bundles the workflow code once; hand the result to every worker (bundling takes seconds). */
export async function bundleJourneyWorkflows(): Promise<WorkflowBundleWithSourceMap> {
  const entry = workflowsPath();
  const liquidjs = lazyLiquidjs(entry);
  return bundleWorkflowCode({
    workflowsPath: entry,
    webpackConfigHook: (config) => {
      const alias = config.resolve?.alias;
      return {
        ...config,
        resolve: {
          ...config.resolve,
          // The sources import `./x.js` as Node's ESM resolution wants; let webpack find the `.ts` file.
          extensionAlias: { ".js": [".ts", ".js"] },
          alias: { ...(Array.isArray(alias) ? {} : alias), ...liquidjs.alias },
        },
        module: { ...config.module, rules: [...(config.module?.rules ?? []), liquidjs.rule] },
      };
    },
    logger: quietLogger,
  });
}
