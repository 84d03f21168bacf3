import { diagnostic, sortDiagnostics, type Diagnostic } from "../diagnostics/diagnostic.js";
import { didYouMean } from "../diagnostics/suggest.js";
import { deepMerge } from "../journey/deep-merge.js";
import { locateValue } from "../parse/locate.js";
import { parsePlaybook } from "../parse/parse-playbook.js";
import scenarioSchema from "../../schemas/scenario.schema.json" with { type: "json" };
import { schemaDiagnostics } from "../validate/schema-diagnostics.js";
import { createSchemaValidator } from "../validate/schema-issues.js";
import type { DayRange, Expectation, Scenario, TimelineEntry } from "./scenario.js";

type Fields = Record<string, unknown>;

interface ExpectationDocument {
  action?: string;
  no_action?: string;
  decision?: string;
  outcome?: string;
  variant?: string;
  stage?: string;
  holder?: string;
  playbook?: string;
  step?: string;
  experiment?: string;
  reason?: string;
  template?: string;
  day?: number;
  between?: [number, number];
  before?: number;
}

interface ScenarioDocument {
  scenario: string;
  playbooks?: string[];
  account: { sample?: string; with?: Fields } & Fields;
  start?: string;
  days?: number;
  timeline?: { day: number; event?: string; data?: Fields; id?: string; snapshot?: Fields }[];
  expect: ExpectationDocument[];
}

const validateDocument = createSchemaValidator<ScenarioDocument>(scenarioSchema);

/** Monday 5 January 2026, 10:00 UTC: day 0 when a test does not say. */
export const DEFAULT_START = Date.parse("2026-01-05T10:00:00Z");

/** What a test may refer to in its folder: the playbooks by id and the sample accounts. */
export interface ScenarioFolder {
  readonly playbookIds: readonly string[];
  /** A sample account by name (samples/<name>.json), undefined when there is none. */
  readonly sample: (name: string) => Fields | undefined;
}

function daysOf(doc: ExpectationDocument): DayRange | undefined {
  if (doc.day !== undefined) return { from: doc.day, to: doc.day };
  if (doc.between !== undefined) return { from: doc.between[0], to: doc.between[1] };
  if (doc.before !== undefined) return { from: 0, to: doc.before - 1 };
  return undefined;
}

const onDays = (days: DayRange | undefined): string =>
  days === undefined
    ? ""
    : days.from === days.to
      ? ` on day ${days.from}`
      : days.from === 0
        ? ` before day ${days.to + 1}`
        : ` between days ${days.from} and ${days.to}`;

/** The expectation as a sentence for reports. */
function describe(doc: ExpectationDocument, days: DayRange | undefined): string {
  const of = doc.playbook === undefined ? "" : ` of ${doc.playbook}`;
  const at = (doc.stage === undefined ? "" : ` in ${doc.stage}`) + (doc.step === undefined ? "" : ` (${doc.step})`);
  if (doc.action !== undefined)
    return `action ${doc.action}${of}${at}${doc.template === undefined ? "" : ` with template ${doc.template}`}${onDays(days)}`;
  if (doc.no_action !== undefined) return `no action ${doc.no_action}${of}${onDays(days) || " at all"}`;
  if (doc.decision !== undefined)
    return `decision ${doc.decision}${doc.reason === undefined ? "" : ` (${doc.reason})`}${of}${at}${onDays(days)}`;
  if (doc.outcome !== undefined) return `outcome ${doc.outcome}${of}`;
  if (doc.variant !== undefined) return `variant ${doc.variant} of experiment ${doc.experiment ?? ""}${of}`;
  if (doc.holder !== undefined)
    return `${doc.holder} holds the account${doc.day === undefined ? " at the end" : ` on day ${doc.day}`}`;
  return `stage ${doc.stage ?? ""}${of}${doc.day === undefined ? " at the end" : ` on day ${doc.day}`}`;
}

function expectation(doc: ExpectationDocument, span: Expectation["span"]): Expectation {
  const days = daysOf(doc);
  const base = { span, text: describe(doc, days), ...(doc.playbook === undefined ? {} : { playbook: doc.playbook }) };
  const optional = <K extends keyof ExpectationDocument>(key: K, as: string = key) =>
    doc[key] === undefined ? {} : { [as]: doc[key] };
  const range = days === undefined ? {} : { days };
  if (doc.action !== undefined)
    return {
      ...base,
      kind: "action",
      action: doc.action,
      ...optional("stage"),
      ...optional("step"),
      ...optional("template"),
      ...range,
    };
  if (doc.no_action !== undefined) return { ...base, kind: "no_action", action: doc.no_action, ...range };
  if (doc.decision !== undefined)
    return {
      ...base,
      kind: "decision",
      decision: doc.decision,
      ...optional("reason"),
      ...optional("stage"),
      ...optional("step"),
      ...range,
    };
  if (doc.outcome !== undefined) return { ...base, kind: "outcome", outcome: doc.outcome };
  if (doc.variant !== undefined)
    return { ...base, kind: "variant", variant: doc.variant, experiment: doc.experiment ?? "" };
  if (doc.holder !== undefined) return { ...base, kind: "holder", holder: doc.holder, ...optional("day") };
  return { ...base, kind: "stage", stage: doc.stage ?? "", ...optional("day") };
}

