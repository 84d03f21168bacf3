// The HTML page of `playloop report`: a report read from facts made here (in an in-memory DuckDB)
// rendered to one page, checked as text (escaping, the "no data" message) and in a real headless
// Chromium (Debian's `chromium`, driven by playwright-core): no errors, no request, charts with a
// size, funnel bars, monthly points and confidence intervals that match the report.
// PLAYLOOP_CHROMIUM names another Chromium; PLAYLOOP_REPORT_PNG=/tmp/report.png saves a screenshot (and the page as /tmp/report.html).
import { addDays, playRunFacts } from "./play-run-facts.js";
import { existsSync, writeFileSync } from "node:fs";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FactStore } from "../../engine/analytics/fact-store.js";
import { htmlReport } from "../../engine/analytics/html-report.js";
import { revenueReport, type RevenueReport } from "../../engine/analytics/revenue-report.js";
import type { Fact } from "../../engine/journey/account-facts.js";

const FROM = "2026-01-01T00:00:00.000Z";
const TO = "2027-01-01T00:00:00.000Z";
const EXECUTABLE = process.env.PLAYLOOP_CHROMIUM ?? "/usr/bin/chromium";

const SCRIPT_REASON = '<script>alert("lost")</script>';
const QUOTED_REASON = 'quiet hours & "VIP" <b>';
const pad = (i: number): string => String(i).padStart(2, "0");

/** The ARR of an account observed at a time (`churned` adds the churn fact, as the core does). */
function arr(account: string, at: string, value: number, churned = false): Fact[] {
  const observed: Fact = { id: `${account}:arr:${at}`, type: "arr.observed", account, at, data: { arr: value } };
  return churned
    ? [{ id: `${account}:churn:${at}`, type: "account.churned", account, at, data: {} }, observed]
    : [observed];
}

/** A suppression of a play at an account. */
const suppressed = (playbook: string, account: string, at: string, reason: string, detecting: boolean): Fact => ({
  id: `${account}:${playbook}:suppressed:${at}:${reason}`,
  type: "play.suppressed",
  account,
  at,
  playbook,
  data: { kind: "suppressed", reason, detecting },
});

const LOST_REASONS = ["budget", "budget", "budget", "timing", "timing", SCRIPT_REASON];

/**
 * A year of a small base and two plays: expand-seats with 60 treated and 40 held-out accounts (a
 * computed lift, and an experiment of 30 against 30), win-back with 8 and 3 (insufficient data).
 */
