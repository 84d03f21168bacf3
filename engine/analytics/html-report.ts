// The revenue report (`playloop report`) as one self-contained HTML page: the base's retention by
// month, each play's funnel and figures, and its lift over the holdout with confidence intervals.
// No script, font, stylesheet or image is fetched: the CSS is inline and the charts are inline SVG
// drawn here (svg-charts.ts), so the page opens offline and from an email attachment.
import type { LiftResult } from "./lift-test.js";
import type { ExperimentReport, PlayReport, RevenueReport } from "./revenue-report.js";
import { escapeHtml as e, funnelChart, intervalChart, intervalTone, lineChart, type AxisLabel } from "./svg-charts.js";

/** Options of the page. */
export interface HtmlReportOptions {
  /** The page's title and heading; "Revenue report" by default. */
  readonly title?: string;
}

const NO_DATA = "No data for this period";
const MINUS = "\u2212";
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

const whole = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });
const cents = new Intl.NumberFormat("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const compact = new Intl.NumberFormat("en-US", { notation: "compact", maximumFractionDigits: 1 });

/** A sign in front of a formatted magnitude: "+" above zero, a real minus below. */
const signed = (value: number, magnitude: string): string => `${value > 0 ? "+" : value < 0 ? MINUS : ""}${magnitude}`;
/** An amount's magnitude, grouped, without decimals (with cents below 100). */
const magnitude = (value: number): string =>
  (Math.abs(value) < 100 && !Number.isInteger(value) ? cents : whole).format(Math.abs(value));
/** An amount of money: a minus when negative, no currency sign (the data does not name one). */
const money = (value: number): string => `${value < 0 ? MINUS : ""}${magnitude(value)}`;
const signedMoney = (value: number): string => signed(value, magnitude(value));
/** A fraction as a percentage with one decimal; a dash for null. */
const percent = (value: number | null): string => (value === null ? "—" : `${(value * 100).toFixed(1)}%`);
/** Decimals enough to tell ticks `step` apart. */
const decimals = (step: number): number => Math.max(0, Math.min(3, -Math.floor(Math.log10(step) + 1e-9)));
/** A difference of two rates in percentage points. */
const points = (value: number): string => `${signed(value, Math.abs(value * 100).toFixed(1))} pts`;
const pValue = (p: number): string => (p < 0.001 ? "p < 0.001" : `p = ${p.toFixed(p < 0.1 ? 3 : 2)}`);
const count = (value: number): string => whole.format(value);
const days = (value: number | null): string => (value === null ? "—" : `${value.toFixed(value < 10 ? 1 : 0)} days`);

/** "1 Jan 2026" for an ISO time (UTC). */
function day(ms: number): string {
  const date = new Date(ms);
  return `${date.getUTCDate()} ${MONTHS[date.getUTCMonth()]} ${date.getUTCFullYear()}`;
}

/** The period as people say it: `to` is exclusive, so the last day is the one before it. */
function period(report: RevenueReport): string {
  const from = Date.parse(report.from);
  const to = Date.parse(report.to);
  if (!Number.isFinite(from) || !Number.isFinite(to)) return `${report.from} to ${report.to}`;
  return `${day(from)} – ${day(Math.max(from, to - 1))}`;
}

const empty = (why: string): string => `<p class="empty">${NO_DATA}: ${e(why)}.</p>`;

/** One headline figure. */
const card = (label: string, value: string, extra = ""): string =>
  `<div class="card${extra === "" ? "" : ` ${extra}`}"><div class="label">${e(label)}</div><div class="value">${e(value)}</div></div>`;

function header(report: RevenueReport, title: string): string {
  const { base } = report;
  const cards = [
    card("Net revenue retention", percent(base.nrr), "big"),
    card("Gross revenue retention", percent(base.grr), "big"),
    card("Starting ARR", money(base.starting_arr)),
    card("Ending ARR", money(base.ending_arr)),
    card("Expansion", signedMoney(base.expansion_arr), base.expansion_arr > 0 ? "up" : ""),
    card("Contraction", signedMoney(-base.contraction_arr), base.contraction_arr > 0 ? "down" : ""),
    card("Churned ARR", signedMoney(-base.churned_arr), base.churned_arr > 0 ? "down" : ""),
    card("Accounts in the base", count(base.accounts)),
  ];
  return `<header>
<h1>${e(title)}</h1>
<p class="period">${e(period(report))}</p>
<div class="cards">${cards.join("")}</div>
${base.nrr === null ? empty("no account was paying at the start of the period") : ""}
</header>`;
}

function monthLabels(months: RevenueReport["months"]): AxisLabel[] {
  return months.map((m, i) => {
    const [year = "", month = ""] = m.month.split("-");
    const name = MONTHS[Number(month) - 1] ?? m.month;
    return { text: name, title: `${name} ${year}`, ...(i === 0 || month === "01" ? { sub: year } : {}) };
  });
}

function monthsSection(report: RevenueReport): string {
  const { months } = report;
  const hasValues = months.some((m) => m.nrr !== null || m.grr !== null);
  const chart = hasValues
    ? `<p class="legend"><span class="key nrr"></span>NRR <span class="key grr"></span>GRR <span class="key reference"></span>100%</p>` +
      `<div class="scroll">${lineChart({
        labels: monthLabels(months),
        series: [
          { key: "nrr", name: "NRR", values: months.map((m) => m.nrr) },
          { key: "grr", name: "GRR", values: months.map((m) => m.grr) },
        ],
        reference: 1,
        format: (v, step) => `${(v * 100).toFixed(decimals(step * 100))}%`,
        label: "NRR and GRR by month",
        attrs: { "data-chart": "months" },
      })}</div>`
    : empty("no account was paying at the start of the period");
  return `<section class="panel" id="months">
<h2>NRR and GRR by month</h2>
<p class="hint">Retention of the accounts paying on ${e(period(report).split(" – ")[0] ?? "")}, from then to the end of each month.</p>
${chart}
</section>`;
}

/** Text of a conversion between steps of the funnel. */
const conversion = (value: number, previous: number, name: string): string =>
  previous === 0 ? "" : ` · ${percent(value / previous)} of ${name}`;

function funnel(play: PlayReport): string {
  const f = play.funnel;
  return funnelChart({
    stages: [
      { key: "identified", label: "Identified", value: f.identified, note: `${count(f.identified)}` },
      {
        key: "engaged",
        label: "Engaged",
        value: f.engaged,
        note: `${count(f.engaged)}${conversion(f.engaged, f.identified, "identified")}`,
      },
      {
        key: "proposed",
        label: "Proposed",
        value: f.proposed,
        note: `${count(f.proposed)}${conversion(f.proposed, f.engaged, "engaged")}`,
      },
      {
        key: "won",
        label: "Won",
        value: f.won,
        note: `${count(f.won)} won${conversion(f.won, f.proposed, "proposed")}`,
      },
    ],
    beside: { key: "lost", label: "Lost", value: f.lost, note: `${count(f.lost)} lost` },
    label: `Funnel of ${play.playbook}`,
    attrs: { "data-chart": "funnel", "data-playbook": play.playbook },
  });
}

/** The play's figures as small cards. */
function figures(play: PlayReport): string {
  const s = play.signal_to_play;
  const cards = [
    card("Win rate", percent(play.win_rate)),
    card("Expansion ARR", money(play.expansion_arr)),
    card("Average deal", play.average_deal === null ? "—" : money(play.average_deal)),
    card("Median to win", days(play.median_days_to_win)),
    ...(play.attach_rate === null ? [] : [card("Attach rate", percent(play.attach_rate))]),
    `<div class="card"><div class="label">Signal to play</div><div class="value">${e(percent(s.rate))}</div><div class="sub">${e(`${count(s.engaged)} engaged of ${count(s.triggers_fired)} triggers fired`)}</div></div>`,
  ];
  return `<div class="cards small">${cards.join("")}</div>`;
}

/** Counts by reason, largest first, at most `limit` rows (the rest summed in one). */
function reasons(title: string, column: string, counts: Readonly<Record<string, number>>, limit = 5): string {
  const rows = Object.entries(counts).sort(([a, x], [b, y]) => y - x || a.localeCompare(b));
  if (rows.length === 0) return `<div><h4>${e(title)}</h4><p class="none">None.</p></div>`;
  const total = rows.reduce((sum, [, n]) => sum + n, 0);
  const shown = rows.slice(0, limit);
  const rest = rows.slice(limit).reduce((sum, [, n]) => sum + n, 0);
  const line = (reason: string, n: number, cls = ""): string =>
    `<tr${cls}><td>${e(reason)}</td><td class="num">${count(n)}</td><td class="num">${percent(n / total)}</td></tr>`;
  return `<div><h4>${e(title)}</h4><table><thead><tr><th>Reason</th><th class="num">${e(column)}</th><th class="num">Share</th></tr></thead><tbody>${shown.map(([r, n]) => line(r, n)).join("")}${rest > 0 ? line(`${rows.length - limit} other reasons`, rest, ' class="other"') : ""}</tbody></table></div>`;
}

const motionName = (motion: string): string => motion.replace(/_/g, "-");

function playSection(play: PlayReport, index: number): string {
  return `<section class="panel play" id="play-${index}" data-playbook="${e(play.playbook)}">
<h2>${e(play.playbook)}${play.motion === undefined ? "" : ` <span class="badge">${e(motionName(play.motion))}</span>`}</h2>
<p class="hint">${e(`${count(play.funnel.identified)} runs in treatment; ${count(play.holdout)} held out (entered, no actions) for the lift.`)}</p>
<div class="scroll">${funnel(play)}</div>
${figures(play)}
<div class="tables">${reasons("Lost reasons", "Deals", play.lost_reasons)}${reasons("Top suppressions", "Times", play.suppressions)}</div>
</section>`;
}

/** How one lift is read out: conversion in points, ARR per account in money. */
interface LiftMetric {
  readonly key: "conversion" | "expansion_arr_per_account";
  readonly name: string;
  readonly value: (v: number) => string;
  readonly difference: (v: number) => string;
  readonly tick: (v: number, step: number) => string;
  readonly unit: number;
}

const METRICS: readonly LiftMetric[] = [
  {
    key: "conversion",
    name: "Conversion",
    value: percent,
    difference: points,
    tick: (v, step) => signed(v, Math.abs(v * 100).toFixed(decimals(step * 100))),
    unit: 0.05,
  },
  {
    key: "expansion_arr_per_account",
    name: "Expansion ARR per account",
    value: money,
    difference: signedMoney,
    tick: (v) => signed(v, compact.format(Math.abs(v))),
    unit: 100,
  },
];

const VERDICT = {
  positive: "significant lift",
  negative: "significant drop",
  neutral: "not significant at 95%",
} as const;

/** One lift: a label, its chart (or why there is none) and its figures. */
function liftRow(
  result: LiftResult,
  metric: LiftMetric,
  groups: { readonly treatment: string; readonly control: string },
  attrs: Readonly<Record<string, string>>,
): string {
  const sizes = `n ${count(result.treatment.accounts)} ${groups.treatment} / ${count(result.control.accounts)} ${groups.control}`;
  const values = `${metric.value(result.treatment.value)} vs ${metric.value(result.control.value)}`;
  const label = `<div class="lift-label">${e(metric.name)}<small>${e(result.method)}${metric.key === "conversion" ? " · points" : ""}</small></div>`;
  if ("insufficient_data" in result) {
    const reason = result.insufficient_data.replace(/^insufficient data:\s*/, "");
    return `<div class="lift-row insufficient">${label}<div class="lift-chart"><p class="insufficient"><strong>insufficient data</strong>: ${e(reason)}</p></div><div class="lift-text">${e(sizes)}<br>${e(values)}</div></div>`;
  }
  const [low, high] = result.ci95;
  const tone = intervalTone(low, high);
  const interval = `95% CI ${metric.difference(low)} to ${metric.difference(high)}`;
  const chart = intervalChart({
    estimate: result.difference,
    low,
    high,
    format: metric.tick,
    unit: metric.unit,
    tooltip: `${metric.name}: ${metric.difference(result.difference)} (${interval}), ${pValue(result.p_value)}`,
    label: `${metric.name} lift`,
    attrs: { ...attrs, "data-chart": "lift", "data-metric": metric.key },
  });
  return `<div class="lift-row">${label}<div class="lift-chart">${chart}</div><div class="lift-text"><span class="diff ${tone}">${e(metric.difference(result.difference))}</span> <span class="verdict ${tone}">${e(VERDICT[tone])}</span><br>${e(`${interval} · ${pValue(result.p_value)}`)}<br>${e(`${sizes} · ${values}`)}</div></div>`;
}

function experiment(play: PlayReport, test: ExperimentReport): string {
  const rows = test.variants
    .map(
      (v) =>
        `<tr><td>${e(v.variant)}</td><td class="num">${count(v.accounts)}</td><td class="num">${count(v.converted)}</td><td class="num">${percent(v.accounts === 0 ? null : v.converted / v.accounts)}</td></tr>`,
    )
    .join("");
  const table = `<table class="variants"><thead><tr><th>Variant</th><th class="num">Accounts</th><th class="num">Converted</th><th class="num">Conversion</th></tr></thead><tbody>${rows}</tbody></table>`;
  const c = test.comparison;
  const comparison =
    c === undefined
      ? `<p class="none">One variant only: nothing to compare.</p>`
      : `<p class="hint">${e(`${c.treatment} against ${c.control}`)}</p>` +
        METRICS.map((metric) =>
          liftRow(
            c[metric.key],
            metric,
            { treatment: c.treatment, control: c.control },
            { "data-playbook": play.playbook, "data-experiment": test.experiment },
          ),
        ).join("");
  return `<div class="experiment"><h4>Experiment ${e(test.experiment)}</h4>${table}${comparison}</div>`;
}

function liftSection(report: RevenueReport): string {
  const body =
    report.plays.length === 0
      ? empty("no play entered an account")
      : report.plays
          .map(
            (play) =>
              `<div class="lift-play" data-playbook="${e(play.playbook)}"><h3>${e(play.playbook)}</h3>${METRICS.map(
                (metric) =>
                  liftRow(
                    play.lift[metric.key],
                    metric,
                    { treatment: "treatment", control: "holdout" },
                    { "data-playbook": play.playbook },
                  ),
              ).join("")}${play.experiments.map((t) => experiment(play, t)).join("")}</div>`,
          )
          .join("");
  return `<section class="panel" id="lift">
<h2>Lift over the holdout</h2>
<p class="hint">Treatment minus holdout for each account's first entry in the period, with its 95% confidence interval. An interval clear of zero is a real effect at that level.</p>
${body}
</section>`;
}

/** One line per play: where each stands, linking to its section. */
function overview(report: RevenueReport): string {
  if (report.plays.length === 0) return "";
  const rows = report.plays.map((play, i) => {
    const lift = play.lift.conversion;
    const cell =
      "insufficient_data" in lift
        ? `<span class="muted">insufficient data</span>`
        : `<span class="diff ${intervalTone(lift.ci95[0], lift.ci95[1])}">${e(points(lift.difference))}</span>`;
    return `<tr><td><a href="#play-${i}">${e(play.playbook)}</a></td><td class="num">${count(play.funnel.identified)}</td><td class="num">${count(play.funnel.won)}</td><td class="num">${percent(play.win_rate)}</td><td class="num">${money(play.expansion_arr)}</td><td class="num">${cell}</td></tr>`;
  });
  return `<section class="panel" id="plays">
<h2>Plays</h2>
<table class="overview"><thead><tr><th>Play</th><th class="num">Identified</th><th class="num">Won</th><th class="num">Win rate</th><th class="num">Expansion ARR</th><th class="num">Conversion lift</th></tr></thead><tbody>${rows.join("")}</tbody></table>
</section>`;
}

const STYLE = `
:root{--nrr:#2563eb;--grr:#0d9488;--won:#16a34a;--lost:#dc2626;--bar:#3b82f6;--muted:#6b7280;--line:#e5e7eb}
*{box-sizing:border-box}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;margin:0;background:#f5f6f8;color:#1f2937}
main{max-width:1000px;margin:0 auto;padding:24px}
h1{font-size:26px;margin:0}h2{font-size:18px;margin:0 0 6px}h3{font-size:15px;margin:18px 0 4px}h4{font-size:13px;margin:12px 0 6px;color:#374151}
.period{color:var(--muted);margin:2px 0 16px;font-size:15px}
.hint,.none,.muted{color:var(--muted)}.hint{margin:0 0 10px}
.cards{display:grid;grid-template-columns:repeat(4,minmax(0,1fr));gap:10px}
.cards.small{grid-template-columns:repeat(auto-fit,minmax(140px,1fr));margin-top:10px}
.card{background:#fff;border:1px solid var(--line);border-radius:8px;padding:10px 14px}
.card .label{font-size:12px;color:var(--muted);text-transform:uppercase;letter-spacing:.03em}
.card .value{font-size:21px;font-weight:600;font-variant-numeric:tabular-nums}
.card.big .value{font-size:30px}.card.up .value{color:var(--won)}.card.down .value{color:var(--lost)}
.card .sub{font-size:12px;color:var(--muted)}
.cards.small .card .value{font-size:18px}
.panel{background:#fff;border:1px solid var(--line);border-radius:8px;padding:16px 20px;margin-top:16px;break-inside:avoid}
.empty{color:var(--muted);font-style:italic;margin:10px 0}
svg{display:block;width:100%;height:auto;overflow:visible}
.scroll{overflow-x:auto}.scroll svg{min-width:560px}
svg text{font-family:inherit;font-size:12px;fill:#374151}
svg .tick{fill:var(--muted);font-size:11px;font-variant-numeric:tabular-nums}
.grid{stroke:#eef0f3}.axis{stroke:#9ca3af}.reference{stroke:#6b7280;stroke-dasharray:5 4}.zero{stroke:#6b7280;stroke-dasharray:3 3}
.line{fill:none;stroke-width:2.5;stroke-linejoin:round}
polyline.series-nrr{stroke:var(--nrr)}polyline.series-grr{stroke:var(--grr)}
circle.series-nrr{fill:var(--nrr)}circle.series-grr{fill:var(--grr)}circle.point{stroke:#fff;stroke-width:1.5}
.legend{margin:0 0 4px;color:#374151;font-size:13px}
.key{display:inline-block;width:18px;height:3px;vertical-align:middle;margin:0 6px 0 12px}
.key.nrr{background:var(--nrr);margin-left:0}.key.grr{background:var(--grr)}.key.reference{border-top:2px dashed #6b7280;height:0}
.track{fill:#f1f5f9}.bar{fill:var(--bar)}.stage-engaged{fill:#4f8ef0}.stage-proposed{fill:#6aa0f2}.stage-won{fill:var(--won)}.stage-lost{fill:var(--lost)}
svg .stage{font-weight:600}svg .note{font-variant-numeric:tabular-nums}
.tables{display:grid;grid-template-columns:1fr 1fr;gap:20px}
table{border-collapse:collapse;width:100%;font-size:13px}
th,td{text-align:left;padding:4px 8px;border-bottom:1px solid var(--line)}th{color:var(--muted);font-weight:600;font-size:12px}
.num{text-align:right;font-variant-numeric:tabular-nums}tr.other td{color:var(--muted)}
.badge{font-size:12px;font-weight:500;background:#eef2ff;color:#3730a3;border-radius:10px;padding:2px 8px;vertical-align:middle}
.lift-play{border-top:1px solid var(--line);padding-top:4px;margin-top:8px}
.lift-row{display:grid;grid-template-columns:170px minmax(220px,340px) 1fr;gap:16px;align-items:center;padding:6px 0}
.lift-label small{display:block;color:var(--muted);font-size:11px}
.lift-text{font-size:13px;color:#374151;font-variant-numeric:tabular-nums}
.insufficient{color:var(--muted);margin:0}.insufficient strong{color:#92400e}
.diff{font-weight:700;font-size:15px}.verdict{font-size:12px;border-radius:10px;padding:1px 7px;background:#f3f4f6;color:var(--muted)}
.diff.positive{color:var(--won)}.diff.negative{color:var(--lost)}
.verdict.positive{background:#dcfce7;color:#166534}.verdict.negative{background:#fee2e2;color:#991b1b}
.ci{fill:none;stroke-width:2.5;stroke:#6b7280}.estimate{fill:#374151;stroke:#fff;stroke-width:1.5}
.ci.positive{stroke:var(--won)}.estimate.positive{fill:var(--won)}.ci.negative{stroke:var(--lost)}.estimate.negative{fill:var(--lost)}
.experiment{border-top:1px dashed var(--line);margin-top:6px}.variants{max-width:520px}
footer{color:var(--muted);font-size:13px;margin:18px 4px}
a{color:var(--nrr)}
@media (max-width:720px){.cards{grid-template-columns:repeat(2,1fr)}.tables{grid-template-columns:1fr}.lift-row{grid-template-columns:1fr}}
@media print{body{background:#fff}main{padding:0}.panel{border-color:#ccc}}
`;

/**
 * The report as one self-contained HTML page (inline CSS, inline SVG charts, no script). Every
 * string from the data is escaped; charts are `<svg data-chart="months|funnel|lift">` (with
 * `data-playbook` per play) whose bars, points and intervals carry their numbers in `data-value`.
 */
export function htmlReport(report: RevenueReport, options: HtmlReportOptions = {}): string {
  const title = options.title ?? "Revenue report";
  const plays =
    report.plays.length === 0
      ? `<section class="panel" id="plays"><h2>Plays</h2>${empty("no play entered an account")}</section>`
      : overview(report) + report.plays.map(playSection).join("\n");
  const footer = `<footer>${e(
    `Unattributed: ${count(report.unattributed.won)} won deal${report.unattributed.won === 1 ? "" : "s"} (${money(report.unattributed.expansion_arr)} ARR) that no play proposed within its attribution window.`,
  )}<br>${e(`${count(report.facts)} facts recorded · period ${report.from} to ${report.to} (end exclusive) · playloop`)}</footer>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>${e(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
${header(report, title)}
${monthsSection(report)}
${plays}
${liftSection(report)}
${footer}
</main>
</body>
</html>
`;
}
