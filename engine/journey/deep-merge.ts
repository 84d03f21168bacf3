import { FORBIDDEN_SEGMENTS } from "../rules/safe-path.js";

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Merges a patch into a snapshot: objects merge key by key, anything else replaces. Keys that
 * could reach a prototype are dropped, so an event can never pollute one.
 */
export function deepMerge<T extends Record<string, unknown>>(base: T, patch: Readonly<Record<string, unknown>>): T {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(patch)) {
    if (FORBIDDEN_SEGMENTS.has(key)) continue;
    const current = out[key];
    out[key] = isRecord(current) && isRecord(value) ? deepMerge(current, value) : value;
  }
  return out as T;
}
