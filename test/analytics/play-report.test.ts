// Each play's funnel, deals and lift over the holdout, from facts made here, against values worked
// out by hand and by SciPy (scipy.stats.ttest_ind(equal_var=False) and the normal distribution).
import { playRunFacts } from "./play-run-facts.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FactStore } from "../../engine/analytics/fact-store.js";
import { formatReport } from "../../engine/analytics/format-report.js";
import { MIN_SAMPLE, meanLift, proportionLift } from "../../engine/analytics/lift-test.js";
import { revenueReport, type PlayReport, type RevenueReport } from "../../engine/analytics/revenue-report.js";
import type { Fact } from "../../engine/journey/account-facts.js";

const DAY = 86_400_000;
const T0 = Date.parse("2026-02-01T00:00:00Z");
const at = (days: number): string => new Date(T0 + days * DAY).toISOString();

describe("lift statistics", () => {
  it("two-proportion z-test: 12 of 40 against 4 of 40", () => {
    const lift = proportionLift({ accounts: 40, converted: 12 }, { accounts: 40, converted: 4 });
    if (!("difference" in lift)) throw new Error(lift.insufficient_data);
    expect(lift.difference).toBeCloseTo(0.2, 12);
    expect(lift.ci95[0]).toBeCloseTo(0.030262139888574263, 9);
    expect(lift.ci95[1]).toBeCloseTo(0.36973786011142573, 9);
    expect(lift.p_value).toBeCloseTo(0.025347318677468277, 9);
  });

  it("Welch's t-test: 10 of 30 adding 3,000 against 3 of 30", () => {
    const treated = [...Array<number>(10).fill(3000), ...Array<number>(20).fill(0)];
    const held = [...Array<number>(3).fill(3000), ...Array<number>(27).fill(0)];
    const lift = meanLift(treated, held);
    if (!("difference" in lift)) throw new Error(lift.insufficient_data);
    expect(lift.treatment).toEqual({ accounts: 30, value: 1000 });
    expect(lift.control).toEqual({ accounts: 30, value: 300 });
    expect(lift.difference).toBe(700);
    expect(lift.p_value).toBeCloseTo(0.029040450385372753, 6);
    expect(lift.ci95[0]).toBeCloseTo(74.5130808338007, 4);
    expect(lift.ci95[1]).toBeCloseTo(1325.4869191661992, 4);
  });

  it("says insufficient data below the minimum sample instead of a number", () => {
    const lift = proportionLift({ accounts: 200, converted: 50 }, { accounts: MIN_SAMPLE - 1, converted: 2 });
    expect(lift).not.toHaveProperty("p_value");
    expect("insufficient_data" in lift && lift.insufficient_data).toBe(
      `insufficient data: 200 treated and ${MIN_SAMPLE - 1} control accounts, at least ${MIN_SAMPLE} each needed`,
    );
  });
});

const n = (count: number, make: (i: number) => Fact[]): Fact[] =>
  Array.from({ length: count }, (_, i) => make(i)).flat();

