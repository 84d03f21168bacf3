import type { Span } from "../parse/locate.js";
import type { ActionKind, StageName } from "../parse/playbook-document.js";
import type { Expr } from "./expression.js";

export type { ActionKind, StageName };

/** A name written somewhere in the playbook (a reference or a definition). */
export interface NameRef {
  readonly name: string;
  readonly span: Span;
}

export interface SegmentNode {
  readonly kind: "segment";
  readonly name: string;
  readonly condition: Expr;
  readonly span: Span;
}

export type TriggerSource =
  | { readonly kind: "event"; readonly event: string }
  | {
      readonly kind: "window";
      readonly field: string;
      readonly direction: "before" | "after";
      readonly opensDays: number;
      readonly closesDays?: number;
    }
  | { readonly kind: "segment_entry"; readonly segment: NameRef };

export interface TriggerNode {
  readonly kind: "trigger";
  readonly name: string;
  readonly source: TriggerSource;
  readonly when?: Expr;
  readonly description?: string;
  readonly span: Span;
}

export interface OfferNode {
  readonly sku?: string;
  readonly quantity?: number | string;
  readonly plan?: string;
  readonly bundle?: readonly NameRef[];
  readonly price?: number;
  /** Fraction 0..1. */
  readonly discount?: number;
  readonly termMs?: number;
  readonly discountSpan?: Span;
  readonly priceSpan?: Span;
}

/** What an action carries to the downstream system, beside its kind and offer. */
export interface ActionFields {
  readonly owner?: string;
  readonly channel?: string;
  readonly template?: string;
  /** Liquid, rendered for each account when the action goes out; so are `body`, `variables` and `payload`'s strings. */
  readonly title?: string;
  readonly body?: string;
  /** Values for the downstream template's variables. */
  readonly variables?: Readonly<Record<string, string>>;
  readonly slaMs?: number;
  readonly payload?: Readonly<Record<string, unknown>>;
  readonly approver?: string;
  readonly topic?: string;
}

/** A value a template reads from its scope (`account.plan.tier`), where it is written. */
export interface TemplateRead {
  /** The path up to its first computed part. */
  readonly path: readonly (string | number)[];
  readonly text: string;
  readonly span: Span;
}

/** One Liquid text of an action (`title`, `body`, `variables.x`, `payload.a.b`) and what it reads. */
export interface TemplateSite {
  readonly field: string;
  readonly reads: readonly TemplateRead[];
}

export interface ActionStep extends ActionFields {
  readonly kind: "action";
  readonly id: string;
  readonly action: ActionKind;
  readonly when?: Expr;
  readonly offer?: OfferNode;
  /** Its texts that hold Liquid; those that do not parse are diagnostics instead. */
  readonly templates: readonly TemplateSite[];
  readonly span: Span;
}

/** One path of a wait for any of several events. */
export interface WaitPath {
  readonly event: string;
  readonly when?: Expr;
  /** The condition as written, for decisions and the graph. */
  readonly label?: string;
  /** Where the path leads (a stage or a step id); the next step when absent. */
  readonly goto?: NameRef;
  readonly span: Span;
}

export type WaitFor =
  | { readonly kind: "event"; readonly event: string; readonly when?: Expr }
  | { readonly kind: "any"; readonly paths: readonly WaitPath[] }
  | { readonly kind: "trigger"; readonly triggers: readonly NameRef[] }
  | { readonly kind: "duration"; readonly ms: number }
  | { readonly kind: "until"; readonly field: string; readonly beforeMs: number };

export interface WaitStep {
  readonly kind: "wait";
  readonly id: string;
  readonly for: WaitFor;
  readonly timeoutMs?: number;
  /** A stage, a step id or `end`. */
  readonly onTimeout?: NameRef;
  readonly span: Span;
}

/** One path of a branch: taken when its condition holds and no path before it did. */
export interface BranchPath {
  readonly when: Expr;
  /** The condition as written. */
  readonly label: string;
  /** A stage, a step id or `end`. */
  readonly goto: NameRef;
}

export interface BranchStep {
  readonly kind: "branch";
  readonly id: string;
  readonly paths: readonly BranchPath[];
  /** Where to go when no path's condition holds; the next step when absent. */
  readonly otherwise?: NameRef;
  readonly span: Span;
}

export interface LoopStep {
  readonly kind: "loop";
  readonly id: string;
  readonly to: NameRef;
  readonly afterMs?: number;
  readonly span: Span;
}

