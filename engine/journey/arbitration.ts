// Arbitration between the plays of one account: one play holds the account at a time (the higher
// priority wins, equal priorities per the policy), and offers stay inside the account's caps.
import type { CompiledPlan } from "../compile/plan.js";
import type { CoreRun } from "./core-run.js";
import type { PlayState } from "./core-types.js";
import { durationText } from "./duration-text.js";
import { frequencyBreach } from "./offer-frequency.js";

/** The answer to a play that wants to reach the account. */
export type AccountAnswer =
  | { readonly kind: "granted" }
  /** Another play holds the account: wait until it is free. */
  | { readonly kind: "wait"; readonly holder: string }
  /** Another play holds the account and the playbook says `on_conflict: end`. */
  | { readonly kind: "end"; readonly outcome: string }
  /** An account offer cap or cooldown: skip this offer. */
  | { readonly kind: "denied" };

/** Why the account's offer caps refuse another offer now, or undefined. */
function accountCap(run: CoreRun): string | undefined {
  const breach = frequencyBreach(run.state.offers, run.context.policy.frequency, run.now);
  if (breach === undefined) return undefined;
  if (breach.kind === "cap")
    return `suppressed: account cap of ${breach.maxOffers} offers per ${durationText(breach.perMs)} reached`;
  const declined = run.state.offers.filter((o) => o.status === "declined").at(-1);
  return `suppressed: cooldown after a declined offer (${declined?.playbookId ?? "another play"})`;
}

/**
 * Decides whether a play may reach the account now and, when it may, makes it the holder (and
 * puts an offer in the account's ledger). Held-out plays reach no one, so they never hold it.
 */
export function requestAccount(
  run: CoreRun,
  play: PlayState,
  plan: CompiledPlan,
  step: string,
  offer: boolean,
): AccountAnswer {
  if (play.holdout) return { kind: "granted" };
  const { state } = run;
  const active = state.active;
  const other = active !== undefined && active.playbookId !== play.playbookId ? active : undefined;
  if (other !== undefined) {
    const wins =
      plan.priority > other.priority ||
      (plan.priority === other.priority && run.context.policy.equalPriority === "latest");
    if (!wins) {
      const reason = `suppressed: ${other.playbookId} active`;
      run.decideAccount("suppressed", `${play.playbookId} ${reason}`);
      run.decide(play, "suppressed", reason, step);
      return (plan.enrollment?.onConflict ?? "wait") === "end"
        ? { kind: "end", outcome: reason }
        : { kind: "wait", holder: other.playbookId };
    }
  }
  if (offer) {
    const cap = accountCap(run);
    if (cap !== undefined) {
      run.decideAccount("suppressed", `${play.playbookId} offer ${cap}`);
      run.decide(play, "suppressed", cap, step);
      return { kind: "denied" };
    }
    state.offers.push({ playbookId: play.playbookId, at: run.iso(), status: "proposed" });
    if (state.offers.length > 50) state.offers.splice(0, state.offers.length - 50);
  }
  if (other !== undefined)
    run.decideAccount(
      "suppressed",
      `${other.playbookId} pre-empted by ${play.playbookId} (priority ${plan.priority} over ${other.priority})`,
    );
  if (state.active?.playbookId !== play.playbookId)
    state.active = { playbookId: play.playbookId, priority: plan.priority, since: run.iso() };
  return { kind: "granted" };
}

/** The play no longer holds the account (it ended or looped back to detect): others may go. */
export function releaseAccount(run: CoreRun, play: PlayState): void {
  if (run.state.active?.playbookId !== play.playbookId) return;
  run.state.active = undefined;
  run.freed = true;
  run.decideAccount("fired", `${play.playbookId} released the account`);
}
