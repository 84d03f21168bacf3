// bench/results/latest.json: one file for every part of `npm run bench`. Each part rewrites its
// own keys and keeps the others (the rules part writes `rules`; the Temporal part the rest).
import { cpus, platform, release, arch, totalmem } from "node:os";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { projectRoot } from "../engine/runtime/project-root.js";

export type Results = Record<string, unknown>;

export const RESULTS_FILE = join(projectRoot(), "bench", "results", "latest.json");

/** The machine the figures were measured on. */
export function machine(): Results {
  return {
    cpus: cpus().length,
    cpu_model: cpus()[0]?.model ?? "unknown",
    memory_gib: Number((totalmem() / 1024 ** 3).toFixed(1)),
    node: process.version,
    os: `${platform()} ${release()} ${arch()}`,
  };
}

/** Rewrites latest.json with what `update` makes of its current content. */
export function updateResults(update: (previous: Results) => Results): void {
  const previous = existsSync(RESULTS_FILE) ? (JSON.parse(readFileSync(RESULTS_FILE, "utf8")) as Results) : {};
  mkdirSync(dirname(RESULTS_FILE), { recursive: true });
  writeFileSync(RESULTS_FILE, `${JSON.stringify(update(previous), null, 2)}\n`);
}

/** A figure rounded for the file. */
export const round = (value: number, digits = 2): number => Number(value.toFixed(digits));
