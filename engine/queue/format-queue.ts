// The queue as a CSM reads it: a table of the accounts by rank, then each account's signals, next
// best play with its offer and reasons, or what blocks every play.
import { textTable } from "../journey/text-table.js";
import type { QueueOffer } from "./next-best-play.js";
import type { QueueReport, QueueRow } from "./rank-queue.js";

const pct = (fraction: number): string => `${Math.round(fraction * 10000) / 100}%`;

/** An offer in a line: `seats +20%, 10% off (needs approval: ...)`, `bundle analytics + automation at 16000`. */
export function offerText(offer: QueueOffer, withApproval = true): string {
  const what =
    offer.bundle !== undefined
      ? `bundle ${offer.bundle.join(" + ")}`
      : [offer.sku, offer.plan === undefined ? undefined : `plan ${offer.plan}`, offer.quantity]
          .filter((part) => part !== undefined)
          .join(" ");
  const price = offer.price === undefined ? "" : ` at ${offer.price}`;
  const discount = offer.discount > 0 ? `, ${pct(offer.discount)} off` : "";
  const approval = offer.approval === undefined || !withApproval ? "" : ` (needs approval: ${offer.approval})`;
  return `${what || "an offer"}${price}${discount}${approval}`;
}

function details(row: QueueRow): string[] {
  const lines = [
    `${row.rank}. ${row.account}${row.name === undefined ? "" : ` (${row.name})`}: ${row.score} ${row.band}${row.owner === undefined ? "" : `, owner ${row.owner}`}`,
    `   signals  ${row.top.map((c) => `${c.signal} +${c.points}`).join(", ") || "none"}`,
  ];
  if (row.active !== undefined)
    lines.push(`   active   ${row.active.playbookId} holds the account since ${row.active.since}`);
  const next = row.next;
  if (next === null) {
    lines.push("   next     none: every play is blocked");
    for (const blocked of row.blocked) lines.push(`            ${blocked.playbook}: ${blocked.reason}`);
    return lines;
  }
  lines.push(`   next     ${next.playbook} (${next.motion}, priority ${next.priority})`);
  if (next.offer !== undefined) lines.push(`   offer    ${offerText(next.offer)}`);
  for (const [index, why] of next.why.entries()) lines.push(`   ${index === 0 ? "why    " : "       "}  ${why}`);
  if (row.blocked.length > 0)
    lines.push(`   above    ${row.blocked.map((blocked) => `${blocked.playbook}: ${blocked.reason}`).join("; ")}`);
  return lines;
}

/** Formats the queue as text. */
export function formatQueue(report: QueueReport): string {
  const shown = report.rows.length;
  const weighed =
    report.listed === undefined || report.listed === report.accounts
      ? `${report.accounts} accounts`
      : `${report.listed} accounts with a score, the ${report.accounts} highest weighed`;
  const head = `queue at ${report.at} by score ${report.scorecard}: ${weighed}, ${report.matched} match${report.matched === 1 ? "es" : ""}${shown < report.matched ? `, the first ${shown} listed` : ""}`;
  if (shown === 0) return `${head}\n`;
  const rows = textTable([
    ["RANK", "ACCOUNT", "SCORE", "BAND", "OWNER", "NEXT BEST PLAY", "OFFER"],
    ...report.rows.map((row) => [
      String(row.rank),
      row.account,
      String(row.score),
      row.band,
      row.owner ?? "-",
      row.next?.playbook ?? "none",
      row.next?.offer === undefined ? "-" : offerText(row.next.offer, false),
    ]),
  ]);
  return `${[head, "", ...rows, "", ...report.rows.flatMap((row) => [...details(row), ""])].join("\n").trimEnd()}\n`;
}
