// The journey core's contract: plain serialisable data in (the account's state, one input, the
// time, the plans), plain data out (the next state and the commands to carry out). Nothing here
// knows Temporal; the account workflow and the in-process runner both speak it.
import type { Fact } from "./account-facts.js";
import type { AccountScore } from "./expansion-score.js";
import type { RecentEvent } from "./recent-events.js";
import type { Touch } from "./touch-policy.js";
import type { CompiledPlan } from "../compile/plan.js";
import type { AccountPolicy } from "../validate/validate-policy.js";
import type { ActionEvent } from "./action-event.js";
import type { Destination } from "./route-action.js";
import type { AccountSnapshot, Decision, JourneyEvent, OfferRecord } from "./journey-types.js";

/** What a play is waiting for, with what it needs to decide when the wait ends. */
export type PlayWait =
  | {
      /** A wait step: an event, a trigger, a duration or a date. */
      readonly kind: "step";
      /** When the wait began (epoch ms); durations and timeouts count from here. */
      readonly since: number;
      /** Events with a sequence number above this one count for the wait. */
      readonly cursor: number;
    }
  | { readonly kind: "send_window"; readonly at: number }
  | {
      readonly kind: "approval";
      readonly since: number;
      readonly deadline: number;
      readonly cursor: number;
      readonly escalated: boolean;
      /** Index of the offer awaiting approval in the play's `offers`. */
      readonly offer: number;
    }
  | {
      /** Another play holds the account; `offer` is the index of the offer to send when freed. */
      readonly kind: "account";
      /** The play that held the account when this one began to wait. */
      readonly holder: string;
      readonly offer?: number;
    }
  | { readonly kind: "loop"; readonly at: number };

/** One playbook's run for one account: where it is in the step graph and what it has done. */
export interface PlayState {
  readonly playbookId: string;
  /** The plan version this run follows (a content hash); a running play keeps it until it ends or loops to detect. */
  version: string;
  /** `detecting` while in the start stage's first trigger wait; `running` after; `ended` when done. */
  status: "detecting" | "running" | "ended";
  /** The enrollment: 1 for the first, counting up with each re-entry. */
  run: number;
  /** The loop count within the run. */
  iteration: number;
  stage: string;
  /** The step the play is at (a step id of the plan), absent when ended. */
  step?: string;
  wait?: PlayWait;
  /** The last event a finished wait could have seen: the next wait looks at the events after it. */
  cursor: number;
  holdout: boolean;
  /** True once the play reached the account (an action delivered, or recorded for a holdout). */
  engaged: boolean;
  startedAt: string;
  endedAt?: string;
  outcome?: string;
  /** The outcome an `enrollment.exit_on` event set; the play ends at its next look. */
  exitEvent?: string;
  offers: OfferRecord[];
  decisions: Decision[];
  /** The variant of each experiment the play reached (experiment name to variant). */
  experiments?: Record<string, string>;
  /** The event that ended the play's latest wait on events (its trigger's, typically), for templates. */
  event?: PlayEvent;
}

/** An event as a play keeps it for its templates: `data` is left out when larger than MAX_EVENT_DATA. */
export interface PlayEvent {
  readonly type: string;
  readonly at: string;
  readonly data?: Readonly<Record<string, unknown>>;
}

/** An offer in the account's ledger, across every playbook (for the policy's caps and cooldown). */
export interface LedgerOffer {
  readonly playbookId: string;
  readonly at: string;
  status: "proposed" | "accepted" | "declined";
}

/** The play that holds the account: from its first outreach until it ends or loops back to detect. */
export interface ActivePlay {
  readonly playbookId: string;
  readonly priority: number;
  readonly since: string;
}

/** Everything the core knows of one account: one snapshot, one seen-id set, one ledger, one log. */
export interface AccountCoreState {
  readonly accountId: string;
  account: AccountSnapshot;
  /** When the snapshot's ARR was stated (ISO 8601): an update dated before it does not change it. */
  arrAt?: string;
  /** The account's touches within the policy's caps' windows: see touch-policy.ts. */
  touches?: Touch[];
  /** The events some plan counts (`count(...)`), within their windows: see recent-events.ts. */
  recent?: RecentEvent[];
  /** Recent events with their sequence numbers, for waits that begin after the event arrived. */
  inbox: { readonly seq: number; readonly event: JourneyEvent }[];
  /** The sequence number of the latest event. */
  seq: number;
  /** The most recent event ids, oldest first: a repeated id is ignored. */
  seen: string[];
  plays: Record<string, PlayState>;
  active?: ActivePlay;
  offers: LedgerOffer[];
  /** Account-level decisions: arbitration, caps, re-entries, plan version changes. */
  decisions: Decision[];
  /** The timer the core asked for: the next time something is due without an input. */
  timer?: { readonly at: number; readonly summary: string };
  /** The last suppression, skip or hold, with its play and reason (`seat-upsell: suppressed: at_risk`). */
  lastSuppression?: string;
  /** The search attribute values last asked for, so only changes are sent. */
  attributes?: SearchAttributeValues;
  /** The plan set the account follows: playbook id to version, as last resolved. */
  planSet: Readonly<Record<string, string>>;
  /** Actions of paused plays, held until their play resumes (oldest first). */
  held?: DeliverCommand[];
  /** The deployed scorecard's score, after the latest snapshot, event or timer; absent without one. */
  score?: AccountScore;
}