export interface EndStep {
  readonly kind: "end";
  readonly id: string;
  readonly outcome: string;
  readonly reason?: string;
  readonly span: Span;
}

/** One variant of an experiment: its share of the accounts and, optionally, where it leads. */
export interface ExperimentVariant {
  readonly name: string;
  /** Fraction 0..1. */
  readonly share: number;
  readonly goto?: NameRef;
}

export interface ExperimentStep {
  readonly kind: "experiment";
  readonly id: string;
  readonly name: string;
  readonly variants: readonly ExperimentVariant[];
  /** Where the variants are written (for the shares' diagnostic). */
  readonly variantsSpan: Span;
  /** Variant names `goto` names that `variants` does not have. */
  readonly unknownGotos: readonly NameRef[];
  readonly span: Span;
}

export type StepNode = ActionStep | WaitStep | BranchStep | ExperimentStep | LoopStep | EndStep;

export interface StageNode {
  readonly kind: "stage";
  readonly name: StageName;
  readonly steps: readonly StepNode[];
  readonly span: Span;
}

export interface DiscountFence {
  readonly max: number;
  readonly byTier: Readonly<Record<string, number>>;
  readonly bySegment: Readonly<Record<string, number>>;
  readonly bySegmentRefs: readonly NameRef[];
  readonly floorPrice?: number;
  readonly minMargin?: number;
  readonly approval?: ApprovalPolicy & { readonly span: Span };
  readonly span: Span;
}

/** When an account may re-enter a play, and what the play does when another holds the account. */
export interface Enrollment {
  /** `never`, `always`, or the milliseconds after a journey ends before another may start. */
  readonly reentry: "never" | "always" | number;
  readonly onConflict: "wait" | "end";
  /** Event types that end the journey wherever it is. */
  readonly exitOn: readonly string[];
}

/** How often one playbook may make offers to one account. */
export interface FrequencyCap {
  readonly maxOffers?: number;
  readonly perMs?: number;
  readonly cooldownAfterDeclineMs?: number;
}

/** When actions may reach an account; `timezone: "account"` means the account's own. */
export interface SendWindow {
  readonly days: readonly string[];
  readonly hours?: { readonly from: string; readonly to: string };
  readonly timezone: string;
}

/** Offers above `above` need a human approval within the SLA. */
export interface ApprovalPolicy {
  readonly above: number;
  readonly approver: string;
  readonly slaMs?: number;
  readonly escalateTo?: string;
}

export interface LabeledCondition {
  /** The condition as written, for reasons such as "suppressed: at_risk". */
  readonly label: string;
  readonly condition: Expr;
}

/** The typed playbook, every part with its place in the file. */
export interface PlaybookNode {
  readonly kind: "playbook";
  readonly file: string;
  readonly id: string;
  readonly idSpan: Span;
  readonly name: string;
  readonly description?: string;
  readonly motion: "upsell" | "cross_sell" | "downsell" | "retention";
  readonly owner?: string;
  readonly priority: number;
  /** How running plays move to a new version: stay pinned, or migrate at their next stage boundary. */
  readonly versioning: {
    readonly running: "pinned" | "at_stage_boundary";
    /** Old step id to this version's step id, for steps renamed. */
    readonly map: readonly { readonly from: string; readonly to: NameRef }[];
  };
  /** An action due while an operator pauses the play: held until resume, or skipped. */
  readonly whenPaused: "hold" | "skip";
  /** Fraction 0..1 of accounts held out. */
  readonly holdout: number;
  readonly enrollment: Enrollment;
  readonly catalog: Readonly<Record<string, { readonly name?: string; readonly listPrice: number }>>;
  readonly segments: readonly SegmentNode[];
  readonly triggers: readonly TriggerNode[];
  readonly eligibility: {
    readonly require: readonly LabeledCondition[];
    readonly suppress: readonly LabeledCondition[];
    readonly consent: readonly string[];
    readonly minTenureDays?: number;
    readonly frequency?: FrequencyCap;
    readonly sendWindow?: SendWindow;
  };
  readonly discounts?: DiscountFence;
  readonly goal?: { readonly metric: string; readonly description?: string; readonly when?: Expr };
  readonly exit: readonly LabeledCondition[];
  readonly stages: readonly StageNode[];
  readonly span: Span;
}
