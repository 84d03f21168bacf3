import { formatDiagnostic } from "../diagnostics/format-diagnostic.js";
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import type { ExpectationResult } from "./check-expectations.js";
import type { ScenarioRun } from "./run-scenario.js";

/** One test file's outcome: its diagnostics when invalid, else each expectation's verdict and the run. */
export interface TestFileResult {
  readonly file: string;
  readonly name?: string;
  readonly text?: string;
  readonly diagnostics: readonly Diagnostic[];
  readonly results: readonly ExpectationResult[];
  readonly run?: ScenarioRun;
  /** How long the run took, in milliseconds. */
  readonly ms?: number;
}

/** Decisions that only confirm what the actions already show. */
const QUIET = new Set(["delivered"]);

/** What happened, one line per action, decision and stage change, in order of day. */
export function formatTimeline(run: ScenarioRun): string[] {
  const lines: { day: number; seq: number; text: string }[] = [];
  const add = (at: { day: number; seq: number }, who: string, text: string): void => {
    lines.push({ ...at, text: `day ${String(at.day).padStart(3)}  ${who.padEnd(26)} ${text}` });
  };
  for (const d of run.decisions)
    if (!QUIET.has(d.kind)) add(d, d.playbook ?? "account", `${d.stage}  ${d.kind}: ${d.reason}`);
  for (const a of run.actions)
    add(a, a.playbook, `${a.stage}  action ${a.action} (${a.step})${a.template === undefined ? "" : ` ${a.template}`}`);
  // A stage change shows after what the input that made it did (a stable sort keeps it there).
  for (const s of run.stages) add(s, s.playbook, s.stage === "ended" ? `ended: ${s.outcome ?? ""}` : `-> ${s.stage}`);
  return lines.sort((a, b) => a.day - b.day || a.seq - b.seq).map((line) => line.text);
}

/** The human report: each failure at file:line:col with what happened beside it, then a summary. */
export function formatTestReport(files: readonly TestFileResult[]): string {
  const out: string[] = [];
  for (const file of files) {
    if (file.diagnostics.length > 0) {
      out.push(...file.diagnostics.map((d) => formatDiagnostic(d, file.text)));
      continue;
    }
    const failed = file.results.filter((r) => !r.passed);
    out.push(
      `${failed.length === 0 ? "✓" : "✗"} ${file.file}  ${file.name ?? ""}${file.ms === undefined ? "" : ` (${file.ms.toFixed(1)} ms)`}`,
    );
    for (const result of failed) {
      const { line, col } = result.expectation.span;
      out.push(`  ${file.file}:${line}:${col} expected ${result.expectation.text}; ${result.message ?? ""}`);
    }
    if (failed.length > 0 && file.run !== undefined) {
      out.push("  what happened:");
      out.push(...formatTimeline(file.run).map((line) => `    ${line}`));
    }
  }
  const invalid = files.filter((f) => f.diagnostics.length > 0).length;
  const failing = files.filter((f) => f.results.some((r) => !r.passed)).length;
  const expectations = files.reduce((n, f) => n + f.results.length, 0);
  out.push(
    "",
    `${files.length} test file${files.length === 1 ? "" : "s"}, ${expectations} expectations: ${files.length - invalid - failing} passed, ${failing} failed${invalid === 0 ? "" : `, ${invalid} invalid`}`,
  );
  return `${out.join("\n")}\n`;
}

const xml = (text: string): string =>
  text.replace(/[<>&"']/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;", "'": "&apos;" })[c] ?? c);

/** JUnit XML: a suite per test file, a case per expectation; an invalid file is one errored case. */
export function formatJunit(files: readonly TestFileResult[]): string {
  const suites = files.map((file) => {
    const cases =
      file.diagnostics.length > 0
        ? [
            `    <testcase classname="${xml(file.file)}" name="valid test file"><error message="${xml(file.diagnostics[0]?.message ?? "")}">${xml(file.diagnostics.map((d) => formatDiagnostic(d)).join("\n"))}</error></testcase>`,
          ]
        : file.results.map((r) => {
            const name = xml(`${file.name ?? file.file}: ${r.expectation.text}`);
            const where = `${file.file}:${r.expectation.span.line}:${r.expectation.span.col}`;
            return r.passed
              ? `    <testcase classname="${xml(file.file)}" name="${name}"/>`
              : `    <testcase classname="${xml(file.file)}" name="${name}"><failure message="${xml(`${where} ${r.message ?? ""}`)}">${xml([`${where} expected ${r.expectation.text}; ${r.message ?? ""}`, ...(file.run === undefined ? [] : formatTimeline(file.run))].join("\n"))}</failure></testcase>`;
          });
    const failures = file.results.filter((r) => !r.passed).length;
    const errors = file.diagnostics.length > 0 ? 1 : 0;
    return `  <testsuite name="${xml(file.file)}" tests="${cases.length}" failures="${failures}" errors="${errors}" time="${((file.ms ?? 0) / 1000).toFixed(4)}">\n${cases.join("\n")}\n  </testsuite>`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="playloop test">\n${suites.join("\n")}\n</testsuites>\n`;
}
