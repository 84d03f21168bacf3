import { createHash } from "node:crypto";
import { canonicalJson } from "./canonical-json.js";

export { canonicalJson };

/** A short, stable content hash: `sha256:` and the first 16 hex digits. */
export function contentHash(value: unknown): string {
  return `sha256:${createHash("sha256").update(canonicalJson(value)).digest("hex").slice(0, 16)}`;
}
