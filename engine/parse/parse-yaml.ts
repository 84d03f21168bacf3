import { LineCounter, parseAllDocuments, visit, type Document } from "yaml";
import type { DiagnosticCode } from "../diagnostics/codes.js";
import { diagnostic, type Diagnostic } from "../diagnostics/diagnostic.js";
import type { SourceFile } from "./source-file.js";

/** A parsed YAML document with what later stages need to point back into the text. */
export interface ParsedYaml {
  readonly source: SourceFile;
  readonly document: Document.Parsed;
  readonly lineCounter: LineCounter;
  /** The document as plain JSON-compatible data. */
  readonly value: unknown;
}

/** Aliases may expand at most this many nodes: enough for any playbook, far too few for a bomb. */
const MAX_ALIAS_COUNT = 100;

const YAML_CODES: Readonly<Record<string, DiagnosticCode>> = {
  TAB_AS_INDENT: "E_YAML_TAB",
  DUPLICATE_KEY: "E_YAML_DUPLICATE_KEY",
};

/** Parses YAML text into one document, collecting every syntax problem as a diagnostic. */
export function parseYaml(source: SourceFile): { parsed?: ParsedYaml; diagnostics: Diagnostic[] } {
  const lineCounter = new LineCounter();
  const documents = parseAllDocuments(source.text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number, end?: number) => {
    const pos = lineCounter.linePos(offset);
    return { ...pos, length: end === undefined ? 1 : end - offset };
  };
  if (!Array.isArray(documents)) {
    return { diagnostics: [diagnostic("E_FILE_EMPTY", "file holds no YAML document", source.file, at(0))] };
  }
  const diagnostics: Diagnostic[] = [];
  for (const extra of documents.slice(1)) {
    const offset = extra.range[0];
    diagnostics.push(
      diagnostic(
        "E_YAML_MULTI_DOCUMENT",
        "a playbook file holds one YAML document; remove the `---` separator",
        source.file,
        at(offset),
      ),
    );
  }
  const document = documents[0];
  if (document === undefined) {
    return { diagnostics: [diagnostic("E_FILE_EMPTY", "file holds no YAML document", source.file, at(0))] };
  }
  for (const error of [...document.errors, ...document.warnings]) {
    const code = YAML_CODES[error.code] ?? "E_YAML_SYNTAX";
    const first = error.message.split("\n")[0] ?? error.message;
    const message = /call stack/i.test(first) ? "the YAML nests too deeply" : first;
    diagnostics.push(
      diagnostic(code, message, source.file, at(error.pos[0], Math.min(error.pos[1], error.pos[0] + 40))),
    );
  }
  if (diagnostics.length > 0) return { diagnostics };
  if (document.contents === null) {
    return {
      diagnostics: [
        diagnostic(
          "E_FILE_EMPTY",
          "file holds only comments; a playbook needs at least `playbook:` and `journey:`",
          source.file,
          at(0),
        ),
      ],
    };
  }
  let value: unknown;
  try {
    value = document.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    let offset = 0;
    visit(document, {
      Alias(_, node) {
        offset = node.range?.[0] ?? 0;
        return visit.BREAK;
      },
    });
    const reason = error instanceof Error ? error.message : String(error);
    const code = /alias/i.test(reason) ? "E_YAML_ALIAS_LIMIT" : "E_YAML_SYNTAX";
    const message =
      code === "E_YAML_ALIAS_LIMIT"
        ? `aliases expand too far (more than ${MAX_ALIAS_COUNT} nodes); is this an alias bomb?`
        : reason;
    return { diagnostics: [diagnostic(code, message, source.file, at(offset))] };
  }
  return { parsed: { source, document, lineCounter, value }, diagnostics: [] };
}
