import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The playloop package's root folder, found from this module (works from engine/ and dist/): the
 * repository in development, node_modules/playloop or the global install folder once installed.
 * It holds the bundled playbooks and .playloop/bin; the working data lives where playloop runs.
 */
export function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, "package.json");
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, "utf8")) as { name?: string }).name === "playloop")
      return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error("cannot find the playloop package root");
    dir = parent;
  }
}

/** Where the dev server's state and the action log go without PLAYLOOP_DATA_DIR: `.playloop/data` under `cwd`. */
export function defaultDataDir(cwd: string = process.cwd()): string {
  return resolve(cwd, ".playloop", "data");
}

/**
 * The playbooks run without PLAYLOOP_PLAYBOOKS: the `playbooks` folder under `cwd` when there is
 * one, else the sample playbooks bundled with the package.
 */
export function defaultPlaybooksDir(cwd: string = process.cwd()): string {
  return hasLocalPlaybooks(cwd) ? resolve(cwd, "playbooks") : join(projectRoot(), "playbooks");
}

/** True when `cwd` holds a `playbooks` folder of its own. */
export function hasLocalPlaybooks(cwd: string = process.cwd()): boolean {
  return existsSync(resolve(cwd, "playbooks"));
}
