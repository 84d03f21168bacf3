import { execFileSync } from "node:child_process";

/** What `git -C dir ...args` prints, or undefined when git fails (not a repository, no such file, no git). */
export function gitOutput(dir: string, args: readonly string[]): string | undefined {
  try {
    return execFileSync("git", ["-C", dir, ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
  } catch {
    return undefined;
  }
}
