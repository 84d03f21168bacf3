// The period a report covers, from what a user typed: dates (2026-01-01) or ISO times, `to`
// defaulting to now and `from` to a year before `to`.
const DAY_MS = 86_400_000;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;

/** An ISO time (ms, UTC) for a date or time, or why it is not one. */
function instant(text: string, name: string): string {
  if (!DATE.test(text) && !TIME.test(text))
    throw new Error(`${name} "${text.slice(0, 40)}" is not a date (2026-01-31) or an ISO time (2026-01-31T00:00:00Z)`);
  const ms = Date.parse(DATE.test(text) ? `${text}T00:00:00Z` : text);
  if (!Number.isFinite(ms)) throw new Error(`${name} "${text}" is not a real date`);
  return new Date(ms).toISOString();
}

/** `{ from, to }` as ISO times, or a message saying what is wrong. */
export function parsePeriod(
  from: string | undefined,
  to: string | undefined,
  now: number,
): { from: string; to: string } | string {
  try {
    const end = to === undefined ? new Date(now).toISOString() : instant(to, "--to");
    const start = from === undefined ? new Date(Date.parse(end) - 365 * DAY_MS).toISOString() : instant(from, "--from");
    if (Date.parse(start) >= Date.parse(end))
      return `--from (${start.slice(0, 10)}) must come before --to (${end.slice(0, 10)})`;
    return { from: start, to: end };
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}
