// `playloop status <account>` as a person reads it: one row per play, then the holder of the
// account, the offers and the latest decisions.
import type { AccountView } from "./account-view.js";

function table(rows: readonly (readonly string[])[]): string[] {
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? "").length))) ?? [];
  return rows.map((row) =>
    row
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join("  ")
      .trimEnd(),
  );
}

/** Formats an account's plays as text tables; `decisions` is how many of the latest to list. */
export function formatAccountStatus(view: AccountView, decisions = 10): string {
  const lines = [
    `Account ${view.id}: ${view.active === undefined ? "no play holds it" : `${view.active.playbookId} holds it since ${view.active.since}`}`,
    "",
  ];
  lines.push(
    ...table([
      ["PLAY", "STATUS", "STAGE", "WAITING FOR", "UNTIL", "RUN", "OFFERS", "VERSION"],
      ...view.plays.map((play) => [
        `${play.playbookId}${play.holdout ? " (holdout)" : ""}`,
        (play.status === "ended" ? `ended: ${play.outcome ?? "completed"}` : play.status) +
          (play.control === "paused" ? ` (paused${play.held > 0 ? `, ${play.held} held` : ""})` : ""),
        play.stage,
        play.waitingFor ?? "-",
        play.waitingUntil ?? "-",
        `${play.run}.${play.iteration}`,
        String(play.offers.length),
        play.version,
      ]),
    ]),
  );
  const recent = [
    ...view.decisions.map((d) => ({ ...d, play: "account" })),
    ...view.plays.flatMap((play) => play.decisions.map((d) => ({ ...d, play: play.playbookId }))),
  ]
    .sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0))
    .slice(-decisions);
  if (recent.length > 0) {
    lines.push("", `Latest decisions (${recent.length}):`);
    lines.push(
      ...table(recent.map((d) => [d.at, d.play, d.step ?? d.stage, `${d.kind}: ${d.reason}`])).map((l) => `  ${l}`),
    );
  }
  return `${lines.join("\n")}\n`;
}
