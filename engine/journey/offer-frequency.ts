import type { FrequencyCap } from "../ast/playbook.js";
import type { JourneyEvent } from "./journey-types.js";

/** Why the frequency rule refuses another offer now. */
export type FrequencyBreach =
  | { readonly kind: "cap"; readonly recent: number; readonly maxOffers: number; readonly perMs: number }
  | { readonly kind: "cooldown"; readonly sinceMs: number };

/**
 * Applies a frequency rule (at most N offers per period, none for a while after a decline) to the
 * offers made so far; shared by a playbook's own rule and the account-wide policy.
 */
export function frequencyBreach(
  offers: readonly { readonly at: string; readonly status: string }[],
  frequency: FrequencyCap | undefined,
  now: number,
): FrequencyBreach | undefined {
  if (frequency === undefined) return undefined;
  const { maxOffers, perMs, cooldownAfterDeclineMs } = frequency;
  if (maxOffers !== undefined && perMs !== undefined) {
    const recent = offers.filter((o) => now - Date.parse(o.at) < perMs).length;
    if (recent >= maxOffers) return { kind: "cap", recent, maxOffers, perMs };
  }
  const declined = offers.filter((o) => o.status === "declined").at(-1);
  if (declined !== undefined && cooldownAfterDeclineMs !== undefined) {
    const sinceMs = now - Date.parse(declined.at);
    if (sinceMs < cooldownAfterDeclineMs) return { kind: "cooldown", sinceMs };
  }
  return undefined;
}

/** What a deal event says about the latest open offer: accepted, declined, or nothing. */
export function offerOutcome(event: JourneyEvent): "accepted" | "declined" | undefined {
  if (event.type === "offer.declined") return "declined";
  if (event.type !== "deal.closed") return undefined;
  return event.data?.outcome === "won" || event.data?.outcome === "closed_won" ? "accepted" : "declined";
}

/** Applies a deal event to the latest open (`proposed`) offer: accepted or declined. */
export function settleLatestOffer(offers: readonly { status: string }[], event: JourneyEvent): void {
  const outcome = offerOutcome(event);
  const open = offers.filter((o) => o.status === "proposed").at(-1);
  if (outcome !== undefined && open !== undefined) open.status = outcome;
}
