// The contract between the API, the account coordinator workflow and the journeys it runs.
import type { CompiledPlan } from "../compile/plan.js";
import type { AccountPolicy } from "../validate/validate-policy.js";
import type { AccountSnapshot, Decision } from "./journey-types.js";

/** A journey asks the coordinator before it reaches the account. */
export interface PermissionRequest {
  readonly requestId: string;
  readonly playbookId: string;
  readonly priority: number;
  /** True for an offer: the account's offer caps apply too. */
  readonly offer: boolean;
  /** The journey's workflow id, where the answer goes. */
  readonly journeyId: string;
}

/** The coordinator's answer to a permission request. */
export interface PermissionAnswer {
  readonly requestId: string;
  readonly granted: boolean;
  /** Why not: `conflict` when another play holds the account, `cap` when an offer cap applies. */
  readonly kind?: "conflict" | "cap";
  readonly reason?: string;
}

/**
 * One playbook's run for the account. `detecting`: the coordinator watches the play's first trigger
 * wait itself and starts the journey workflow when a trigger fires; `running`: the journey runs.
 */
export interface JourneyRecord {
  status: "detecting" | "running" | "ended";
  /** How many journey workflows this playbook has started for the account. */
  runs: number;
  /** When the current run began (its detection, when the coordinator held the trigger wait). */
  startedAt: string;
  /** While detecting: the triggers watched for, and when the wait times out. */
  waitingFor?: string;
  waitingUntil?: string;
  endedAt?: string;
  outcome?: string;
  holdout: boolean;
}

export interface AccountOffer {
  readonly playbookId: string;
  readonly at: string;
  status: "proposed" | "accepted" | "declined";
}

/** What the coordinator knows of one account (its `state` query). */
export interface AccountState {
  readonly accountId: string;
  /** The play that holds the account: from its first outreach until it ends or returns to detect. */
  active?: { readonly playbookId: string; readonly priority: number; readonly since: string };
  journeys: Record<string, JourneyRecord>;
  offers: AccountOffer[];
  decisions: Decision[];
}

export interface AccountCarried {
  readonly account: AccountSnapshot;
  readonly seenEventIds: readonly string[];
  readonly state: AccountState;
}

/** How an account coordinator starts: the snapshot, every compiled plan, and the policy. */
export interface AccountInput {
  readonly account: AccountSnapshot;
  readonly plans: readonly CompiledPlan[];
  readonly policy: AccountPolicy;
  readonly carried?: AccountCarried;
  /** Continue as new once the history is longer than this (default 4000 events). */
  readonly maxHistoryEvents?: number;
}

/** The workflow id of an account's coordinator. */
export function accountWorkflowId(accountId: string): string {
  return `playloop/account/${accountId}`;
}
