// Reads an event history (NDJSON, or CSV with an events mapping file, as `playloop ingest` takes
// it) for `playloop simulate`: each event of an account with the time it happened. A line that
// does not read or validate, or has no `at`, is reported with its number; the rest are kept.
import eventSchema from "../../schemas/event.schema.json" with { type: "json" };
import type { JourneyEvent } from "../journey/journey-types.js";
import { applyMapping, type FieldMapping } from "../runtime/ingest/field-mapping.js";
import { readRecords } from "../runtime/ingest/read-records.js";
import { createSchemaValidator, issuesText } from "../validate/schema-issues.js";
import type { TimedEvent } from "./simulate-population.js";

const validateEvent = createSchemaValidator<JourneyEvent>(eventSchema);

/** The history's events by account, each list in time order, and the lines left out. */
export async function readHistory(
  file: string,
  mapping?: FieldMapping,
): Promise<{ history: Map<string, TimedEvent[]>; events: number; rejected: { line: number; reason: string }[] }> {
  const history = new Map<string, TimedEvent[]>();
  const rejected: { line: number; reason: string }[] = [];
  let events = 0;
  for await (const raw of readRecords(file)) {
    if ("error" in raw) {
      rejected.push({ line: raw.line, reason: raw.error });
      continue;
    }
    const { account, ...rest } = applyMapping(raw.record, mapping, /\.csv$/i.test(file));
    if (typeof account !== "string" || account === "") {
      rejected.push({ line: raw.line, reason: "an event needs an `account` id" });
      continue;
    }
    const { value, issues } = validateEvent(rest);
    if (value === undefined) {
      rejected.push({ line: raw.line, reason: issuesText(issues) });
      continue;
    }
    if (value.at === undefined) {
      rejected.push({ line: raw.line, reason: "a history event needs `at`, the time it happened" });
      continue;
    }
    const list = history.get(account) ?? [];
    list.push({ ...value, at: value.at });
    history.set(account, list);
    events++;
  }
  for (const list of history.values()) list.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  return { history, events, rejected };
}
