import type { AccountSnapshot } from "../engine/journey/journey-types.js";

const DAY_MS = 86_400_000;

/** A deterministic pseudo-random number in [0, 1) for account i and field k. */
function unit(i: number, k: number): number {
  const x = Math.sin(i * 12.9898 + k * 78.233) * 43758.5453;
  return x - Math.floor(x);
}

/** `count` varied accounts around `now` (health, usage, renewal, consent, escalations), the same every run. */
export function generatedAccounts(count: number, now: number): AccountSnapshot[] {
  const date = (days: number): string => new Date(now + Math.round(days) * DAY_MS).toISOString().slice(0, 10);
  return Array.from({ length: count }, (_, i) => {
    const utilization = unit(i, 1) * 1.1;
    return {
      id: `acct-${i}`,
      name: `Account ${i}`,
      arr: Math.round(unit(i, 2) * 150_000),
      plan: { tier: unit(i, 3) < 0.5 ? "growth" : "scale", seats: 50, list_price_per_seat: 80 },
      usage: { active_seats: Math.round(50 * utilization), seat_utilization: utilization },
      health_score: Math.round(20 + unit(i, 4) * 80),
      onboarded_at: date(-unit(i, 5) * 900),
      renewal_date: date(unit(i, 6) * 400 - 20),
      consent: { marketing: unit(i, 7) < 0.85 },
      risk: { open_escalations: unit(i, 8) < 0.1 ? 1 : 0, cancellation_intent: unit(i, 9) < 0.03 },
      products: unit(i, 10) < 0.3 ? ["core", "analytics"] : ["core"],
      contacts: [{ role: "champion", department: "operations" }],
    };
  });
}
