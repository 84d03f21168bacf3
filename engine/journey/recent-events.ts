// The account's recent events that some deployed plan counts (`count(type, window, ...)`), kept
// in the core state within the longest window that counts each type and at most MAX_RECENT in
// all, so counts slide with time and survive continue-as-new in bounded memory.
import type { CompiledPlan, PlanCount } from "../compile/plan.js";
import type { JourneyEvent } from "./journey-types.js";

/** At most this many counted events are kept per account; the oldest go first. */
export const MAX_RECENT = 500;

/** A counted event as the core keeps it: its type, business time (ms) and data. */
export interface RecentEvent {
  readonly type: string;
  readonly at: number;
  readonly data?: Readonly<Record<string, unknown>>;
}

/** The longest window over which each event type is counted by any of `plans` (or the scorecard). */
export function countWindows(
  plans: readonly ({ readonly counts?: readonly PlanCount[] } | undefined)[],
): Map<string, number> {
  const windows = new Map<string, number>();
  for (const count of plans.flatMap((plan): readonly PlanCount[] => plan?.counts ?? []))
    windows.set(count.event, Math.max(windows.get(count.event) ?? 0, count.windowMs));
  return windows;
}

/** Keeps `event` when a plan counts its type; its time is the event's `at` when valid, else `now`. */
export function rememberEvent(
  recent: RecentEvent[],
  event: JourneyEvent,
  windows: ReadonlyMap<string, number>,
  now: number,
): void {
  if (!windows.has(event.type)) return;
  const at = event.at === undefined ? Number.NaN : Date.parse(event.at);
  recent.push({ type: event.type, at: Number.isFinite(at) ? at : now, ...(event.data ? { data: event.data } : {}) });
  recent.sort((a, b) => a.at - b.at);
  if (recent.length > MAX_RECENT) recent.splice(0, recent.length - MAX_RECENT);
}

/** Drops events no plan counts any more, or older than the longest window their type is counted over. */
export function pruneRecent(recent: RecentEvent[], windows: ReadonlyMap<string, number>, now: number): void {
  const kept = recent.filter((event) => {
    const window = windows.get(event.type);
    return window !== undefined && now - event.at < window;
  });
  recent.splice(0, recent.length, ...kept);
}

/** The next time one of the counted events leaves a window `plan` counts it over (a count can change then). */
export function nextCountExpiry(recent: readonly RecentEvent[], plan: CompiledPlan, now: number): number | undefined {
  let next = Infinity;
  for (const count of plan.counts ?? [])
    for (const event of recent)
      if (event.type === count.event && event.at + count.windowMs > now)
        next = Math.min(next, event.at + count.windowMs);
  return next === Infinity ? undefined : next;
}

/** The events as rules see them (`recent_events`): with their age at `now`. */
export function recentForRules(recent: readonly RecentEvent[], now: number): Record<string, unknown>[] {
  return recent.map((event) => ({
    type: event.type,
    at: new Date(event.at).toISOString(),
    age_ms: now - event.at,
    data: event.data ?? {},
  }));
}
