import type { DiagnosticCode } from "./codes.js";

/** How bad a diagnostic is: errors stop compilation, warnings do not. */
export type Severity = "error" | "warning";

/** A position in a source file, 1-based line and column. */
export interface SourcePosition {
  readonly line: number;
  readonly col: number;
}

/** One problem found in a playbook, pointing at the file, line and column to fix. */
export interface Diagnostic extends SourcePosition {
  readonly code: DiagnosticCode;
  readonly severity: Severity;
  readonly message: string;
  readonly file: string;
  /** How many characters the caret underlines; 1 when unknown. */
  readonly length: number;
}

/** Builds a diagnostic; the severity follows from the code's prefix. */
export function diagnostic(
  code: DiagnosticCode,
  message: string,
  file: string,
  at: SourcePosition & { length?: number },
): Diagnostic {
  return {
    code,
    severity: code.startsWith("W_") ? "warning" : "error",
    message,
    file,
    line: at.line,
    col: at.col,
    length: Math.max(1, at.length ?? 1),
  };
}

/** True when any diagnostic is an error. */
export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === "error");
}

/** Sorts diagnostics by file, line and column, keeping their order otherwise. */
export function sortDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return [...diagnostics].sort((a, b) =>
    a.file === b.file ? a.line - b.line || a.col - b.col : a.file < b.file ? -1 : 1,
  );
}
