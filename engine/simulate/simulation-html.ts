// The simulation as one self-contained HTML page: a funnel per play (accounts entered, engaged,
// offers) and actions per week, drawn as inline SVG. No script, no external file: it opens from
// disk and can be attached to a review.
import type { PlaySimulation, SimulationReport } from "./simulate-population.js";

const escape = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] ?? c);

/** Horizontal bars for the funnel stages, scaled to the first. */
function funnel(play: PlaySimulation): string {
  const stages: [string, number][] = [
    ["entered (accounts)", play.accounts_entered],
    ["engaged (accounts)", play.engaged],
    ["offers", play.offers],
    ["approvals", play.approvals],
  ];
  const top = Math.max(1, ...stages.map(([, n]) => n));
  const rows = stages.map(([label, n], i) => {
    const width = Math.round((n / top) * 360);
    const y = i * 26;
    return `<g class="bar" data-value="${n}"><text x="0" y="${y + 16}">${escape(label)}</text><rect x="150" y="${y + 3}" width="${width}" height="18" rx="2"></rect><text x="${158 + width}" y="${y + 16}">${n}</text></g>`;
  });
  return `<svg class="funnel" viewBox="0 0 600 ${stages.length * 26}" role="img" aria-label="funnel of ${escape(play.playbook)}">${rows.join("")}</svg>`;
}

/** Columns of actions per week. */
function weekly(play: PlaySimulation): string {
  const values = play.weekly.actions;
  const peak = Math.max(1, ...values);
  const w = 600 / Math.max(1, values.length);
  const bars = values.map((v, i) => {
    const h = Math.round((v / peak) * 120);
    return `<rect class="week" data-value="${v}" x="${(i * w).toFixed(1)}" y="${130 - h}" width="${Math.max(1, w - 1).toFixed(1)}" height="${h}"><title>week ${i + 1}: ${v} actions</title></rect>`;
  });
  return `<svg class="weekly" viewBox="0 0 600 140" role="img" aria-label="actions per week of ${escape(play.playbook)}">${bars.join("")}<line x1="0" y1="130" x2="600" y2="130"></line></svg>`;
}

function section(play: PlaySimulation): string {
  const list = (counts: Readonly<Record<string, number>>): string =>
    Object.entries(counts)
      .sort(([, a], [, b]) => b - a)
      .map(([k, n]) => `<li>${escape(k)}: ${n}</li>`)
      .join("") || "<li>none</li>";
  return `<section data-playbook="${escape(play.playbook)}">
<h2>${escape(play.playbook)} <small>${escape(play.name)}</small></h2>
<p>Entered ${play.entered} times by ${play.accounts_entered} accounts; ${play.engaged} engaged.</p>
${funnel(play)}
<h3>Actions per week</h3>
${weekly(play)}
<div class="lists"><div><h3>Actions</h3><ul>${list(play.actions)}</ul></div><div><h3>Suppressed (accounts)</h3><ul>${list(play.suppressions)}</ul></div><div><h3>Contests lost</h3><ul>${list(play.contests_lost)}</ul></div><div><h3>Outcomes</h3><ul>${list(play.outcomes)}</ul></div></div>
</section>`;
}

/** The report page. */
export function simulationHtml(report: SimulationReport): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>playloop simulation</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:2rem auto;max-width:900px;color:#222}
h2 small{font-weight:normal;color:#666}
svg{width:100%;height:auto;display:block;margin:.5rem 0}
.funnel rect{fill:#3b7dd8}.weekly rect{fill:#e0843a}.weekly line{stroke:#999}
svg text{font-size:12px;fill:#333}
.lists{display:grid;grid-template-columns:repeat(4,1fr);gap:1rem}.lists ul{padding-left:1rem;margin:0}
section{border-top:1px solid #ddd;padding-top:1rem;margin-top:1.5rem}
</style></head><body>
<h1>playloop simulation</h1>
<p>${report.accounts} accounts over ${report.days} days, ${escape(report.start.slice(0, 10))} to ${escape(report.end.slice(0, 10))}, seed ${report.seed}; ${report.events.history} events from the history, ${report.events.signals} from signals.</p>
${report.plays.map(section).join("\n")}
</body></html>
`;
}
