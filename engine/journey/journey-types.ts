// The data the journey core speaks of: accounts, events, decisions and offers. Plain JSON only.
import type { PlanOffer } from "../compile/plan.js";

/** An account snapshot in the canonical shape (schemas/account.schema.json); extra fields allowed. */
export type { Account as AccountSnapshot } from "../validate/validate-account.js";

/** Something that happened to an account: usage, a ticket, a QBR, a deal closing, an approval. */
export interface JourneyEvent {
  /** The sender's id for the event; a repeated id is ignored. */
  readonly id: string;
  readonly type: string;
  readonly data?: Readonly<Record<string, unknown>>;
  /** When it happened (ISO 8601); defaults to when it was received. */
  readonly at?: string;
}

/** Why something did or did not happen: every suppression, skip, hold and delivery is one. */
export interface Decision {
  readonly at: string;
  readonly stage: string;
  readonly step?: string;
  readonly kind:
    | "delivered"
    | "suppressed"
    | "skipped"
    | "held"
    | "blocked"
    | "holdout"
    | "approval"
    | "fired"
    | "branched"
    | "experiment"
    | "timeout"
    | "ended"
    | "rendered";
  readonly reason: string;
}

export interface OfferRecord {
  readonly step: string;
  readonly at: string;
  readonly offer: PlanOffer;
  status: "proposed" | "awaiting_approval" | "rejected" | "accepted" | "declined" | "withdrawn";
}
