// The plan set as the resolvePlans local activity returns it: JSON, deflated. Temporal stores a
// Uint8Array as a binary payload, so the marker in each account's history holds about 3 KiB where
// the five bundled plans take 15 KiB as JSON. fflate's browser build is plain JavaScript, so the
// workflow inflates it deterministically.
import { deflateSync, inflateSync, strFromU8, strToU8 } from "fflate/browser";
import type { ResolvePlansResult } from "./account-messages.js";

/** A ResolvePlansResult as deflated JSON. */
export type PackedPlans = Uint8Array;

/** Packs a result for the marker. */
export function packPlans(result: ResolvePlansResult): PackedPlans {
  return deflateSync(strToU8(JSON.stringify(result)), { level: 6 });
}

/** Unpacks a result in the workflow. */
export function unpackPlans(packed: PackedPlans): ResolvePlansResult {
  return JSON.parse(strFromU8(inflateSync(packed))) as ResolvePlansResult;
}
