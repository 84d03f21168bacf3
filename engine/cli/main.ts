#!/usr/bin/env node
// The playloop command line. Commands print diagnostics as file:line:col and exit 1 on errors.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Command } from "commander";
import { compilePlan } from "../compile/compile-playbook.js";
import { formatJson } from "../compile/format-json.js";
import type { CompiledPlan } from "../compile/plan.js";
import { hasErrors } from "../diagnostics/diagnostic.js";
import { formatDiagnostic } from "../diagnostics/format-diagnostic.js";
import { journeyMermaid } from "../graph/journey-mermaid.js";
import { findPlaybookFiles, validateFiles, type FileResult } from "../validate/validate-files.js";

function report(results: readonly FileResult[], json: boolean): boolean {
  const diagnostics = results.flatMap((r) => r.diagnostics);
  if (json) {
    process.stdout.write(`${JSON.stringify({ files: results.length, diagnostics }, null, 2)}\n`);
  } else {
    for (const result of results) {
      for (const d of result.diagnostics) process.stderr.write(`${formatDiagnostic(d, result.source?.text)}\n`);
    }
  }
  return !hasErrors(diagnostics);
}

function load(paths: readonly string[], json = false): CompiledPlan[] | undefined {
  const files = findPlaybookFiles(paths);
  if (files.length === 0) {
    process.stderr.write(`no playbook files (*.yaml, *.yml) in ${paths.join(", ")}\n`);
    return undefined;
  }
  const results = validateFiles(files);
  if (!report(results, json)) return undefined;
  return results.flatMap((r) => (r.playbook === undefined ? [] : [compilePlan(r.playbook)]));
}

const program = new Command()
  .name("playloop")
  .description("Revenue plays on existing customers: validate, compile and graph YAML playbooks.")
  .showHelpAfterError()
  .configureOutput({ outputError: (text, write) => write(text) });

program
  .command("validate")
  .description("Check playbooks against the schema and the language's rules; exit 1 on any error.")
  .argument("<paths...>", "playbook files or folders (searched for *.yaml and *.yml)")
  .option("--json", "print diagnostics as JSON on stdout")
  .action((paths: string[], options: { json?: boolean }) => {
    const plans = load(paths, options.json === true);
    if (plans === undefined) process.exitCode = 1;
    else if (options.json !== true)
      process.stdout.write(
        `${plans.length} playbook${plans.length === 1 ? "" : "s"} valid: ${plans.map((p) => p.id).join(", ")}\n`,
      );
  });

program
  .command("compile")
  .description("Compile playbooks to plans (JSON Logic rules and the stage graph). One file prints its plan on stdout.")
  .argument("<paths...>", "playbook files or folders")
  .option("-o, --out-dir <dir>", "write each plan to <dir>/<playbook id>.plan.json")
  .action((paths: string[], options: { outDir?: string }) => {
    const plans = load(paths);
    if (plans === undefined) {
      process.exitCode = 1;
      return;
    }
    if (options.outDir === undefined) {
      if (plans.length !== 1) {
        process.stderr.write(`${plans.length} playbooks found; give one file, or --out-dir to write them all\n`);
        process.exitCode = 1;
        return;
      }
      process.stdout.write(`${formatJson(plans[0])}\n`);
      return;
    }
    mkdirSync(options.outDir, { recursive: true });
    for (const plan of plans) {
      const target = join(options.outDir, `${plan.id}.plan.json`);
      writeFileSync(target, `${formatJson(plan)}\n`);
      process.stdout.write(`${target}  ${plan.version}\n`);
    }
  });

program
  .command("graph")
  .description("Print a playbook's journey as a Mermaid flowchart (renders on GitHub inside ```mermaid).")
  .argument("<file>", "a playbook file")
  .action((file: string) => {
    const plans = load([file]);
    if (plans?.[0] === undefined) process.exitCode = 1;
    else process.stdout.write(journeyMermaid(plans[0]));
  });

program.parseAsync(process.argv).catch((error: unknown) => {
  process.stderr.write(`playloop: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
