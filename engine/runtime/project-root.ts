import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The playloop package's root folder, found from this module (works from engine/ and dist/). */
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
