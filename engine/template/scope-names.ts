// The names a template's scope gives beside the account's own fields: the journey core builds the
// scope with them and validation checks what templates read against them, from this one list.

/** The fields of `event`: the event that ended the play's latest wait on events. */
export const EVENT_FIELDS = ["type", "data", "at"] as const;

/** The fields of `offer`, as templates read them (`discount` as written, `10%`). */
export const OFFER_FIELDS = [
  "sku",
  "quantity",
  "plan",
  "bundle",
  "price",
  "list_total",
  "discount",
  "discount_fraction",
  "term_days",
] as const;

/** The fields of `playbook`. */
export const PLAYBOOK_FIELDS = ["id", "name", "motion", "version"] as const;

/** Names a template may read beside the account's fields; they win over account fields of the same name. */
export const SCOPE_ROOTS = ["account", "event", "offer", "experiments", "playbook", "now"] as const;

export type OfferField = (typeof OFFER_FIELDS)[number];
export type PlaybookField = (typeof PLAYBOOK_FIELDS)[number];
