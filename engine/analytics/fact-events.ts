// Facts as CloudEvents, for a team beyond one machine: every worker appends its accounts' facts to
// an NDJSON file (PLAYLOOP_FACTS_FILE) that a warehouse loads, each fact id once. The warehouse
// runs the same reports/*.sql over them (docs/reports.md).
import type { Fact } from "../journey/account-facts.js";
import type { FactSink } from "../runtime/activities.js";
import { ndjsonFile } from "../runtime/action-sinks.js";

/** A fact as a CloudEvent: its id, `playloop.fact.<type>`, the business time, the account as subject. */
export interface FactEvent {
  readonly specversion: "1.0";
  readonly id: string;
  readonly source: "playloop";
  readonly type: `playloop.fact.${Fact["type"]}`;
  readonly time: string;
  readonly subject: string;
  readonly datacontenttype: "application/json";
  readonly data: Fact;
}

export function factEvent(fact: Fact): FactEvent {
  return {
    specversion: "1.0",
    id: fact.id,
    source: "playloop",
    type: `playloop.fact.${fact.type}`,
    time: fact.at,
    subject: fact.account,
    datacontenttype: "application/json",
    data: fact,
  };
}

/** Appends facts to an NDJSON file of CloudEvents (an id already there is skipped); returns how many it was given. */
export function factFileSink(path: string): FactSink {
  const file = ndjsonFile<FactEvent>(path);
  return {
    async record(facts) {
      for (const fact of facts) await file.deliver(factEvent(fact));
      return facts.length;
    },
  };
}

/** Several sinks as one: each gets every fact; the count is the first's. */
export function allFactSinks(sinks: readonly FactSink[]): FactSink | undefined {
  if (sinks.length <= 1) return sinks[0];
  return {
    async record(facts) {
      const counts = [];
      for (const sink of sinks) counts.push(await sink.record(facts));
      return counts[0] ?? 0;
    },
  };
}
