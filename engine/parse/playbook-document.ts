// The playbook as YAML gives it, typed after schema validation. Mirrors schemas/playbook.schema.json.

/** A condition as written: an expression string, a constant, or all/any/not over conditions. */
export type ConditionDoc = string | boolean | { all: ConditionDoc[] } | { any: ConditionDoc[] } | { not: ConditionDoc };

export interface TriggerDoc {
  on?: string;
  window?: { before?: string; after?: string; opens: string; closes?: string };
  enters?: string;
  when?: ConditionDoc;
  description?: string;
}

export interface ActionDoc {
  id?: string;
  when?: ConditionDoc;
  owner?: string;
  channel?: string;
  template?: string;
  title?: string;
  body?: string;
  variables?: Record<string, string>;
  sla?: string;
  payload?: Record<string, unknown>;
  // offer.propose
  sku?: string;
  quantity?: number | string;
  plan?: string;
  bundle?: string[];
  price?: number;
  discount?: string;
  term?: string;
  // approval.request
  approver?: string;
  // webhook
  topic?: string;
}

/** One path of a wait for any of several events: the event, an optional condition, where it leads. */
export interface WaitPathDoc {
  event: string;
  when?: ConditionDoc;
  goto?: string;
}

export interface WaitDoc {
  id?: string;
  any?: WaitPathDoc[];
  event?: string;
  trigger?: string | string[];
  duration?: string;
  until?: string;
  before?: string;
  when?: ConditionDoc;
  timeout?: string;
  on_timeout?: string;
}

/** The action kinds a step may name. */
export const ACTION_KINDS = [
  "crm.task",
  "email.send",
  "inapp.prompt",
  "offer.propose",
  "approval.request",
  "report.roi_snapshot",
  "webhook",
] as const;

export type ActionKind = (typeof ACTION_KINDS)[number];

/** A branch: the first path whose condition holds picks where the journey goes; `else` otherwise. */
export interface BranchDoc {
  id?: string;
  paths: { when: ConditionDoc; goto: string }[];
  else?: string;
}

/** An experiment: each account gets one variant by a stable hash; a variant may lead elsewhere. */
export interface ExperimentDoc {
  id?: string;
  name: string;
  /** Variant name to its share, such as `50%`. */
  variants: Record<string, string>;
  /** Variant name to where it leads; variants not named go on to the next step. */
  goto?: Record<string, string>;
}

export type StepDoc = { [K in ActionKind]?: ActionDoc } & {
  wait?: WaitDoc;
  branch?: BranchDoc;
  experiment?: ExperimentDoc;
  loop?: { id?: string; to: string; after?: string };
  end?: { id?: string; outcome: string; reason?: string };
};

/** The journey stages, in the order they run. */
export const STAGES = ["align", "detect", "orchestrate", "prove", "commit", "expand"] as const;

export type StageName = (typeof STAGES)[number];

export interface PlaybookDocument {
  playbook: string;
  name: string;
  description?: string;
  motion: "upsell" | "cross_sell" | "downsell" | "retention";
  owner?: string;
  priority?: number;
  when_paused?: "hold" | "skip";
  versioning?: { running?: "pinned" | "at_stage_boundary"; map?: Record<string, string> };
  holdout?: string;
  enrollment?: { reentry?: string; on_conflict?: "wait" | "end"; exit_on?: string[] };
  catalog?: Record<string, { name?: string; list_price: number }>;
  segments?: Record<string, ConditionDoc>;
  triggers?: Record<string, TriggerDoc>;
  eligibility?: {
    require?: ConditionDoc[];
    suppress?: ConditionDoc[];
    consent?: string | string[];
    min_tenure?: string;
    frequency?: { max_offers?: number; per?: string; cooldown_after_decline?: string };
    send_window?: { days?: string[]; hours?: string; timezone?: string };
  };
  discounts?: {
    max: string;
    by_tier?: Record<string, string>;
    by_segment?: Record<string, string>;
    floor_price?: number;
    min_margin?: string;
    approval?: { above: string; approver: string; sla?: string; escalate_to?: string };
  };
  goal?: { metric: string; description?: string; when?: ConditionDoc };
  exit?: ConditionDoc[];
  journey: Partial<Record<StageName, StepDoc[]>>;
}
