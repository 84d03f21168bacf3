import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { findFiles } from "../parse/find-files.js";
import { readSource } from "../parse/source-file.js";
import type { LoadedPlaybooks } from "../runtime/load-plans.js";
import { checkExpectation } from "./check-expectations.js";
import type { TestFileResult } from "./format-test-report.js";
import { parseScenario, type ScenarioFolder } from "./parse-scenario.js";
import { runScenario } from "./run-scenario.js";

/** True for a playbook test's file name. */
export function isTestFile(file: string): boolean {
  return /\.test\.ya?ml$/.test(file);
}

/** Expands files and folders into playbook test files (`*.test.yaml`), sorted. */
export function findTestFiles(paths: readonly string[]): string[] {
  return findFiles(paths, isTestFile);
}

/** The sample accounts in a playbooks folder's samples/, read when a test asks for one. */
function samplesOf(dir: string): ScenarioFolder["sample"] {
  return (name) => {
    const file = join(dir, "samples", `${name}.json`);
    if (!existsSync(file)) return undefined;
    try {
      const value: unknown = JSON.parse(readFileSync(file, "utf8"));
      return value !== null && typeof value === "object" && !Array.isArray(value)
        ? (value as Record<string, unknown>)
        : undefined;
    } catch {
      return undefined;
    }
  };
}

/** Runs every playbook test under `paths` against the folder's compiled playbooks, in process. */
export function runPlaybookTests(paths: readonly string[], folder: LoadedPlaybooks, dir: string): TestFileResult[] {
  const sample = samplesOf(dir);
  const playbookIds = folder.plans.map((plan) => plan.id);
  return findTestFiles(paths).map((file): TestFileResult => {
    const { source, diagnostics: unreadable } = readSource(file);
    if (source === undefined) return { file, diagnostics: unreadable, results: [] };
    const { scenario, diagnostics } = parseScenario(source.text, file, { playbookIds, sample });
    if (scenario === undefined) return { file, text: source.text, diagnostics, results: [] };
    const began = performance.now();
    const run = runScenario(scenario, folder.plans, folder.policy);
    const ms = performance.now() - began;
    return {
      file,
      name: scenario.name,
      text: source.text,
      diagnostics: [],
      results: scenario.expectations.map((expectation) => checkExpectation(expectation, run)),
      run,
      ms,
    };
  });
}