/** The custom search attributes of an account workflow. */
export interface SearchAttributeValues {
  /** Every playbook with a play for the account, then `playbook@version` for each. */
  readonly Plays: readonly string[];
  /**
   * `playbook:stage` for every play not ended, such as `seat-upsell:commit`; `playbook:ended` and
   * `playbook:ended:<outcome>` for ended ones.
   */
  readonly Stages: readonly string[];
  /** Playbooks the account is held out of. */
  readonly Holdouts: readonly string[];
  /** The last suppression, skip or hold with its reason. */
  readonly LastSuppression?: string;
  /** The account's playbooks an operator paused, space-separated (`seat-upsell`). */
  readonly Paused?: string;
  /** The account's score on the deployed scorecard; absent without one. */
  readonly ExpansionScore?: number;
  /** Its band: `ready`, `warming` or `not_now`. */
  readonly ScoreBand?: string;
}

/** One thing that happens to the account. */
export type CoreInput =
  /** The CRM snapshot replaces the account's; date windows re-arm from the new dates. */
  | { readonly kind: "snapshot"; readonly account: AccountSnapshot }
  /** An event (usage, a ticket, a QBR, a deal, an approval); a repeated id is ignored. */
  | { readonly kind: "event"; readonly event: JourneyEvent }
  /** Time passed: the timer the core asked for fired. */
  | { readonly kind: "timer" }
  /** A delivery the core asked for finished. */
  | {
      readonly kind: "delivered";
      readonly playbookId: string;
      readonly step: string;
      readonly actionId: string;
      readonly action: string;
      /** The stage the action was sent from (the play may have moved on since). */
      readonly stage: string;
      readonly error?: string;
      /** The destination it went to, when routed to one other than `default`. */
      readonly destination?: string;
    }
  /** The deployed plan set changed (playbook id to version); the bodies come in the context. */
  | { readonly kind: "plans" }
  /** A worker held a delivery back: its play was paused before the account learned of it. */
  | { readonly kind: "held"; readonly delivery: DeliverCommand };

/** Something the core asks its runner to do. */
export type CoreCommand =
  | {
      readonly kind: "deliver";
      readonly playbookId: string;
      readonly step: string;
      readonly action: ActionEvent;
      /** For the UI: `Deliver crm.task (orchestrate.2) to acme`. */
      readonly summary: string;
      /** Where destinations.yaml routes it; absent for `default` alone (the action log and webhook). */
      readonly destinations?: readonly Destination[];
    }
  | { readonly kind: "set_timer"; readonly at: number; readonly summary: string }
  | { readonly kind: "cancel_timer" }
  | { readonly kind: "decision"; readonly playbookId?: string; readonly decision: Decision }
  | { readonly kind: "search_attributes"; readonly values: SearchAttributeValues }
  /** What happened, for the reports (account-facts.ts): stored once by id. */
  | { readonly kind: "facts"; readonly facts: readonly Fact[] };

/** What the core reads but does not own: the time, the plans by version, the current set, the policy. */
export interface CoreContext {
  /** The current time (epoch ms): the workflow clock, or the simulated one. */
  readonly now: number;
  /** Looks a plan up by its version. */
  readonly plan: (version: string) => CompiledPlan | undefined;
  /** The deployed plan set: playbook id to version. */
  readonly current: Readonly<Record<string, string>>;
  readonly policy: AccountPolicy;
  /** Playbooks an operator paused (actions held or skipped) or stopped (plays end, no detecting). */
  readonly controls?: Readonly<Record<string, PlayControl>>;
}

/** What an operator did to a deployed playbook: paused it, or stopped it until the next deploy. */
export type PlayControl = "paused" | "stopped";

/** The command that delivers one action. */
export type DeliverCommand = Extract<CoreCommand, { kind: "deliver" }>;

/** The core's answer to one input. */
export interface CoreResult {
  readonly state: AccountCoreState;
  readonly commands: readonly CoreCommand[];
}
