// The account the Temporal benchmarks ingest, so that their figures are for the same accounts.
import type { AccountSnapshot } from "../engine/journey/journey-types.js";

const DAY_MS = 86_400_000;

/** `now` moved by whole days, as a date. */
const day = (now: number, offset: number): string => new Date(now + offset * DAY_MS).toISOString().slice(0, 10);

/** Account `bench-<i>`: every playbook can detect on it, and seat-upsell finds it eligible (detecting). */
export function benchAccount(i: number, now: number): AccountSnapshot {
  return {
    id: `bench-${i}`,
    name: `Bench ${i}`,
    arr: 48000,
    plan: { tier: "growth", seats: 50, list_price_per_seat: 80 },
    usage: { active_seats: 30, seat_utilization: 0.6 },
    health_score: 82,
    onboarded_at: day(now, -200),
    renewal_date: day(now, 250),
    timezone: "UTC",
    consent: { marketing: true },
    risk: { open_escalations: 0, cancellation_intent: false },
    products: ["core"],
  };
}
