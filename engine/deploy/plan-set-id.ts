import { canonicalJson } from "../compile/canonical-json.js";
import type { PlayControl } from "../messages/account-messages.js";
import type { AccountPolicy } from "../validate/validate-policy.js";

const FNV_OFFSET = 0xcbf29ce484222325n;
const FNV_PRIME = 0x100000001b3n;
const MASK = 0xffffffffffffffffn;

/** FNV-1a, 64 bits, over UTF-16 code units: deterministic and free of node:crypto, so workflows can run it. */
function fnv1a64(text: string): string {
  let hash = FNV_OFFSET;
  for (let i = 0; i < text.length; i++) hash = ((hash ^ BigInt(text.charCodeAt(i))) * FNV_PRIME) & MASK;
  return hash.toString(16).padStart(16, "0");
}

/**
 * The id of a plan set: `set:` and a hash of its versions, policy and controls. The same content
 * gets the same id in every process, the deployments workflow included (which is why it is not
 * SHA-256: node:crypto is not available inside workflows). It names sets; it guards no secret.
 */
export function planSetId(
  versions: Readonly<Record<string, string>>,
  policy: AccountPolicy,
  controls?: Readonly<Record<string, PlayControl>>,
): string {
  const hasControls = controls !== undefined && Object.keys(controls).length > 0;
  return `set:${fnv1a64(canonicalJson(hasControls ? { versions, policy, controls } : { versions, policy }))}`;
}