describe("a play's report", () => {
  let store: FactStore;
  let report: RevenueReport;
  const play = (id: string): PlayReport => {
    const found = report.plays.find((p) => p.playbook === id);
    if (found === undefined) throw new Error(`no play ${id}`);
    return found;
  };

  beforeAll(async () => {
    store = await FactStore.open(":memory:");
    const facts: Fact[] = [
      // seat-upsell: 40 treated (all engaged, 30 offered: 12 won at 3,000 on day 10 + i, 6 lost),
      // 40 held out (4 won 3,000 on their own).
      ...n(40, (i) =>
        playRunFacts("seat-upsell", `t${i}`, at(0), {
          engaged: true,
          ...(i < 30 ? { offer: "seats" } : {}),
          ...(i < 12
            ? { deal: { day: 10 + i, outcome: "won", amount: 3000, sku: "seats" } }
            : i < 18
              ? { deal: { day: 20, outcome: "lost", reason: i < 16 ? "budget" : "timing" } }
              : {}),
          experiment: { name: "prompt", variant: i % 2 === 0 ? "roi_first" : "control" },
        }),
      ),
      ...n(40, (i) =>
        playRunFacts("seat-upsell", `h${i}`, at(0), {
          holdout: true,
          ...(i < 4 ? { deal: { day: 30, outcome: "won", amount: 3000 } } : {}),
        }),
      ),
      // cross-sell: 5 accounts, 4 engaged and offered, 2 bought the offered sku: too few for a lift.
      ...n(5, (i) =>
        playRunFacts("dept-cross-sell", `x${i}`, at(0), {
          motion: "cross_sell",
          engaged: i < 4,
          ...(i < 4 ? { offer: "analytics" } : {}),
          ...(i < 2 ? { deal: { day: 40, outcome: "won", amount: 12000, sku: "analytics" } } : {}),
        }),
      ),
      // Suppressed at the trigger twice (at risk) and once later (a cap), for seat-upsell.
      ...["s1", "s2"].map((account, i): Fact => ({
        id: `${account}:seat-upsell:suppressed:${i}`,
        type: "play.suppressed",
        account,
        at: at(3),
        playbook: "seat-upsell",
        data: { kind: "suppressed", reason: "at_risk", detecting: true },
      })),
      {
        id: "t1:seat-upsell:suppressed:cap",
        type: "play.suppressed",
        account: "t1",
        at: at(4),
        playbook: "seat-upsell",
        run: 1,
        data: { kind: "held", reason: "touch cap: email 3 per 7d", detecting: false },
      },
      // A won deal no play proposed.
      {
        id: "u1:deal:1",
        type: "deal.closed",
        account: "u1",
        at: at(50),
        data: { outcome: "won", amount: 5000, sku: "support" },
      },
    ];
    await store.record(facts);
    report = await revenueReport(store, { from: at(-30), to: at(335) });
  });

  afterAll(() => store?.close());

  it("counts the funnel of treated runs, the holdout apart", () => {
    expect(play("seat-upsell").funnel).toEqual({ identified: 40, engaged: 40, proposed: 30, won: 12, lost: 6 });
    expect(play("seat-upsell").holdout).toBe(40);
    expect(play("dept-cross-sell").funnel).toEqual({ identified: 5, engaged: 4, proposed: 4, won: 2, lost: 0 });
  });

  it("states win rate, attributed ARR, average deal, days to a win and lost reasons", () => {
    const upsell = play("seat-upsell");
    expect(upsell.win_rate).toBeCloseTo(12 / 18, 12);
    expect(upsell.expansion_arr).toBe(36_000);
    expect(upsell.average_deal).toBe(3000);
    // Won on days 10..21 after entering on day 0: the median of 10..21 is 15.5.
    expect(upsell.median_days_to_win).toBeCloseTo(15.5, 9);
    expect(upsell.lost_reasons).toEqual({ budget: 4, timing: 2 });
    expect(upsell.attach_rate).toBeNull();
    expect(play("dept-cross-sell").attach_rate).toBeCloseTo(2 / 5, 12);
  });

  it("counts suppressions by reason, and triggers fired against engaged runs", () => {
    const upsell = play("seat-upsell");
    expect(upsell.suppressions).toEqual({ at_risk: 2, "touch cap: email 3 per 7d": 1 });
    expect(upsell.signal_to_play).toEqual({ triggers_fired: 42, engaged: 40, rate: 40 / 42 });
  });

  it("compares the treated accounts with the holdout: 12 of 40 won against 4 of 40", () => {
    const { conversion, expansion_arr_per_account: arr } = play("seat-upsell").lift;
    expect(conversion).toMatchObject({
      treatment: { accounts: 40, value: 0.3 },
      control: { accounts: 40, value: 0.1 },
    });
    expect("p_value" in conversion && conversion.p_value).toBeCloseTo(0.025347318677468277, 9);
    expect(arr).toMatchObject({ treatment: { accounts: 40, value: 900 }, control: { accounts: 40, value: 300 } });
    expect("difference" in arr && arr.difference).toBe(600);
  });

  it("says insufficient data for a play with too few accounts", () => {
    const { conversion } = play("dept-cross-sell").lift;
    expect("insufficient_data" in conversion && conversion.insufficient_data).toMatch(
      /^insufficient data: 5 treated and 0 control/,
    );
  });

  it("compares experiment variants the same way", () => {
    const [experiment] = play("seat-upsell").experiments;
    expect(experiment?.experiment).toBe("prompt");
    // Even accounts are roi_first: 6 of the 12 winners (t0, t2, ... t10) in each variant.
    expect(experiment?.variants).toEqual([
      { variant: "roi_first", accounts: 20, converted: 6 },
      { variant: "control", accounts: 20, converted: 6 },
    ]);
    expect(experiment?.comparison).toMatchObject({ treatment: "roi_first", control: "control" });
    expect(experiment?.comparison?.conversion).toHaveProperty("insufficient_data");
  });

  it("reports won deals no play proposed as unattributed: the holdout's four and one more", () => {
    expect(report.unattributed).toEqual({ won: 5, expansion_arr: 4 * 3000 + 5000 });
  });

  it("prints as the terminal shows it (golden: test/fixtures/reports/play-report.txt)", async () => {
    await expect(formatReport(report)).toMatchFileSnapshot("../fixtures/reports/play-report.txt");
  });

  it("narrows to one playbook", async () => {
    const one = await revenueReport(store, { from: at(-30), to: at(335), playbook: "dept-cross-sell" });
    expect(one.plays.map((p) => p.playbook)).toEqual(["dept-cross-sell"]);
  });
});
