import { writeFileSync } from "node:fs";
import { basename, dirname, resolve } from "node:path";
import type { Command } from "commander";
import { formatJunit, formatTestReport, type TestFileResult } from "../scenario/format-test-report.js";
import { findTestFiles, runPlaybookTests, runPlaybookTestsOnTemporal } from "../scenario/run-playbook-tests.js";
import { loadPlaybooks, PlaybookLoadError, type LoadedPlaybooks } from "../runtime/load-plans.js";
import { defaultPlaybooksDir } from "../runtime/project-root.js";
// Type only: the Temporal runner (and the SDK) load only for --temporal.
import type { TemporalScenarioRunner } from "../scenario/run-scenario-temporal.js";

/** The playbooks folder a test file runs against: the one holding its tests/ folder, else `fallback`. */
function playbooksFolderOf(file: string, fallback: string): string {
  const parent = dirname(resolve(file));
  return basename(parent) === "tests" ? dirname(parent) : fallback;
}

/** `playloop test`: playbook tests on the journey core in process; exit 1 on a failure, 2 on an invalid file. */
export function registerTestCommand(program: Command): void {
  program
    .command("test")
    .description(
      "Run playbook tests (*.test.yaml) on the journey core in process, a simulated year in milliseconds (or with --temporal on the real account workflow); exit 1 when an expectation fails, 2 when a file is invalid.",
    )
    .argument("[paths...]", "test files or folders (default: the playbooks folder)")
    .option(
      "--playbooks <dir>",
      "the playbooks folder for tests outside a tests/ folder (default: PLAYLOOP_PLAYBOOKS or ./playbooks)",
    )
    .option("--reporter <name>", "text or junit", "text")
    .option("--temporal", "run on the real account workflow, each test on its own time-skipping Temporal server")
    .option("-o, --output <file>", "write the report to this file instead of stdout")
    .action(
      async (
        paths: string[],
        options: { playbooks?: string; reporter: string; output?: string; temporal?: boolean },
      ) => {
        if (options.reporter !== "text" && options.reporter !== "junit") {
          process.stderr.write(`unknown reporter "${options.reporter}": use text or junit\n`);
          process.exitCode = 2;
          return;
        }
        const fallback = resolve(options.playbooks ?? process.env.PLAYLOOP_PLAYBOOKS ?? defaultPlaybooksDir());
        const files = findTestFiles(paths.length === 0 ? [fallback] : paths);
        if (files.length === 0) {
          process.stderr.write(
            `no playbook tests (*.test.yaml) under ${(paths.length === 0 ? [fallback] : paths).join(", ")}\n`,
          );
          process.exitCode = 2;
          return;
        }
        const byFolder = new Map<string, string[]>();
        for (const file of files) {
          const folder = playbooksFolderOf(file, fallback);
          byFolder.set(folder, [...(byFolder.get(folder) ?? []), file]);
        }
        const results: TestFileResult[] = [];
        let runner: TemporalScenarioRunner | undefined;
        for (const [folder, tests] of byFolder) {
          let loaded: LoadedPlaybooks;
          try {
            loaded = loadPlaybooks(folder);
          } catch (error) {
            if (!(error instanceof PlaybookLoadError)) throw error;
            process.stderr.write(`${error.message}\n`);
            process.exitCode = 2;
            return;
          }
          if (options.temporal !== true) results.push(...runPlaybookTests(tests, loaded, folder));
          else {
            const { TemporalScenarioRunner } = await import("../scenario/run-scenario-temporal.js");
            runner ??= await TemporalScenarioRunner.create();
            results.push(...(await runPlaybookTestsOnTemporal(tests, loaded, folder, runner)));
          }
        }
        const report = options.reporter === "junit" ? formatJunit(results) : formatTestReport(results);
        if (options.output === undefined) process.stdout.write(report);
        else {
          writeFileSync(options.output, report);
          if (options.reporter === "junit") process.stdout.write(formatTestReport(results));
        }
        if (results.some((r) => r.diagnostics.length > 0)) process.exitCode = 2;
        else if (results.some((r) => r.results.some((x) => !x.passed))) process.exitCode = 1;
      },
    );
}
