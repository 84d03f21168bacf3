import type { PlayPreview, PreviewReport } from "./preview-plays.js";

/** One play's block: the counts, each reason with its count and examples, and its contests. */
function playBlock(play: PlayPreview): string[] {
  const head = `${play.playbook} · ${play.name} (priority ${play.priority}): ${play.entering} of ${play.accounts} would enter now, ${play.eligible} eligible`;
  const reasons = Object.entries(play.reasons).sort(([, a], [, b]) => b - a);
  const width = Math.max(0, ...reasons.map(([reason]) => reason.length));
  const digits = Math.max(1, ...reasons.map(([, count]) => String(count).length));
  const lines = reasons.map(([reason, count]) => {
    const examples = play.examples[reason] ?? [];
    const more = count > examples.length ? ", ..." : "";
    return `  ${String(count).padStart(digits)}  ${reason.padEnd(width)}  ${examples.join(", ")}${more}`;
  });
  const lost = Object.entries(play.contests.lost).map(([winner, count]) => `lost ${count} to ${winner}`);
  const contests =
    play.contests.won + lost.length > 0
      ? [`  contested: won ${play.contests.won}${lost.map((l) => `; ${l}`).join("")}`]
      : [];
  return [head, ...lines, ...contests];
}

/** The preview as a person reads it: a block per play, then the contested accounts. */
export function formatPreview(report: PreviewReport, options: { readonly playbook?: string } = {}): string {
  const plays = report.plays.filter((p) => options.playbook === undefined || p.playbook === options.playbook);
  const blocks = plays.map((play) => playBlock(play).join("\n"));
  const contests = report.contests
    .filter((c) => options.playbook === undefined || c.plays.includes(options.playbook))
    .map((c) => `  ${c.account}: ${c.plays.join(", ")} -> ${c.winner} (${c.why})`);
  const shown = contests.length < report.contested ? ` (the first ${contests.length})` : "";
  const tail =
    report.contested === 0
      ? "no account would be entered by two plays at once"
      : [
          `${report.contested} account${report.contested === 1 ? "" : "s"} more than one play would enter${shown}:`,
          ...contests,
        ].join("\n");
  return `${[...blocks, tail].join("\n\n")}\n`;
}
