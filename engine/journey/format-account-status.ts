// `playloop status <account>` as a person reads it: one row per play, then the holder of the
// account, the offers, its score with each signal's points, and the latest decisions.
import { textTable } from "./text-table.js";
import type { AccountView } from "./account-view.js";

/** Formats an account's plays as text tables; `decisions` is how many of the latest to list. */
export function formatAccountStatus(view: AccountView, decisions = 10): string {
  const lines = [
    `Account ${view.id}: ${view.active === undefined ? "no play holds it" : `${view.active.playbookId} holds it since ${view.active.since}`}`,
    "",
  ];
  lines.push(
    ...textTable([
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
  if (view.score !== undefined) {
    const { score } = view;
    lines.push("", `Score ${score.scorecard}: ${score.score} (${score.band}), as of ${score.at}`);
    lines.push(
      ...textTable([
        ["SIGNAL", "VALUE", "POINTS", "WEIGHT"],
        ...score.contributions.map((c) => [
          c.signal,
          c.value === null ? "-" : String(c.value),
          String(c.points),
          String(c.weight),
        ]),
      ]).map((line) => `  ${line}`),
    );
  }
  const recent = [
    ...view.decisions.map((d) => ({ ...d, play: "account" })),
    ...view.plays.flatMap((play) => play.decisions.map((d) => ({ ...d, play: play.playbookId }))),
  ]
    .sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0))
    .slice(-decisions);
  if (recent.length > 0) {
    lines.push("", `Latest decisions (${recent.length}):`);
    lines.push(
      ...textTable(recent.map((d) => [d.at, d.play, d.step ?? d.stage, `${d.kind}: ${d.reason}`])).map((l) => `  ${l}`),
    );
  }
  return `${lines.join("\n")}\n`;
}
