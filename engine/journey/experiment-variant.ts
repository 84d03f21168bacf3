// Which variant of an experiment an account gets: a stable hash of (playbook, experiment,
// account) against the variants' cumulative shares, so it is the same on every run, every worker
// and in \`playloop test\`, and independent of the play's holdout and of other experiments.
import type { PlanVariant } from "../compile/plan.js";
import { stableFraction } from "./stable-hash.js";

/** The variant of `experiment` the account gets, and the fraction that placed it. */
export function experimentVariant(
  playbookId: string,
  experiment: string,
  accountId: string,
  variants: readonly PlanVariant[],
): { readonly variant: PlanVariant; readonly fraction: number } | undefined {
  const fraction = stableFraction(playbookId, "experiment", experiment, accountId);
  const total = variants.reduce((sum, v) => sum + v.share, 0);
  let cumulative = 0;
  for (const variant of variants) {
    cumulative += variant.share / (total > 0 ? total : 1);
    if (fraction < cumulative) return { variant, fraction };
  }
  const last = variants.at(-1);
  return last === undefined ? undefined : { variant: last, fraction };
}
