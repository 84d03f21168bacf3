// The facts of one account's run of a play, as the journey core records them, for report tests.
import type { Fact } from "../../engine/journey/account-facts.js";

const DAY = 86_400_000;

/** `iso` moved by `days`. */
export const addDays = (iso: string, days: number): string => new Date(Date.parse(iso) + days * DAY).toISOString();

/**
 * Entered at `entered`, engaged a day later, offered three days later, and a deal `deal.day` days
 * after entering. Holdout runs' deals are attributed to no play, as the core does (they get no offer).
 */
export function playRunFacts(
  playbook: string,
  account: string,
  entered: string,
  options: {
    readonly holdout?: boolean;
    readonly motion?: string;
    readonly engaged?: boolean;
    readonly offer?: string;
    readonly deal?: {
      readonly day: number;
      readonly outcome: "won" | "lost";
      readonly amount?: number;
      readonly reason?: string;
      readonly sku?: string;
    };
    readonly experiment?: { readonly name: string; readonly variant: string };
  },
): Fact[] {
  const holdout = options.holdout ?? false;
  const base = { account, playbook, run: 1, holdout };
  const id = (suffix: string): string => `${account}:${playbook}:1:${suffix}`;
  const facts: Fact[] = [
    {
      ...base,
      id: id("entered"),
      type: "play.entered",
      at: entered,
      data: { motion: options.motion ?? "upsell", attribution_ms: 90 * DAY },
    },
  ];
  if (options.experiment !== undefined)
    facts.push({
      ...base,
      id: id("experiment"),
      type: "experiment.assigned",
      at: entered,
      data: { experiment: options.experiment.name, variant: options.experiment.variant },
    });
  if (options.engaged === true)
    facts.push({ ...base, id: id("engaged"), type: "play.engaged", at: addDays(entered, 1), data: {} });
  if (options.offer !== undefined)
    facts.push({
      ...base,
      id: id("offer"),
      type: "offer.proposed",
      at: addDays(entered, 3),
      data: { sku: options.offer },
    });
  const deal = options.deal;
  if (deal !== undefined)
    facts.push({
      id: `${account}:deal:${playbook}`,
      type: "deal.closed",
      account,
      at: addDays(entered, deal.day),
      ...(holdout ? {} : { playbook }),
      data: {
        outcome: deal.outcome,
        amount: deal.amount ?? 0,
        ...(deal.sku === undefined ? {} : { sku: deal.sku }),
        ...(deal.reason === undefined ? {} : { reason: deal.reason }),
      },
    });
  return facts;
}