/** The last day a test names, so it runs at least past it. */
function lastDay(timeline: readonly TimelineEntry[], expectations: readonly ExpectationDocument[]): number {
  const days = [
    ...timeline.map((entry) => entry.day),
    ...expectations.flatMap((e) => [e.day ?? 0, e.between?.[1] ?? 0, e.before ?? 0]),
  ];
  return Math.ceil(Math.max(0, ...days));
}

/**
 * Parses and checks a playbook test: its schema, then the playbooks and sample it names. The
 * scenario when valid, and every diagnostic with file:line:col. Never throws on bad input.
 */
export function parseScenario(
  input: string | Uint8Array,
  file: string,
  folder: ScenarioFolder,
): { scenario?: Scenario; diagnostics: Diagnostic[] } {
  const { parsed, diagnostics } = parsePlaybook(input, file);
  if (parsed === undefined) return { diagnostics };
  const { value, issues } = validateDocument(parsed.value);
  if (value === undefined) return { diagnostics: schemaDiagnostics(parsed, issues) };
  const problems: Diagnostic[] = [];
  const known = new Set(folder.playbookIds);
  const checkPlaybook = (id: string | undefined, path: (string | number)[]): void => {
    if (id === undefined || known.has(id)) return;
    problems.push(
      diagnostic(
        "E_UNKNOWN_PLAYBOOK",
        `no playbook \`${id}\` in the folder${didYouMean(id, known)}: the folder has ${[...known].join(", ") || "none"}`,
        file,
        locateValue(parsed, path),
      ),
    );
  };
  value.playbooks?.forEach((id, index) => checkPlaybook(id, ["playbooks", index]));
  value.expect.forEach((doc, index) => checkPlaybook(doc.playbook, ["expect", index, "playbook"]));

  const { sample: sampleName, with: changes, ...inline } = value.account;
  let account: Fields = inline;
  if (sampleName !== undefined) {
    const sample = folder.sample(sampleName);
    if (sample === undefined)
      problems.push(
        diagnostic(
          "E_UNKNOWN_SAMPLE",
          `no sample account \`${sampleName}\`: put it in samples/${sampleName}.json beside the playbooks`,
          file,
          locateValue(parsed, ["account", "sample"]),
        ),
      );
    else account = deepMerge(sample, inline);
  }
  if (changes !== undefined) account = deepMerge(account, changes);
  const sampleMissing = problems.some((p) => p.code === "E_UNKNOWN_SAMPLE");
  if (!sampleMissing && (typeof account.id !== "string" || account.id === ""))
    problems.push(
      diagnostic(
        "E_SCHEMA_REQUIRED",
        "the account needs an `id`: give it one, or take a sample that has one",
        file,
        locateValue(parsed, ["account"]),
      ),
    );
  if (problems.length > 0) return { diagnostics: sortDiagnostics(problems) };

  const timeline: TimelineEntry[] = (value.timeline ?? []).map((entry, index) => {
    const span = locateValue(parsed, ["timeline", index]);
    if (entry.snapshot !== undefined) return { kind: "snapshot", day: entry.day, changes: entry.snapshot, span };
    return {
      kind: "event",
      day: entry.day,
      type: entry.event ?? "",
      id: entry.id ?? `t${index + 1}`,
      ...(entry.data === undefined ? {} : { data: entry.data }),
      span,
    };
  });
  const start =
    value.start === undefined
      ? DEFAULT_START
      : Date.parse(value.start.length === 10 ? `${value.start}T10:00:00Z` : value.start);
  return {
    scenario: {
      file,
      name: value.scenario.trim(),
      ...(value.playbooks === undefined ? {} : { playbooks: value.playbooks }),
      account,
      start,
      days: value.days ?? lastDay(timeline, value.expect) + 1,
      // Stable by day: entries of one day keep their written order.
      timeline: [...timeline].sort((a, b) => a.day - b.day),
      expectations: value.expect.map((doc, index) => expectation(doc, locateValue(parsed, ["expect", index]))),
    },
    diagnostics: [],
  };
}
