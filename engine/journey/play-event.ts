import type { PlayEvent } from "./core-types.js";
import type { JourneyEvent } from "./journey-types.js";

/** The most JSON text of an event's `data` a play keeps for its templates. */
export const MAX_EVENT_DATA = 4096;

/**
 * The copy of an event a play keeps for its templates (`event.type`, `event.data`, `event.at`):
 * part of the account's state, so it survives continue-as-new; its `data` is dropped when larger
 * than MAX_EVENT_DATA, so one large event cannot swell every later history.
 */
export function playEvent(event: JourneyEvent, now: number): PlayEvent {
  const at = event.at ?? new Date(now).toISOString();
  const data = event.data === undefined ? undefined : JSON.stringify(event.data);
  return data === undefined || data.length > MAX_EVENT_DATA
    ? { type: event.type, at }
    : { type: event.type, at, data: JSON.parse(data) as Record<string, unknown> };
}
