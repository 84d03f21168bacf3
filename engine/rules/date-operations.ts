// Date arithmetic that standard JSON Logic lacks. Both operations take the clock as an argument
// (`{"var": "now"}` in compiled playbooks), so a rule stays a pure function of its data and
// replays identically inside a Temporal workflow.
const DAY_MS = 86_400_000;

// Accounts share few distinct dates (a clock, renewal and onboarding days), and Date.parse
// dominates a rule's cost, so parsed day numbers are kept in a small bounded cache.
const parsedDays = new Map<string, number | null>();
const MAX_CACHED_DAYS = 4096;

function dayNumber(value: unknown): number | null {
  if (typeof value === "number") return Number.isFinite(value) ? Math.floor(value / DAY_MS) : null;
  if (typeof value !== "string") return null;
  const cached = parsedDays.get(value);
  if (cached !== undefined) return cached;
  const time = Date.parse(value);
  const day = Number.isFinite(time) ? Math.floor(time / DAY_MS) : null;
  if (parsedDays.size >= MAX_CACHED_DAYS) parsedDays.clear();
  parsedDays.set(value, day);
  return day;
}

/** Whole UTC calendar days from `date` to `now`; null when either is not a date. */
export function daysSince(date: unknown, now: unknown): number | null {
  const from = dayNumber(date);
  const to = dayNumber(now);
  return from === null || to === null ? null : to - from;
}

/** Whole UTC calendar days from `now` to `date`; null when either is not a date. */
export function daysUntil(date: unknown, now: unknown): number | null {
  const since = daysSince(date, now);
  return since === null ? null : 0 - since;
}

/** The custom operations playloop adds to JSON Logic, by operator name. */
export const PLAYLOOP_OPERATIONS = {
  days_since: daysSince,
  days_until: daysUntil,
} as const;

/** Registers playloop's custom operations on a json-logic-js instance (for interop and tests). */
export function registerPlayloopOperations(target: {
  add_operation(name: string, code: (...args: never[]) => unknown): void;
}): void {
  for (const [name, fn] of Object.entries(PLAYLOOP_OPERATIONS)) target.add_operation(name, fn);
}
