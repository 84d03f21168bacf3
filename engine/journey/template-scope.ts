import type { CompiledPlan, PlanOffer } from "../compile/plan.js";
import type { PlayState } from "./core-types.js";
import type { OfferField, PlaybookField } from "../template/scope-names.js";
import type { AccountSnapshot } from "./journey-types.js";

const DAY_MS = 86_400_000;

/** An offer as templates read it: the playbook's words (`discount` as `10%`), not the plan's units. */
function offerView(offer: PlanOffer): Record<string, unknown> {
  const view: Record<OfferField, unknown> = {
    sku: offer.sku,
    quantity: offer.quantity,
    plan: offer.plan,
    bundle: offer.bundle,
    price: offer.price,
    list_total: offer.listTotal,
    discount: `${Math.round(offer.discount * 10000) / 100}%`,
    discount_fraction: offer.discount,
    term_days: offer.termMs === undefined ? undefined : offer.termMs / DAY_MS,
  };
  return Object.fromEntries(Object.entries(view).filter(([, value]) => value !== undefined));
}

function playbookView(plan: CompiledPlan): Record<PlaybookField, string> {
  return { id: plan.id, name: plan.name, motion: plan.motion, version: plan.version };
}

/** The offer an action speaks of: its own, else the play's latest one still standing. */
function currentOffer(play: PlayState, offer: PlanOffer | undefined): PlanOffer | undefined {
  if (offer !== undefined) return offer;
  return play.offers.findLast((record) => record.status !== "rejected" && record.status !== "withdrawn")?.offer;
}

/**
 * What an action's templates see: the account's fields at the top level (`{{ name }}`) and under
 * `account`; `event`, the event that ended the play's latest wait on events; `offer`; the play's
 * `experiments`; `playbook`; and `now`, the core's clock. The names playloop gives win over account
 * fields of the same name, as in conditions.
 */
export function templateScope(options: {
  readonly account: AccountSnapshot;
  readonly plan: CompiledPlan;
  readonly play: PlayState;
  readonly offer?: PlanOffer;
  readonly now: number;
}): Record<string, unknown> {
  const { account, plan, play } = options;
  const offer = currentOffer(play, options.offer);
  return {
    ...account,
    account,
    now: new Date(options.now).toISOString(),
    playbook: playbookView(plan),
    experiments: play.experiments ?? {},
    ...(play.event === undefined ? {} : { event: play.event }),
    ...(offer === undefined ? {} : { offer: offerView(offer) }),
  };
}
