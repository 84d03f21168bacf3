import type { CompiledPlan, PlanOffer } from "../compile/plan.js";

/** What the fence says about an offer for one account. */
export type FenceDecision =
  | { readonly kind: "emit" }
  | { readonly kind: "approval"; readonly reason: string }
  | { readonly kind: "blocked"; readonly reason: string };

const pct = (fraction: number): string => `${Math.round(fraction * 10000) / 100}%`;

function field(account: Readonly<Record<string, unknown>>, group: string, key: string): unknown {
  const value = account[group];
  return typeof value === "object" && value !== null && Object.hasOwn(value, key)
    ? (value as Record<string, unknown>)[key]
    : undefined;
}

/**
 * Applies the playbook's discount fence to an offer for one account: the tightest applicable
 * maximum (overall, the account's tier, its segments), the floor price per seat, and the approval
 * threshold. An offer above the maximum or below the floor is never emitted.
 */
export function fenceDecision(
  plan: CompiledPlan,
  offer: PlanOffer,
  account: Readonly<Record<string, unknown>>,
  inSegment: (name: string) => boolean,
): FenceDecision {
  const fence = plan.discounts;
  if (fence === undefined)
    return offer.discount > 0
      ? { kind: "blocked", reason: `discount ${pct(offer.discount)} with no fence declared` }
      : { kind: "emit" };
  let limit = fence.max;
  let scope = "the fence";
  const tier = field(account, "plan", "tier");
  const tierLimit = typeof tier === "string" && Object.hasOwn(fence.byTier, tier) ? fence.byTier[tier] : undefined;
  if (tierLimit !== undefined && tierLimit < limit) {
    limit = tierLimit;
    scope = `the ${tier} tier's fence`;
  }
  for (const [segment, segmentLimit] of Object.entries(fence.bySegment)) {
    if (segmentLimit < limit && inSegment(segment)) {
      limit = segmentLimit;
      scope = `the ${segment} segment's fence`;
    }
  }
  if (offer.discount > limit + 1e-9)
    return { kind: "blocked", reason: `discount ${pct(offer.discount)} above ${scope} (${pct(limit)})` };
  const listPrice = field(account, "plan", "list_price_per_seat");
  if (fence.floorPrice !== undefined && offer.sku === "seats" && typeof listPrice === "number") {
    const unit = listPrice * (1 - offer.discount);
    if (unit < fence.floorPrice - 1e-9)
      return { kind: "blocked", reason: `price per seat ${unit.toFixed(2)} below the floor (${fence.floorPrice})` };
  }
  if (fence.approval !== undefined && offer.discount > fence.approval.above + 1e-9) {
    return {
      kind: "approval",
      reason: `discount ${pct(offer.discount)} above the approval threshold (${pct(fence.approval.above)})`,
    };
  }
  return { kind: "emit" };
}
