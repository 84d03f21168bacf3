import type { Decision } from "./journey-types.js";

/** How many decisions a journey or an account keeps: the newest ones. */
export const MAX_DECISIONS = 200;

/** Appends a decision, dropping the oldest beyond MAX_DECISIONS. */
export function recordDecision(decisions: Decision[], decision: Decision): void {
  decisions.push(decision);
  if (decisions.length > MAX_DECISIONS) decisions.splice(0, decisions.length - MAX_DECISIONS);
}