function facts(): Fact[] {
  const all: Fact[] = [
    ...arr("base-1", "2025-12-01T00:00:00.000Z", 10_000),
    ...arr("base-1", "2026-03-10T00:00:00.000Z", 14_000),
    ...arr("base-2", "2025-11-01T00:00:00.000Z", 20_000),
    ...arr("base-2", "2026-05-02T00:00:00.000Z", 15_000),
    ...arr("base-3", "2025-12-01T00:00:00.000Z", 5_000),
    ...arr("base-3", "2026-06-15T00:00:00.000Z", 0, true),
    ...arr("base-4", "2025-10-01T00:00:00.000Z", 8_000),
    ...arr("base-5", "2025-12-20T00:00:00.000Z", 30_000),
    ...arr("base-5", "2026-09-01T00:00:00.000Z", 38_500),
  ];
  for (let i = 0; i < 60; i++)
    all.push(
      ...playRunFacts("expand-seats", `t-${pad(i)}`, addDays("2026-02-01T00:00:00.000Z", i), {
        motion: "cross_sell",
        engaged: i < 45,
        ...(i < 30 ? { offer: "seats" } : {}),
        experiment: { name: "subject-line", variant: i % 2 === 0 ? "control" : "short-copy" },
        ...(i < 18
          ? { deal: { day: 20, outcome: "won" as const, amount: 2_000 + 100 * i } }
          : i < 24
            ? { deal: { day: 20, outcome: "lost" as const, amount: 0, reason: LOST_REASONS[i - 18] ?? "budget" } }
            : {}),
      }),
    );
  for (let i = 0; i < 40; i++)
    all.push(
      ...playRunFacts("expand-seats", `h-${pad(i)}`, addDays("2026-02-01T00:00:00.000Z", i), {
        motion: "cross_sell",
        holdout: true,
        ...(i < 4 ? { deal: { day: 20, outcome: "won" as const, amount: 1_500 } } : {}),
      }),
    );
  for (let i = 0; i < 5; i++)
    all.push(suppressed("expand-seats", `s-${i}`, addDays("2026-03-01T00:00:00.000Z", i), "frequency cap", true));
  for (let i = 0; i < 2; i++)
    all.push(suppressed("expand-seats", `q-${i}`, addDays("2026-04-01T00:00:00.000Z", i), QUOTED_REASON, false));
  for (let i = 0; i < 8; i++)
    all.push(
      ...playRunFacts("win-back", `w-${i}`, addDays("2026-05-01T00:00:00.000Z", i), {
        motion: "retention",
        engaged: i < 4,
        ...(i < 2 ? { offer: "seats" } : {}),
        ...(i === 0
          ? { deal: { day: 20, outcome: "won" as const, amount: 5_000 } }
          : i === 1
            ? { deal: { day: 20, outcome: "lost" as const, amount: 0, reason: "went with a competitor" } }
            : {}),
      }),
    );
  for (let i = 0; i < 3; i++)
    all.push(
      ...playRunFacts("win-back", `wh-${i}`, addDays("2026-05-01T00:00:00.000Z", i), {
        motion: "retention",
        holdout: true,
      }),
    );
  return all;
}

let report: RevenueReport;
let emptyReport: RevenueReport;
let html: string;

beforeAll(async () => {
  const store = await FactStore.open(":memory:");
  const empty = await FactStore.open(":memory:");
  try {
    await store.record(facts());
    report = await revenueReport(store, { from: FROM, to: TO });
    emptyReport = await revenueReport(empty, { from: FROM, to: TO });
  } finally {
    store.close();
    empty.close();
  }
  html = htmlReport(report, { title: "Revenue report 2026" });
});

const playOf = (playbook: string) => {
  const play = report.plays.find((p) => p.playbook === playbook);
  if (play === undefined) throw new Error(`no play ${playbook} in the report`);
  return play;
};

