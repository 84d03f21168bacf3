// Small charts as inline SVG strings, drawn on the server so a report page needs no script, font
// or chart library: a line chart, horizontal funnel bars and a point estimate with its interval.
// Every mark that carries a number has it in `data-value` (for tests and for whoever reads the
// page's source), and every text that comes in is escaped here.

/** Escapes text for HTML content and for attribute values in double or single quotes. */
export function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] ?? c,
  );
}

/** Extra attributes of a chart's `<svg>` (`data-chart`, `data-playbook`, ...), escaped when written. */
export type ChartAttributes = Readonly<Record<string, string>>;

const attributes = (attrs: ChartAttributes): string =>
  Object.entries(attrs)
    .map(([name, value]) => ` ${name}="${escapeHtml(value)}"`)
    .join("");

/** A coordinate rounded to a tenth of a pixel: short markup, no visible difference. */
const px = (value: number): string => String(Math.round(value * 10) / 10);

/** The opening tag of a chart that scales to its container's width. */
const svgOpen = (width: number, height: number, label: string, attrs: ChartAttributes): string =>
  `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${escapeHtml(label)}"${attributes(attrs)}>`;

/**
 * Round tick values covering `[min, max]` (about `count` of them, steps of 1, 2, 2.5 or 5 times a
 * power of ten), with the step.
 */
export function niceTicks(min: number, max: number, count = 5): { ticks: number[]; step: number } {
  let [low, high] = min <= max ? [min, max] : [max, min];
  if (high - low < 1e-12) {
    const pad = Math.abs(low) > 1e-12 ? Math.abs(low) * 0.1 : 1;
    [low, high] = [low - pad, high + pad];
  }
  const raw = (high - low) / Math.max(1, count);
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const norm = raw / magnitude;
  const step = (norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 2.5 ? 2.5 : norm <= 5 ? 5 : 10) * magnitude;
  const first = Math.floor(low / step + 1e-9);
  const last = Math.ceil(high / step - 1e-9);
  const ticks: number[] = [];
  for (let i = first; i <= last; i++) ticks.push(Number((i * step).toPrecision(12)));
  return { ticks, step };
}

/** A linear scale from a domain to a pixel range. */
const linear =
  (d0: number, d1: number, r0: number, r1: number) =>
  (value: number): number =>
    d1 === d0 ? (r0 + r1) / 2 : r0 + ((value - d0) / (d1 - d0)) * (r1 - r0);

/** One line of a line chart: a value (or a gap) per label. */
export interface LineSeries {
  /** Short name, also the `data-series` of its marks and the CSS class `series-<key>`. */
  readonly key: string;
  readonly name: string;
  readonly values: readonly (number | null)[];
}

/** A label under the x axis, with an optional second line (the year under a month). */
export interface AxisLabel {
  readonly text: string;
  readonly sub?: string;
  /** The full name in tooltips (2026-01). */
  readonly title: string;
}

/**
 * Lines over labelled points, with y ticks formatted by `format` and an optional dashed reference
 * line (100% for retention). Gaps (null) break a line. Each point is a `circle` with its value in
 * `data-value` and a `<title>` tooltip; each stretch of line is a `polyline` with its values.
 */
