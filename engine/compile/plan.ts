// The compiled plan: plain JSON handed to the runtime. Every condition is a JSON Logic rule over
// the rule context `{ ...account, now, event }`; durations are milliseconds, discounts fractions.
import type {
  ActionFields,
  ActionKind,
  ApprovalPolicy,
  Enrollment,
  FrequencyCap,
  SendWindow,
  StageName,
} from "../ast/playbook.js";
import type { JsonLogicRule } from "../rules/rule-types.js";

/** The plan format; bumped when the runtime must tell plans apart. */
export const PLAN_FORMAT = "playloop.plan/v1";

/** An event type some condition counts, and the longest window it is counted over. */
export interface PlanCount {
  readonly event: string;
  readonly windowMs: number;
}

export interface PlanCondition {
  /** The condition as the playbook writes it: the reason recorded when it decides something. */
  readonly label: string;
  readonly rule: JsonLogicRule;
}

export type PlanTrigger =
  | { readonly kind: "event"; readonly event: string; readonly rule: JsonLogicRule; readonly description?: string }
  | {
      readonly kind: "window";
      readonly field: string;
      readonly direction: "before" | "after";
      readonly opensDays: number;
      readonly closesDays: number | null;
      /** True while the window is open for the account at `now`. */
      readonly rule: JsonLogicRule;
      readonly description?: string;
    }
  | {
      readonly kind: "segment_entry";
      readonly segment: string;
      readonly rule: JsonLogicRule;
      readonly description?: string;
    };

export interface PlanOffer {
  readonly sku?: string;
  readonly quantity?: number | string;
  readonly plan?: string;
  readonly bundle?: readonly string[];
  readonly price?: number;
  readonly listTotal?: number;
  readonly discount: number;
  readonly termMs?: number;
}

/**
 * Where a branch, a wait's path or a timeout leads: a step id, a stage (its first step), or `end`
 * (the journey ends, completed). Step ids and stage names never collide (validation sees to it).
 */
export type PlanTarget = string;

export interface PlanBranchPath {
  /** The condition as written: the reason the decision records. */
  readonly label: string;
  readonly rule: JsonLogicRule;
  readonly goto: PlanTarget;
}

export interface PlanWaitPath {
  readonly event: string;
  readonly when?: JsonLogicRule;
  readonly label?: string;
  /** Where this path leads; the next step when absent. */
  readonly goto?: PlanTarget;
}

export interface PlanVariant {
  readonly name: string;
  /** Fraction 0..1. */
  readonly share: number;
  /** Where this variant leads; the next step when absent. */
  readonly goto?: PlanTarget;
}

export type PlanStep =
  | (ActionFields & {
      readonly id: string;
      readonly kind: "action";
      readonly action: ActionKind;
      readonly when?: JsonLogicRule;
      readonly offer?: PlanOffer;
    })
  | {
      readonly id: string;
      readonly kind: "wait";
      readonly event?: string;
      readonly triggers?: readonly string[];
      readonly durationMs?: number;
      readonly untilField?: string;
      readonly beforeMs?: number;
      readonly when?: JsonLogicRule;
      /** A wait for any of several events, each path leading somewhere of its own. */
      readonly any?: readonly PlanWaitPath[];
      readonly timeoutMs?: number;
      /** Where to go when the wait times out: a stage, a step id, `end`, or the next step when absent. */
      readonly onTimeout?: string;
    }
  | {
      readonly id: string;
      readonly kind: "branch";
      /** In order: the first whose rule holds is taken. */
      readonly paths: readonly PlanBranchPath[];
      /** Where to go when no path's rule holds; the next step when absent. */
      readonly otherwise?: string;
    }
  | {
      readonly id: string;
      readonly kind: "experiment";
      readonly name: string;
      /** In order; shares add up to 1. */
      readonly variants: readonly PlanVariant[];
    }
  | { readonly id: string; readonly kind: "loop"; readonly to: StageName; readonly afterMs?: number }
  | { readonly id: string; readonly kind: "end"; readonly outcome: string; readonly reason?: string };

export interface PlanStage {
  readonly name: StageName;
  readonly steps: readonly PlanStep[];
  /** The stage that follows when the steps run out; null ends the journey. */
  readonly next: StageName | null;
}

export interface CompiledPlan {
  readonly format: typeof PLAN_FORMAT;
  readonly id: string;
  /** A content hash of everything else in the plan: same playbook, same version. */
  readonly version: string;
  readonly name: string;
  readonly description?: string;
  readonly motion: "upsell" | "cross_sell" | "downsell" | "retention";
  readonly owner?: string;
  readonly priority: number;
  /** Set when running plays migrate to a newer version at their next stage boundary (absent: pinned). */
  readonly versioning?: {
    readonly running: "at_stage_boundary";
    /** Old step id to this version's step id. */
    readonly map: Readonly<Record<string, string>>;
  };
  /** `skip`: an action due while an operator pauses the play is dropped (recorded); absent: held until resume. */
  readonly whenPaused?: "skip";
  readonly holdout: number;
  /** How long after an offer a won deal for its sku counts for this play (absent: 90 days). */
  readonly attributionMs?: number;
  readonly enrollment: Enrollment;
  readonly catalog: Readonly<Record<string, { readonly name?: string; readonly listPrice: number }>>;
  readonly segments: Readonly<Record<string, JsonLogicRule>>;
  readonly triggers: Readonly<Record<string, PlanTrigger>>;
  readonly eligibility: {
    /** All requirements and no suppression: the account may get this play's actions. */
    readonly rule: JsonLogicRule;
    readonly require: readonly PlanCondition[];
    readonly suppress: readonly PlanCondition[];
    readonly frequency?: FrequencyCap;
    readonly sendWindow?: SendWindow;
  };
  readonly discounts?: {
    readonly max: number;
    readonly byTier: Readonly<Record<string, number>>;
    readonly bySegment: Readonly<Record<string, number>>;
    readonly floorPrice?: number;
    readonly minMargin?: number;
    readonly approval?: ApprovalPolicy;
  };
  readonly goal?: { readonly metric: string; readonly description?: string; readonly rule?: JsonLogicRule };
  readonly exit: readonly PlanCondition[];
  /** The events its conditions count (`count(type, window, ...)`), each with the longest window used. */
  readonly counts?: readonly PlanCount[];
  readonly start: StageName;
  readonly stages: readonly PlanStage[];
}
