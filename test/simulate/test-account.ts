import type { AccountSnapshot } from "../../engine/journey/journey-types.js";

const DAY = 86_400_000;

/** A healthy, consenting growth account with dates relative to `now`; `over` changes what a case needs. */
export function testAccount(id: string, now: number, over: Record<string, unknown> = {}): AccountSnapshot {
  const day = (offset: number): string => new Date(now + offset * DAY).toISOString().slice(0, 10);
  return {
    id,
    name: `Account ${id}`,
    arr: 48_000,
    plan: { tier: "growth", seats: 50, list_price_per_seat: 80 },
    usage: { active_seats: 46, seat_utilization: 0.92 },
    health_score: 82,
    onboarded_at: day(-300),
    renewal_date: day(200),
    consent: { marketing: true },
    risk: { open_escalations: 0 },
    products: ["core"],
    contacts: [{ role: "champion", department: "operations" }],
    ...over,
  } as AccountSnapshot;
}
