const UNIT_MS: Readonly<Record<string, number>> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** `90d` -> milliseconds. The schema has already checked the form. */
export function durationMs(text: string): number {
  const unit = text.slice(-1);
  return Number(text.slice(0, -1)) * (UNIT_MS[unit] ?? Number.NaN);
}

/** `90d` -> days (fractional for hours and minutes). */
export function durationDays(text: string): number {
  return durationMs(text) / 86_400_000;
}

/** `15%` -> 0.15. */
export function percent(text: string): number {
  return Math.round(Number(text.slice(0, -1)) * 1e6) / 1e8;
}
