import type { Decision } from "./journey-types.js";

/** How many decisions a play keeps: the newest ones (older ones are in the workflow's history). */
export const MAX_PLAY_DECISIONS = 40;
/** How many account-level decisions (arbitration, caps, re-entries, plan changes) an account keeps. */
export const MAX_ACCOUNT_DECISIONS = 60;

/** Appends a decision, dropping the oldest beyond `max`. */
export function recordDecision(decisions: Decision[], decision: Decision, max: number): void {
  decisions.push(decision);
  if (decisions.length > max) decisions.splice(0, decisions.length - max);
}
