import type { SendWindow } from "../ast/playbook.js";
import { timeZoneOr } from "../template/time-zone.js";

const STEP_MS = 15 * 60_000;
const HORIZON_STEPS = (8 * 24 * 60 * 60_000) / STEP_MS;
const WEEKDAYS: Readonly<Record<string, string>> = {
  Mon: "mon",
  Tue: "tue",
  Wed: "wed",
  Thu: "thu",
  Fri: "fri",
  Sat: "sat",
  Sun: "sun",
};

function minutes(hhmm: string): number {
  const [h, m] = hhmm.split(":");
  return Number(h) * 60 + Number(m);
}

/** Resolves the window's time zone: `account` means the account's `timezone`; UTC when unknown or invalid. */
export function windowTimeZone(window: SendWindow, accountTimeZone: unknown): string {
  return timeZoneOr(window.timezone === "account" ? accountTimeZone : window.timezone);
}

function isOpen(window: SendWindow, formatter: Intl.DateTimeFormat, at: number): boolean {
  const parts = formatter.formatToParts(new Date(at));
  const part = (type: string): string => parts.find((p) => p.type === type)?.value ?? "";
  const day = WEEKDAYS[part("weekday")];
  if (day === undefined || !window.days.includes(day)) return false;
  if (window.hours === undefined) return true;
  const now = (Number(part("hour")) % 24) * 60 + Number(part("minute"));
  const from = minutes(window.hours.from);
  const to = minutes(window.hours.to);
  // A window whose end is before its start wraps past midnight (20:00-08:00).
  return from <= to ? now >= from && now < to : now >= from || now < to;
}

/**
 * The earliest time at or after `now` (epoch ms) when the send window is open in `timeZone`, to
 * the quarter hour; `now` itself when it is open. Undefined when it never opens within 8 days.
 */
export function nextSendTime(window: SendWindow, timeZone: string, now: number): number | undefined {
  const formatter = new Intl.DateTimeFormat("en-US", {
    timeZone,
    weekday: "short",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  });
  if (isOpen(window, formatter, now)) return now;
  const first = Math.ceil(now / STEP_MS) * STEP_MS;
  for (let i = 0; i <= HORIZON_STEPS; i++) {
    const at = first + i * STEP_MS;
    if (isOpen(window, formatter, at)) return at;
  }
  return undefined;
}
