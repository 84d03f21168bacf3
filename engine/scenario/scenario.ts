import type { Span } from "../parse/locate.js";

/** One entry of a test's timeline: an event or a new snapshot, on a day from the start. */
export type TimelineEntry =
  | {
      readonly kind: "event";
      readonly day: number;
      readonly type: string;
      readonly id: string;
      readonly data?: Readonly<Record<string, unknown>>;
      readonly span: Span;
    }
  | {
      readonly kind: "snapshot";
      readonly day: number;
      readonly changes: Readonly<Record<string, unknown>>;
      readonly span: Span;
    };

/** Days an expectation looks at: one day, a range (both ends included), before a day, or any. */
export interface DayRange {
  readonly from: number;
  readonly to: number;
}

/** One thing a test expects, where it is written, and the words it is reported in. */
export type Expectation = {
  readonly span: Span;
  /** The expectation as written, for reports: `action crm.task at orchestrate on day 0`. */
  readonly text: string;
  readonly playbook?: string;
} & (
  | {
      readonly kind: "action";
      readonly action: string;
      readonly stage?: string;
      readonly step?: string;
      readonly template?: string;
      readonly days?: DayRange;
    }
  | { readonly kind: "no_action"; readonly action: string; readonly days?: DayRange }
  | {
      readonly kind: "decision";
      readonly decision: string;
      readonly reason?: string;
      readonly stage?: string;
      readonly step?: string;
      readonly days?: DayRange;
    }
  | { readonly kind: "outcome"; readonly outcome: string }
  | { readonly kind: "variant"; readonly experiment: string; readonly variant: string }
  | { readonly kind: "stage"; readonly stage: string; readonly day?: number }
  | { readonly kind: "holder"; readonly holder: string; readonly day?: number }
);

/** A playbook test, checked: what to run and what must happen. */
export interface Scenario {
  readonly file: string;
  readonly name: string;
  /** Playbook ids to deploy; every playbook of the folder when absent. */
  readonly playbooks?: readonly string[];
  readonly account: Readonly<Record<string, unknown>>;
  /** Day 0 (epoch ms). */
  readonly start: number;
  /** How many days the test runs. */
  readonly days: number;
  readonly timeline: readonly TimelineEntry[];
  readonly expectations: readonly Expectation[];
}
