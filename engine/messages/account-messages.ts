// The account workflow's messages, defined once: the workflow sets handlers for them and the
// client sends them, so names and payload types cannot drift.
import { defineQuery, defineSignal, defineUpdate } from "@temporalio/workflow";
import type { CompiledPlan } from "../compile/plan.js";
import type { AccountStanding } from "../journey/account-standing.js";
import type { AccountView } from "../journey/account-view.js";
import type { AccountCoreState, PlayControl } from "../journey/core-types.js";
import type { AccountSnapshot, JourneyEvent } from "../journey/journey-types.js";
import type { AccountPolicy } from "../validate/validate-policy.js";

/** The workflow type that runs every play of one account. */
export const ACCOUNT_WORKFLOW = "account";

/** The workflow id of an account: `playloop/account/<id>`. */
export function accountWorkflowId(accountId: string): string {
  return `playloop/account/${accountId}`;
}

/**
 * The plan set the sender knows of (the API's or ingest's copy of the playbooks): when it is newer
 * than the account's, the account loads the worker's set before it applies the input.
 */
export interface PlanHint {
  readonly id: string;
  readonly loadedAt: number;
}

/** True for a set other than `than` and deployed later: the only kind an account (or a worker) moves to. */
export function isNewerSet(ref: PlanHint, than: PlanHint): boolean {
  return ref.id !== than.id && ref.loadedAt > than.loadedAt;
}

/** Upserts the account snapshot (a CRM sync); says whether anything changed. */
export const upsertUpdate = defineUpdate<{ changed: boolean }, [AccountSnapshot, PlanHint?]>("upsert");
/** Applies an event once (by its id); says whether it was a repeat. */
export const eventUpdate = defineUpdate<{ duplicate: boolean }, [JourneyEvent, PlanHint?]>("event");
/** Every play of the account with its stage, wait, offers, decisions and plan version. */
export const stateQuery = defineQuery<AccountView>("state");
/** What the queue weighs (`GET /v1/queue`): snapshot, score, plays, ledgers; null before the first snapshot. */
export const standingQuery = defineQuery<AccountStanding | null>("standing");
/**
 * A newer plan set is deployed: the account loads it and moves its detecting plays to it. Sent to
 * every account not on the set through a Temporal batch operation (see announcePlanSet).
 */
export const deploySignal = defineSignal<[PlanSetRef]>("deploy");

/** What became of one action of a delivery: delivered, or refused by a receiver (`error`). */
export interface DeliveryResult {
  readonly id: string;
  readonly error?: string;
  /** Not delivered: the worker knows its play is paused (in this set), and the account may not yet. */
  readonly heldBy?: PlanHint;
}

/** How an account workflow starts: the account id only, or the state a previous run carried. */
export interface AccountWorkflowInput {
  readonly accountId: string;
  readonly carried?: {
    readonly core: AccountCoreState;
    /** The plan set the account follows, with when the worker that served it loaded it. */
    readonly set: PlanSetRef;
    /** Bodies of versions that running plays follow but the deployed set no longer holds. */
    readonly pinned: readonly CompiledPlan[];
  };
  /** Continue as new once the history is longer than this (default 2,000 events). */
  readonly maxHistoryEvents?: number;
}

export type { PlayControl };

/** A deployed plan set by reference: playbook id to version, the policy, and paused or stopped plays. */
export interface PlanSetRef {
  /** A content hash of the versions, the policy and the controls: the same set has the same id everywhere. */
  readonly id: string;
  /** When it was deployed (epoch ms): an account only moves to a newer set. */
  readonly loadedAt: number;
  readonly versions: Readonly<Record<string, string>>;
  readonly policy: AccountPolicy;
  /** Playbooks paused or stopped by an operator; absent when none is. */
  readonly controls?: Readonly<Record<string, PlayControl>>;
}

/** What the account workflow asks the worker (a local activity, recorded in its history). */
export interface ResolvePlansRequest {
  /** The set the account follows now, if any. */
  readonly setId?: string;
  /** Versions whose bodies the workflow already holds. */
  readonly have: readonly string[];
  /** A newer set the workflow was told of (a deploy's announcement or a sender's hint). */
  readonly want?: PlanHint;
}

/** The worker's answer: its set, and the bodies of its versions the workflow does not hold. */
export interface ResolvePlansResult {
  readonly set: PlanSetRef;
  readonly plans: readonly CompiledPlan[];
}

/**
 * The answer as the local activity returns it: a ResolvePlansResult as UTF-8 JSON bytes (a binary
 * payload, encoded once per set by the worker). Histories recorded before carry the object itself.
 */
export type EncodedPlans = Uint8Array | ResolvePlansResult;

/** The answer, whichever way it was recorded. */
export function decodePlans(answer: EncodedPlans): ResolvePlansResult {
  // A view check, not instanceof: the bytes may come from another realm than the workflow's.
  return ArrayBuffer.isView(answer) ? (JSON.parse(new TextDecoder().decode(answer)) as ResolvePlansResult) : answer;
}