export function lineChart(options: {
  readonly labels: readonly AxisLabel[];
  readonly series: readonly LineSeries[];
  readonly format: (value: number, step: number) => string;
  readonly reference?: number;
  readonly label: string;
  readonly attrs: ChartAttributes;
}): string {
  const [width, height] = [720, 250];
  const margin = { left: 56, right: 20, top: 14, bottom: 44 };
  const values = options.series.flatMap((s) => s.values.filter((v): v is number => v !== null));
  const bounds = [...values, ...(options.reference === undefined ? [] : [options.reference])];
  const { ticks, step } = niceTicks(Math.min(...bounds), Math.max(...bounds), 5);
  const [yMin, yMax] = [ticks[0] ?? 0, ticks.at(-1) ?? 1];
  const y = linear(yMin, yMax, height - margin.bottom, margin.top);
  const n = options.labels.length;
  const plotLeft = margin.left + 12;
  const plotRight = width - margin.right - 12;
  const x = (i: number): number =>
    n <= 1 ? (plotLeft + plotRight) / 2 : plotLeft + (i * (plotRight - plotLeft)) / (n - 1);
  const parts: string[] = [svgOpen(width, height, options.label, options.attrs)];

  for (const tick of ticks)
    parts.push(
      `<line class="grid" x1="${margin.left}" x2="${width - margin.right}" y1="${px(y(tick))}" y2="${px(y(tick))}"/>`,
      `<text class="tick y" x="${margin.left - 8}" y="${px(y(tick) + 4)}" text-anchor="end">${escapeHtml(options.format(tick, step))}</text>`,
    );
  if (options.reference !== undefined)
    parts.push(
      `<line class="reference" x1="${margin.left}" x2="${width - margin.right}" y1="${px(y(options.reference))}" y2="${px(y(options.reference))}"/>`,
    );
  parts.push(
    `<line class="axis" x1="${margin.left}" x2="${width - margin.right}" y1="${height - margin.bottom}" y2="${height - margin.bottom}"/>`,
  );
  // Labels at least 52 px apart: every label for a year of months, fewer for longer periods.
  const every = Math.max(1, Math.ceil((n * 52) / (plotRight - plotLeft + 52)));
  // A skipped label's second line (a new year) moves to the next label shown.
  let sub: string | undefined;
  options.labels.forEach((label, i) => {
    sub = label.sub ?? sub;
    if (i % every !== 0) return;
    const base = height - margin.bottom + 18;
    parts.push(
      `<text class="tick x" x="${px(x(i))}" y="${base}" text-anchor="middle">${escapeHtml(label.text)}</text>`,
      sub === undefined
        ? ""
        : `<text class="tick x sub" x="${px(x(i))}" y="${base + 14}" text-anchor="middle">${escapeHtml(sub)}</text>`,
    );
    sub = undefined;
  });

  // Smaller points when there are many, so they do not run into one another.
  const radius = n > 36 ? 2.5 : n > 24 ? 3 : 4;
  for (const series of options.series) {
    // Consecutive non-null points form one stretch of line.
    const stretches: number[][] = [];
    series.values.forEach((value, i) => {
      if (value === null) return;
      const last = stretches.at(-1);
      if (last !== undefined && last.at(-1) === i - 1) last.push(i);
      else stretches.push([i]);
    });
    for (const stretch of stretches) {
      const points = stretch.map((i) => `${px(x(i))},${px(y(series.values[i] ?? 0))}`).join(" ");
      const data = stretch.map((i) => String(series.values[i])).join(",");
      parts.push(
        `<polyline class="line series-${escapeHtml(series.key)}" data-series="${escapeHtml(series.key)}" data-value="${data}" points="${points}"/>`,
      );
    }
    series.values.forEach((value, i) => {
      if (value === null) return;
      const label = options.labels[i];
      parts.push(
        `<circle class="point series-${escapeHtml(series.key)}" data-series="${escapeHtml(series.key)}" data-label="${escapeHtml(label?.title ?? "")}" data-value="${value}" cx="${px(x(i))}" cy="${px(y(value))}" r="${radius}"><title>${escapeHtml(`${series.name} ${label?.title ?? ""}: ${options.format(value, 0.001)}`)}</title></circle>`,
      );
    });
  }
  parts.push("</svg>");
  return parts.join("");
}

/** One bar of a funnel. */
export interface FunnelStage {
  /** The stage's name in `data-stage` (identified, engaged, ...). */
  readonly key: string;
  readonly label: string;
  readonly value: number;
  /** Text after the bar (count and conversion), already worded by the caller. */
  readonly note: string;
}

/**
 * Horizontal bars, one row per stage, scaled to the largest value. `beside` is drawn in the last
 * row right after the last stage's bar (lost deals beside the won ones).
 */
