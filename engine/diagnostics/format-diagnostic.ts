import type { Diagnostic } from "./diagnostic.js";

const MAX_SHOWN_LINE = 160;

function hasControlCharacters(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 && code !== 0x09) return true;
  }
  return false;
}

/**
 * Formats a diagnostic as `file:line:col severity CODE message`, followed by the source line and
 * a caret under the problem when the source text is given.
 */
export function formatDiagnostic(d: Diagnostic, source?: string): string {
  const head = `${d.file}:${d.line}:${d.col} ${d.severity} ${d.code} ${d.message}`;
  const text = source?.split(/\r?\n/)[d.line - 1];
  if (text === undefined || text.length > MAX_SHOWN_LINE || hasControlCharacters(text)) return head;
  const gutter = String(d.line);
  const pad = " ".repeat(gutter.length);
  const lead = text.slice(0, d.col - 1).replace(/[^\t]/g, " ");
  const width = Math.min(d.length, Math.max(1, text.length - d.col + 1));
  return `${head}\n ${gutter} | ${text}\n ${pad} | ${lead}${"^".repeat(width)}`;
}
