import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";
import { projectRoot } from "./project-root.js";

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    if (dir !== "" && executable(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

/**
 * The Temporal CLI (dev server and Web UI): TEMPORAL_CLI_PATH, else `temporal` on PATH, else the
 * copy `npm install` put in .playloop/bin. Undefined means: let the SDK download it.
 */
export function findTemporalCli(): string | undefined {
  const configured = process.env.TEMPORAL_CLI_PATH;
  if (configured !== undefined && configured !== "") return configured;
  const installed = join(projectRoot(), ".playloop", "bin", "temporal");
  return onPath("temporal") ?? (executable(installed) ? installed : undefined);
}

/** The time-skipping test server: TEMPORAL_TEST_SERVER_PATH, else .playloop/bin; undefined: SDK download. */
export function findTestServer(): string | undefined {
  const configured = process.env.TEMPORAL_TEST_SERVER_PATH;
  if (configured !== undefined && configured !== "") return configured;
  const installed = join(projectRoot(), ".playloop", "bin", "temporal-test-server");
  return executable(installed) ? installed : onPath("temporal-test-server");
}