describe("htmlReport as text", () => {
  it("is read from a report with a computed lift and one with insufficient data", () => {
    expect(report.plays.map((p) => p.playbook)).toEqual(["expand-seats", "win-back"]);
    expect(playOf("expand-seats").funnel).toEqual({ identified: 60, engaged: 45, proposed: 30, won: 18, lost: 6 });
    expect(playOf("expand-seats").lift.conversion).toHaveProperty("p_value");
    expect(playOf("expand-seats").lift.expansion_arr_per_account).toHaveProperty("p_value");
    expect(playOf("expand-seats").experiments[0]?.comparison?.conversion).toHaveProperty("p_value");
    expect(playOf("win-back").lift.conversion).toHaveProperty("insufficient_data");
    expect(report.months).toHaveLength(12);
    expect(report.base.nrr).not.toBeNull();
  });

  it("is one page that fetches nothing: no script, no link, no external URL", () => {
    expect(html.startsWith("<!doctype html>")).toBe(true);
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<link|<img|@import|url\(/i);
    // The only URL is the SVG namespace, which is a name, not a fetch.
    expect(html.replace(/xmlns="http:\/\/www\.w3\.org\/2000\/svg"/g, "")).not.toMatch(/https?:|\/\//);
  });

  it("states the headline figures", () => {
    const pct = (value: number | null): string => `${((value ?? Number.NaN) * 100).toFixed(1)}%`;
    expect(html).toContain("<title>Revenue report 2026</title>");
    expect(html).toContain("1 Jan 2026 – 31 Dec 2026");
    expect(html).toContain(pct(report.base.nrr));
    expect(html).toContain(pct(report.base.grr));
    // starting 73,000; ending 10,000 + ... as grouped amounts.
    expect(report.base.starting_arr).toBe(73_000);
    expect(html).toContain(">73,000<");
    expect(html).toContain(`>${report.base.ending_arr.toLocaleString("en-US")}<`);
    expect(html).toContain("insufficient data</strong>: 8 treated and 3 control accounts");
    expect(html).toContain(`${report.unattributed.won} won deals`);
    expect(html).toContain(`${report.facts} facts recorded`);
  });

  it("escapes every string from the data", () => {
    expect(html).toContain("&lt;script&gt;alert(&quot;lost&quot;)&lt;/script&gt;");
    expect(html).toContain("quiet hours &amp; &quot;VIP&quot; &lt;b&gt;");
    expect(html).not.toContain(SCRIPT_REASON);
    expect(html).not.toContain(QUOTED_REASON);
    const hostile = '"><script>alert(1)</script>';
    const renamed: RevenueReport = {
      ...report,
      plays: report.plays.map((p) => ({
        ...p,
        playbook: `${p.playbook}${hostile}`,
        experiments: p.experiments.map((x) => ({ ...x, experiment: `${x.experiment}<i>` })),
      })),
    };
    const page = htmlReport(renamed, { title: "<b>Q1</b> & more" });
    expect(page).not.toMatch(/<script/i);
    expect(page).not.toContain("<i>");
    expect(page).toContain("expand-seats&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(page).toContain('data-playbook="expand-seats&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"');
    expect(page).toContain("<title>&lt;b&gt;Q1&lt;/b&gt; &amp; more</title>");
  });

  it("says there is no data for an empty period instead of drawing broken charts", () => {
    expect(emptyReport.base.nrr).toBeNull();
    expect(emptyReport.plays).toEqual([]);
    const page = htmlReport(emptyReport);
    expect(page).toContain("No data for this period");
    expect(page).not.toContain("<svg");
    expect(page).not.toMatch(/NaN|Infinity|undefined/);
    expect(page).toContain("<title>Revenue report</title>");
  });

  it("writes no NaN, Infinity or undefined anywhere", () => {
    expect(html).not.toMatch(/NaN|Infinity|undefined/);
  });
});

describe("htmlReport in headless Chromium", () => {
  let browser: Browser | undefined;
  let launchError: Error | undefined;

  beforeAll(async () => {
    if (!existsSync(EXECUTABLE)) {
      launchError = new Error(
        `Chromium not found at ${EXECUTABLE}: install it with \`apt-get install -y chromium\` (Debian), or set PLAYLOOP_CHROMIUM to a Chromium binary`,
      );
      return;
    }
    try {
      browser = await chromium.launch({ executablePath: EXECUTABLE, args: ["--no-sandbox"], timeout: 60_000 });
    } catch (error) {
      launchError = new Error(
        `Chromium at ${EXECUTABLE} did not start (${error instanceof Error ? error.message : String(error)}); install it with \`apt-get install -y chromium\` or set PLAYLOOP_CHROMIUM`,
        { cause: error },
      );
    }
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
  });

  /** A page showing `content`, with what went wrong on it and every request it made. */
  async function open(content: string): Promise<{ page: Page; errors: string[]; requests: string[] }> {
    if (browser === undefined) throw launchError ?? new Error("Chromium did not start");
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    const errors: string[] = [];
    const requests: string[] = [];
    page.on("console", (message) => {
      if (message.type() === "error") errors.push(message.text());
    });
    page.on("pageerror", (error) => errors.push(error.message));
    page.on("request", (request) => requests.push(request.url()));
    page.on("dialog", (dialog) => {
      errors.push(`dialog: ${dialog.message()}`);
      void dialog.dismiss();
    });
    await page.setContent(content, { waitUntil: "load" });
    return { page, errors, requests };
  }

  it("loads with no error and no request, with its title", async () => {
    const { page, errors, requests } = await open(html);
    expect(await page.title()).toBe("Revenue report 2026");
    expect(await page.locator("script").count()).toBe(0);
    const screenshot = process.env.PLAYLOOP_REPORT_PNG;
    if (screenshot !== undefined) {
      await page.screenshot({ path: screenshot, fullPage: true });
      writeFileSync(screenshot.replace(/(\.png)?$/i, ".html"), html);
    }
    expect(errors).toEqual([]);
    expect(requests).toEqual([]);
    await page.close();
  });

  it("gives every chart a size", async () => {
    const { page } = await open(html);
    const charts = await page.$$eval("svg[data-chart]", (svgs) =>
      svgs.map((svg) => {
        const box = svg.getBoundingClientRect();
        return { chart: svg.getAttribute("data-chart"), width: box.width, height: box.height };
      }),
    );
    // The months, a funnel per play, and two lifts for expand-seats and for its experiment.
    expect(charts.filter((c) => c.chart === "months")).toHaveLength(1);
    expect(charts.filter((c) => c.chart === "funnel")).toHaveLength(2);
    expect(charts.filter((c) => c.chart === "lift")).toHaveLength(4);
    for (const chart of charts) {
      expect(chart.width, `${chart.chart} width`).toBeGreaterThan(0);
      expect(chart.height, `${chart.chart} height`).toBeGreaterThan(0);
    }
    await page.close();
  });

  it("draws each play's funnel with a bar per stage matching the report", async () => {
    const { page } = await open(html);
    const funnels = await page.$$eval('svg[data-chart="funnel"]', (svgs) =>
      svgs.map((svg) => ({
        playbook: svg.getAttribute("data-playbook"),
        bars: [...svg.querySelectorAll("rect[data-value]")].map((rect) => ({
          stage: rect.getAttribute("data-stage"),
          value: Number(rect.getAttribute("data-value")),
          width: rect.getBoundingClientRect().width,
        })),
      })),
    );
    expect(funnels.map((f) => f.playbook)).toEqual(report.plays.map((p) => p.playbook));
    for (const play of report.plays) {
      const bars = funnels.find((f) => f.playbook === play.playbook)?.bars ?? [];
      expect(bars.length).toBeGreaterThanOrEqual(4);
      const value = (stage: string): number | undefined => bars.find((b) => b.stage === stage)?.value;
      const width = (stage: string): number => bars.find((b) => b.stage === stage)?.width ?? Number.NaN;
      expect(value("identified")).toBe(play.funnel.identified);
      expect(value("engaged")).toBe(play.funnel.engaged);
      expect(value("proposed")).toBe(play.funnel.proposed);
      expect(value("won")).toBe(play.funnel.won);
      expect(value("lost")).toBe(play.funnel.lost);
      // Bars scale with their counts: the first is the widest, a narrower count a shorter bar.
      expect(width("identified")).toBeGreaterThan(0);
      expect(width("identified")).toBeGreaterThan(width("won"));
      expect(width("engaged") / width("identified")).toBeCloseTo(play.funnel.engaged / play.funnel.identified, 1);
    }
    await page.close();
  });

  it("draws a point per month with a value for NRR and GRR, in order, with readable labels", async () => {
    const { page } = await open(html);
    const chart = page.locator('svg[data-chart="months"]');
    for (const series of ["nrr", "grr"] as const) {
      const points = await chart.locator(`circle[data-series="${series}"]`).evaluateAll((circles) =>
        circles.map((c) => ({
          value: Number(c.getAttribute("data-value")),
          x: c.getBoundingClientRect().x,
          size: c.getBoundingClientRect().width,
          title: c.querySelector("title")?.textContent ?? "",
        })),
      );
      const expected = report.months.map((m) => m[series]).filter((v): v is number => v !== null);
      expect(points.map((p) => p.value)).toEqual(expected);
      for (const [i, point] of points.entries()) {
        expect(point.size).toBeGreaterThan(0);
        expect(point.title).toMatch(/^(NRR|GRR) \w{3} \d{4}: \d+\.\d%$/);
        if (i > 0) expect(point.x).toBeGreaterThan(points[i - 1]?.x ?? Number.POSITIVE_INFINITY);
      }
      const line = await chart.locator(`polyline[data-series="${series}"]`).first().boundingBox();
      expect(line?.width ?? 0).toBeGreaterThan(0);
    }
    // The month labels along the x axis do not overlap one another.
    const labels = await chart.locator("text.tick.x:not(.sub)").evaluateAll((texts) =>
      texts.map((t) => {
        const box = t.getBoundingClientRect();
        return { text: t.textContent, left: box.left, right: box.right };
      }),
    );
    expect(labels.map((l) => l.text)).toEqual([
      "Jan",
      "Feb",
      "Mar",
      "Apr",
      "May",
      "Jun",
      "Jul",
      "Aug",
      "Sep",
      "Oct",
      "Nov",
      "Dec",
    ]);
    for (let i = 1; i < labels.length; i++)
      expect(labels[i]?.left ?? 0).toBeGreaterThan(labels[i - 1]?.right ?? Number.POSITIVE_INFINITY);
    await page.close();
  });

  it("draws the computed lift as a dot inside its confidence interval, and words the insufficient one", async () => {
    const { page } = await open(html);
    for (const metric of ["conversion", "expansion_arr_per_account"] as const) {
      const lift = playOf("expand-seats").lift[metric];
      if (!("ci95" in lift)) throw new Error(`expand-seats ${metric}: ${lift.insufficient_data}`);
      const chart = page.locator(
        `svg[data-chart="lift"][data-playbook="expand-seats"][data-metric="${metric}"]:not([data-experiment])`,
      );
      const whisker = chart.locator('path[data-mark="ci"]');
      expect(await whisker.getAttribute("data-value")).toBe(`${lift.ci95[0]},${lift.ci95[1]}`);
      const ci = await whisker.boundingBox();
      const dot = await chart.locator('circle[data-mark="estimate"]').boundingBox();
      expect(ci?.width ?? 0).toBeGreaterThan(0);
      expect(dot?.width ?? 0).toBeGreaterThan(0);
      expect(Number(await chart.locator('circle[data-mark="estimate"]').getAttribute("data-value"))).toBe(
        lift.difference,
      );
      const centre = (dot?.x ?? 0) + (dot?.width ?? 0) / 2;
      expect(centre).toBeGreaterThanOrEqual(ci?.x ?? Number.POSITIVE_INFINITY);
      expect(centre).toBeLessThanOrEqual((ci?.x ?? 0) + (ci?.width ?? 0));
    }
    // win-back: no chart, the reason in words.
    expect(await page.locator('svg[data-chart="lift"][data-playbook="win-back"]').count()).toBe(0);
    const words = await page.locator('.lift-play[data-playbook="win-back"]').innerText();
    expect(words).toContain("insufficient data");
    expect(words).toContain("8 treated and 3 control accounts, at least 30 each needed");
    await page.close();
  });

  it("shows the escaped strings as text and runs nothing from the data", async () => {
    const { page, errors } = await open(html);
    expect(await page.locator("body").innerText()).toContain(SCRIPT_REASON);
    expect(await page.locator("script, b, img").count()).toBe(0);
    expect(errors).toEqual([]);
    await page.close();
  });

  it("shows the empty report's message with no chart and no error", async () => {
    const { page, errors } = await open(htmlReport(emptyReport));
    expect(await page.locator("svg").count()).toBe(0);
    expect(await page.locator("text=No data for this period").first().isVisible()).toBe(true);
    expect(errors).toEqual([]);
    await page.close();
  });
});
