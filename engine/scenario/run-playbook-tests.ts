import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { findFiles } from "../parse/find-files.js";
import { readSource } from "../parse/source-file.js";
import type { LoadedPlaybooks } from "../runtime/load-plans.js";
import { checkExpectation } from "./check-expectations.js";
import type { TestFileResult } from "./format-test-report.js";
import { parseScenario, type ScenarioFolder } from "./parse-scenario.js";
import { runScenario, type ScenarioRun } from "./run-scenario.js";
import type { Scenario } from "./scenario.js";

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

/** One test file read and parsed: the scenario to run, or the file's result when it is invalid. */
type ParsedTest = { readonly scenario: Scenario; readonly text: string } | { readonly invalid: TestFileResult };

function parseTestFile(file: string, folder: LoadedPlaybooks, sample: ScenarioFolder["sample"]): ParsedTest {
  const { source, diagnostics: unreadable } = readSource(file);
  if (source === undefined) return { invalid: { file, diagnostics: unreadable, results: [] } };
  const playbookIds = folder.plans.map((plan) => plan.id);
  const { scenario, diagnostics } = parseScenario(source.text, file, { playbookIds, sample });
  if (scenario === undefined) return { invalid: { file, text: source.text, diagnostics, results: [] } };
  return { scenario, text: source.text };
}

function resultOf(
  file: string,
  parsed: { scenario: Scenario; text: string },
  run: ScenarioRun,
  ms: number,
): TestFileResult {
  return {
    file,
    name: parsed.scenario.name,
    text: parsed.text,
    diagnostics: [],
    results: parsed.scenario.expectations.map((expectation) => checkExpectation(expectation, run)),
    run,
    ms,
  };
}

/** Runs every playbook test under `paths` against the folder's compiled playbooks, in process. */
export function runPlaybookTests(paths: readonly string[], folder: LoadedPlaybooks, dir: string): TestFileResult[] {
  const sample = samplesOf(dir);
  return findTestFiles(paths).map((file): TestFileResult => {
    const parsed = parseTestFile(file, folder, sample);
    if ("invalid" in parsed) return parsed.invalid;
    const began = performance.now();
    const run = runScenario(parsed.scenario, folder.plans, folder.policy);
    return resultOf(file, parsed, run, performance.now() - began);
  });
}

/**
 * Runs every playbook test under `paths` on the real account workflow, each on its own
 * time-skipping Temporal server (`playloop test --temporal`), one after another.
 */
export async function runPlaybookTestsOnTemporal(
  paths: readonly string[],
  folder: LoadedPlaybooks,
  dir: string,
  runner: {
    run(scenario: Scenario, plans: LoadedPlaybooks["plans"], policy: LoadedPlaybooks["policy"]): Promise<ScenarioRun>;
  },
): Promise<TestFileResult[]> {
  const sample = samplesOf(dir);
  const results: TestFileResult[] = [];
  for (const file of findTestFiles(paths)) {
    const parsed = parseTestFile(file, folder, sample);
    if ("invalid" in parsed) {
      results.push(parsed.invalid);
      continue;
    }
    const began = performance.now();
    const run = await runner.run(parsed.scenario, folder.plans, folder.policy);
    results.push(resultOf(file, parsed, run, performance.now() - began));
  }
  return results;
}
