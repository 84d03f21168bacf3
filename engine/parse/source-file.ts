import { readFileSync, statSync } from "node:fs";
import { diagnostic, type Diagnostic } from "../diagnostics/diagnostic.js";

/** A playbook's text and the name diagnostics use for it. */
export interface SourceFile {
  readonly file: string;
  readonly text: string;
}

/** Playbooks larger than this are refused before they are read: no playbook needs more. */
export const MAX_SOURCE_BYTES = 1024 * 1024;

const START = { line: 1, col: 1 };

/** Decodes bytes as a playbook's UTF-8 text, refusing empty, binary and oversized input. */
export function decodeSource(file: string, bytes: Uint8Array): { source?: SourceFile; diagnostics: Diagnostic[] } {
  if (bytes.byteLength > MAX_SOURCE_BYTES) {
    const size = `${(bytes.byteLength / 1024 / 1024).toFixed(1)} MiB`;
    return {
      diagnostics: [diagnostic("E_FILE_TOO_LARGE", `file is ${size}; a playbook may be at most 1 MiB`, file, START)],
    };
  }
  const nul = bytes.indexOf(0);
  let text: string;
  try {
    if (nul !== -1) throw new Error("NUL byte");
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    return { diagnostics: [diagnostic("E_FILE_BINARY", "file is not UTF-8 text; is it a binary file?", file, START)] };
  }
  if (text.trim() === "") {
    return {
      diagnostics: [
        diagnostic("E_FILE_EMPTY", "file is empty; a playbook needs at least `playbook:` and `journey:`", file, START),
      ],
    };
  }
  return { source: { file, text }, diagnostics: [] };
}

/** Reads a playbook file, refusing oversized files before reading them. */
export function readSource(file: string): { source?: SourceFile; diagnostics: Diagnostic[] } {
  try {
    const stat = statSync(file);
    if (!stat.isFile()) {
      return { diagnostics: [diagnostic("E_FILE_READ", "not a regular file", file, START)] };
    }
    if (stat.size > MAX_SOURCE_BYTES) return decodeSource(file, new Uint8Array(stat.size));
    return decodeSource(file, readFileSync(file));
  } catch (error) {
    const reason = error instanceof Error && "code" in error ? String(error.code) : "unknown error";
    return { diagnostics: [diagnostic("E_FILE_READ", `cannot read file (${reason})`, file, START)] };
  }
}
