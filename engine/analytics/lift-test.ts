// Lift of a treatment over its holdout (or of a variant over another), with a 95% confidence
// interval and a two-sided p-value: a two-proportion z-test for conversion, Welch's t-test for
// ARR per account. Below MIN_SAMPLE accounts in either group the answer is "insufficient data".
import jstatModule from "jstat";

const { jStat } = jstatModule;

/** The fewest accounts in each group for a lift to be stated at all. */
export const MIN_SAMPLE = 30;

export interface GroupSummary {
  readonly accounts: number;
  /** The conversion rate (a fraction) or the mean ARR per account. */
  readonly value: number;
}

export type LiftResult =
  | {
      readonly method: "two-proportion z-test" | "Welch's t-test";
      readonly treatment: GroupSummary;
      readonly control: GroupSummary;
      /** treatment - control. */
      readonly difference: number;
      readonly ci95: readonly [number, number];
      readonly p_value: number;
    }
  | {
      readonly method: "two-proportion z-test" | "Welch's t-test";
      readonly treatment: GroupSummary;
      readonly control: GroupSummary;
      readonly insufficient_data: string;
    };

const Z95 = jStat.normal.inv(0.975, 0, 1);

function insufficient(
  method: LiftResult["method"],
  treatment: GroupSummary,
  control: GroupSummary,
): LiftResult | undefined {
  if (treatment.accounts >= MIN_SAMPLE && control.accounts >= MIN_SAMPLE) return undefined;
  return {
    method,
    treatment,
    control,
    insufficient_data: `insufficient data: ${treatment.accounts} treated and ${control.accounts} control accounts, at least ${MIN_SAMPLE} each needed`,
  };
}

/** Conversion: `converted` of `accounts` in each group. */
export function proportionLift(
  treated: { readonly accounts: number; readonly converted: number },
  held: { readonly accounts: number; readonly converted: number },
): LiftResult {
  const method = "two-proportion z-test" as const;
  const rate = (g: { accounts: number; converted: number }): number =>
    g.accounts === 0 ? 0 : g.converted / g.accounts;
  const treatment = { accounts: treated.accounts, value: rate(treated) };
  const control = { accounts: held.accounts, value: rate(held) };
  const short = insufficient(method, treatment, control);
  if (short !== undefined) return short;
  const [p1, n1, p2, n2] = [treatment.value, treated.accounts, control.value, held.accounts];
  const difference = p1 - p2;
  const se = Math.sqrt((p1 * (1 - p1)) / n1 + (p2 * (1 - p2)) / n2);
  const pooled = (treated.converted + held.converted) / (n1 + n2);
  const sePooled = Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
  const p = sePooled === 0 ? 1 : 2 * (1 - jStat.normal.cdf(Math.abs(difference / sePooled), 0, 1));
  return { method, treatment, control, difference, ci95: [difference - Z95 * se, difference + Z95 * se], p_value: p };
}

function meanAndVariance(values: readonly number[]): { mean: number; variance: number } {
  const mean = values.reduce((a, b) => a + b, 0) / Math.max(values.length, 1);
  const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(values.length - 1, 1);
  return { mean, variance };
}

/** ARR per account: each account's value in each group. */
export function meanLift(treatedValues: readonly number[], heldValues: readonly number[]): LiftResult {
  const method = "Welch's t-test" as const;
  const a = meanAndVariance(treatedValues);
  const b = meanAndVariance(heldValues);
  const treatment = { accounts: treatedValues.length, value: a.mean };
  const control = { accounts: heldValues.length, value: b.mean };
  const short = insufficient(method, treatment, control);
  if (short !== undefined) return short;
  const [n1, n2] = [treatedValues.length, heldValues.length];
  const difference = a.mean - b.mean;
  const q1 = a.variance / n1;
  const q2 = b.variance / n2;
  const se = Math.sqrt(q1 + q2);
  if (se === 0)
    return {
      method,
      treatment,
      control,
      difference,
      ci95: [difference, difference],
      p_value: difference === 0 ? 1 : 0,
    };
  const df = (q1 + q2) ** 2 / (q1 ** 2 / (n1 - 1) + q2 ** 2 / (n2 - 1));
  const t = difference / se;
  const p = 2 * (1 - jStat.studentt.cdf(Math.abs(t), df));
  const margin = jStat.studentt.inv(0.975, df) * se;
  return { method, treatment, control, difference, ci95: [difference - margin, difference + margin], p_value: p };
}
