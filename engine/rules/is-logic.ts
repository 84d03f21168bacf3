/** True for a JSON Logic operation: a plain object with exactly one key (json-logic-js `is_logic`). */
export function isLogic(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) && Object.keys(value).length === 1;
}

/** The operator and its argument list, a lone argument wrapped as json-logic-js does. */
export function splitLogic(logic: Record<string, unknown>): { op: string; args: unknown[] } {
  const op = Object.keys(logic)[0] ?? "";
  const raw = logic[op];
  return { op, args: Array.isArray(raw) ? raw : [raw] };
}
