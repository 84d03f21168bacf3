import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";

/**
 * Expands files and folders into the files `include` accepts, sorted, recursing into folders
 * except hidden ones, node_modules and those `skipFolder` names. A path given explicitly is kept
 * as given (even when missing, so that reading it reports the problem).
 */
export function findFiles(
  paths: readonly string[],
  include: (file: string) => boolean,
  skipFolder: (name: string) => boolean = () => false,
): string[] {
  const found: string[] = [];
  const walk = (path: string, explicit: boolean): void => {
    let isDirectory: boolean;
    try {
      isDirectory = statSync(path).isDirectory();
    } catch {
      if (explicit) found.push(path);
      return;
    }
    if (!isDirectory) {
      if (explicit || include(path)) found.push(path);
      return;
    }
    for (const entry of readdirSync(path).sort())
      if (!entry.startsWith(".") && entry !== "node_modules" && !skipFolder(entry)) walk(join(path, entry), false);
  };
  for (const path of paths) walk(path, true);
  return found;
}
