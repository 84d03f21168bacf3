// The contract between the API, the worker and the journey workflow. Plain JSON only.
import type { CompiledPlan, PlanOffer } from "../compile/plan.js";
import type { Account as AccountSnapshot } from "../validate/validate-account.js";

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
    | "timeout"
    | "ended";
  readonly reason: string;
}

export interface OfferRecord {
  readonly step: string;
  readonly at: string;
  readonly offer: PlanOffer;
  status: "proposed" | "awaiting_approval" | "rejected" | "accepted" | "declined" | "withdrawn";
}

/** What an operator or the API sees of one journey (the workflow's `state` query). */
export interface JourneyState {
  readonly playbookId: string;
  readonly playbookVersion: string;
  readonly accountId: string;
  readonly holdout: boolean;
  stage: string;
  step?: string;
  iteration: number;
  /** True once the play reached the account (an action delivered, or recorded for a holdout). */
  engaged: boolean;
  status: "running" | "waiting" | "ended";
  waitingFor?: string;
  waitingUntil?: string;
  outcome?: string;
  offers: OfferRecord[];
  decisions: Decision[];
}

/** State a journey carries into its next run when it continues as new. */
export interface CarriedState {
  readonly stage: string;
  readonly iteration: number;
  readonly engaged: boolean;
  readonly account: AccountSnapshot;
  readonly seenEventIds: readonly string[];
  readonly offers: readonly OfferRecord[];
  readonly decisions: readonly Decision[];
}

/** How a journey workflow starts: the compiled plan, the account, and whether it is held out. */
export interface JourneyInput {
  readonly plan: CompiledPlan;
  readonly account: AccountSnapshot;
  readonly holdout: boolean;
  readonly carried?: CarriedState;
  /** Which run of this playbook for the account (re-entries count up from 1). */
  readonly run?: number;
  /** The account coordinator's workflow id: when set, the journey asks it before reaching the account. */
  readonly coordinatorId?: string;
  /** Continue as new at the next loop once the history is longer than this (default 2000 events). */
  readonly maxHistoryEvents?: number;
  /** Set when the account coordinator held the journey's first trigger wait: how that wait ended. */
  readonly entry?: JourneyEntry;
}

/** How the first trigger wait ended while the account coordinator held it. */
export interface JourneyEntry {
  /** The wait step's id. */
  readonly step: string;
  /** `trigger <name>` when a trigger fired; absent when the wait timed out. */
  readonly fired?: string;
}

/** The workflow id of one account's journey through one playbook. */
export function journeyWorkflowId(playbookId: string, accountId: string): string {
  return `playloop/${playbookId}/${accountId}`;
}
