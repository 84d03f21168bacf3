// The synthetic signals of `playloop simulate --signals <file>`: "5% of accounts cross 80% seat
// utilisation per month" as data. Which accounts get a signal in which period, and when in it, is
// drawn from the seed with the stable hash, so a simulation with the same seed is the same.
import signalsSchema from "../../schemas/signals.schema.json" with { type: "json" };
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import type { JourneyEvent } from "../journey/journey-types.js";
import { stableFraction } from "../journey/stable-hash.js";
import { parsePlaybook } from "../parse/parse-playbook.js";
import { durationMs, percent } from "../parse/units.js";
import { schemaDiagnostics } from "../validate/schema-diagnostics.js";
import { createSchemaValidator } from "../validate/schema-issues.js";

const DAY_MS = 86_400_000;

/** One synthetic signal: an event type a share of the accounts gets once per period. */
export interface SimulatedSignal {
  readonly name: string;
  readonly event: string;
  /** The share of accounts per period, a fraction. */
  readonly share: number;
  readonly periodMs: number;
  readonly data?: Readonly<Record<string, unknown>>;
}

interface SignalsDocument {
  signals: { name?: string; event: string; share: string; per: string; data?: Record<string, unknown> }[];
}

const validateDocument = createSchemaValidator<SignalsDocument>(signalsSchema);

const PERIODS: Readonly<Record<string, number>> = { day: DAY_MS, week: 7 * DAY_MS, month: 30 * DAY_MS };

/** Parses and validates a signals file; the signals, or diagnostics at file:line:col. */
export function parseSignals(text: string, file: string): { signals?: SimulatedSignal[]; diagnostics: Diagnostic[] } {
  const { parsed, diagnostics } = parsePlaybook(text, file);
  if (parsed === undefined) return { diagnostics };
  const { value, issues } = validateDocument(parsed.value);
  if (value === undefined) return { diagnostics: schemaDiagnostics(parsed, issues) };
  const signals = value.signals.map((s) => ({
    name: s.name ?? `${s.event} (${s.share} per ${s.per})`,
    event: s.event,
    share: percent(s.share),
    periodMs: PERIODS[s.per] ?? durationMs(s.per),
    ...(s.data === undefined ? {} : { data: s.data }),
  }));
  return { signals, diagnostics: [] };
}

/** The events the signals give one account between `start` and `end`, in time order. */
export function signalEvents(
  signals: readonly SimulatedSignal[],
  accountId: string,
  seed: number,
  start: number,
  end: number,
): (JourneyEvent & { readonly at: string })[] {
  const events: (JourneyEvent & { at: string })[] = [];
  for (const [index, signal] of signals.entries()) {
    for (let period = 0, from = start; from < end; period++, from += signal.periodMs) {
      const key = [String(seed), String(index), accountId, String(period)];
      if (stableFraction(...key) >= signal.share) continue;
      const at = from + Math.floor(stableFraction(...key, "at") * signal.periodMs);
      if (at >= end) continue;
      events.push({
        id: `sim-${index}-${period}`,
        type: signal.event,
        ...(signal.data === undefined ? {} : { data: signal.data }),
        at: new Date(at).toISOString(),
      });
    }
  }
  return events.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
}