export function funnelChart(options: {
  readonly stages: readonly FunnelStage[];
  readonly beside?: FunnelStage;
  readonly label: string;
  readonly attrs: ChartAttributes;
}): string {
  const rowHeight = 34;
  const [labelWidth, barWidth] = [110, 330];
  const width = 720;
  const height = options.stages.length * rowHeight + 4;
  const last = options.stages.at(-1);
  const top = Math.max(1, ...options.stages.map((s) => s.value), (last?.value ?? 0) + (options.beside?.value ?? 0));
  const scale = (value: number): number => (value / top) * barWidth;
  const parts: string[] = [svgOpen(width, height, options.label, options.attrs)];
  options.stages.forEach((stage, i) => {
    const y = i * rowHeight + 4;
    const w = scale(stage.value);
    let end = labelWidth + w;
    parts.push(
      `<text class="stage" x="${labelWidth - 10}" y="${y + 17}" text-anchor="end">${escapeHtml(stage.label)}</text>`,
      `<rect class="track" x="${labelWidth}" y="${y}" width="${barWidth}" height="24" rx="3"/>`,
      `<rect class="bar stage-${escapeHtml(stage.key)}" data-stage="${escapeHtml(stage.key)}" data-value="${stage.value}" x="${labelWidth}" y="${y}" width="${px(w)}" height="24" rx="3"><title>${escapeHtml(`${stage.label}: ${stage.note}`)}</title></rect>`,
    );
    const beside = options.beside;
    if (beside !== undefined && i === options.stages.length - 1) {
      const wb = scale(beside.value);
      parts.push(
        `<rect class="bar stage-${escapeHtml(beside.key)}" data-stage="${escapeHtml(beside.key)}" data-value="${beside.value}" x="${px(end + (w > 0 ? 2 : 0))}" y="${y}" width="${px(wb)}" height="24" rx="3"><title>${escapeHtml(`${beside.label}: ${beside.note}`)}</title></rect>`,
      );
      end += wb + (w > 0 ? 2 : 0);
    }
    const noteX = Math.max(labelWidth + barWidth, end) + 12;
    const note =
      beside !== undefined && i === options.stages.length - 1 ? `${stage.note} · ${beside.note}` : stage.note;
    parts.push(`<text class="note" x="${px(noteX)}" y="${y + 17}">${escapeHtml(note)}</text>`);
  });
  parts.push("</svg>");
  return parts.join("");
}

/** How an interval sits against zero: all above, all below, or across it. */
export type IntervalTone = "positive" | "negative" | "neutral";

/** The tone of an interval against zero. */
export const intervalTone = (low: number, high: number): IntervalTone =>
  low > 0 ? "positive" : high < 0 ? "negative" : "neutral";

/**
 * A point estimate as a dot (`circle`, `data-mark="estimate"`) with its interval as a whisker
 * (`path`, `data-mark="ci"`, `data-value="low,high"`) on an axis through zero.
 */
export function intervalChart(options: {
  readonly estimate: number;
  readonly low: number;
  readonly high: number;
  readonly format: (value: number, step: number) => string;
  /** The half-width of the axis when the interval is a single point at zero. */
  readonly unit: number;
  readonly tooltip: string;
  readonly label: string;
  readonly attrs: ChartAttributes;
}): string {
  const [width, height] = [340, 66];
  const [left, right, mid, axis] = [16, width - 16, 24, 44];
  const low = Math.min(options.low, options.estimate, 0);
  const high = Math.max(options.high, options.estimate, 0);
  const pad = high - low < 1e-12 ? options.unit : (high - low) * 0.08;
  const { ticks, step } = niceTicks(low - pad, high + pad, 4);
  const [d0, d1] = [ticks[0] ?? -1, ticks.at(-1) ?? 1];
  const x = linear(d0, d1, left, right);
  const tone = intervalTone(options.low, options.high);
  const [x0, xLow, xHigh, xEst] = [x(0), x(options.low), x(options.high), x(options.estimate)];
  const parts: string[] = [svgOpen(width, height, options.label, options.attrs)];
  parts.push(`<line class="axis" x1="${left}" x2="${right}" y1="${axis}" y2="${axis}"/>`);
  for (const tick of ticks)
    parts.push(
      `<line class="axis" x1="${px(x(tick))}" x2="${px(x(tick))}" y1="${axis}" y2="${axis + 4}"/>`,
      `<text class="tick x" x="${px(x(tick))}" y="${axis + 17}" text-anchor="middle">${escapeHtml(options.format(tick, step))}</text>`,
    );
  parts.push(`<line class="zero" x1="${px(x0)}" x2="${px(x0)}" y1="6" y2="${axis}"/>`);
  const whisker = `M${px(xLow)} ${mid - 6}V${mid + 6}M${px(xLow)} ${mid}H${px(xHigh)}M${px(xHigh)} ${mid - 6}V${mid + 6}`;
  parts.push(
    `<path class="ci ${tone}" data-mark="ci" data-value="${options.low},${options.high}" d="${whisker}"><title>${escapeHtml(options.tooltip)}</title></path>`,
    `<circle class="estimate ${tone}" data-mark="estimate" data-value="${options.estimate}" cx="${px(xEst)}" cy="${mid}" r="5.5"><title>${escapeHtml(options.tooltip)}</title></circle>`,
    "</svg>",
  );
  return parts.join("");
}
