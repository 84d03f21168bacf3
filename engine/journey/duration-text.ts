const DAY_MS = 86_400_000;

/** A duration as decisions and summaries write it: `45 days`, `1 day`, or `36 hours`. */
export function durationText(ms: number): string {
  const d = ms / DAY_MS;
  return d >= 1 && Number.isInteger(d) ? `${d} day${d === 1 ? "" : "s"}` : `${Math.round(ms / 3_600_000)} hours`;
}
