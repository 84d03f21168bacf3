import type { Diagnostic } from "../diagnostics/diagnostic.js";
import { parseYaml, type ParsedYaml } from "./parse-yaml.js";
import { decodeSource } from "./source-file.js";

/** Parses playbook text or bytes into a YAML document; malformed input gives diagnostics, not throws. */
export function parsePlaybook(
  input: string | Uint8Array,
  file = "<playbook>",
): { parsed?: ParsedYaml; diagnostics: Diagnostic[] } {
  const bytes = typeof input === "string" ? new TextEncoder().encode(input) : input;
  const decoded = decodeSource(file, bytes);
  if (decoded.source === undefined) return { diagnostics: decoded.diagnostics };
  return parseYaml(decoded.source);
}
