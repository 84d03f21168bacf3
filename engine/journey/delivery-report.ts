import type { ActionEvent } from "./action-event.js";
import type { CoreInput } from "./core-types.js";

/**
 * The input that tells the core how a delivery it asked for ended: delivered, or `error`; at
 * `destination` when it was routed to one.
 */
export function deliveryReport(
  delivery: { readonly playbookId: string; readonly step: string; readonly action: ActionEvent },
  error?: string,
  destination?: string,
): Extract<CoreInput, { kind: "delivered" }> {
  return {
    kind: "delivered",
    playbookId: delivery.playbookId,
    step: delivery.step,
    actionId: delivery.action.id,
    action: String(delivery.action.data.action),
    stage: String(delivery.action.data.stage),
    ...(error === undefined ? {} : { error }),
    ...(destination === undefined ? {} : { destination }),
  };
}
