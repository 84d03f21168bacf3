const INLINE_WIDTH = 88;

function inline(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((item) => inline(item ?? null)).join(", ")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    return entries.length === 0
      ? "{}"
      : `{ ${entries.map(([k, v]) => `${JSON.stringify(k)}: ${inline(v)}`).join(", ")} }`;
  }
  return JSON.stringify(value) ?? "null";
}

/**
 * Pretty JSON that keeps small values on one line, so JSON Logic rules stay readable:
 * `{ ">=": [{ "var": "arr" }, 20000] }` rather than eleven lines. Deterministic; parses back to
 * the same value as JSON.stringify would give.
 */
export function formatJson(value: unknown, indent = ""): string {
  const compact = inline(value);
  if (indent.length + compact.length <= INLINE_WIDTH || value === null || typeof value !== "object") return compact;
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    return `[\n${value.map((item) => `${inner}${formatJson(item ?? null, inner)}`).join(",\n")}\n${indent}]`;
  }
  const entries = Object.entries(value).filter(([, v]) => v !== undefined);
  return `{\n${entries.map(([k, v]) => `${inner}${JSON.stringify(k)}: ${formatJson(v, inner)}`).join(",\n")}\n${indent}}`;
}
