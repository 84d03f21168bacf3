import type { DayRange, Expectation } from "./scenario.js";
import type { ScenarioRun } from "./run-scenario.js";

/** One expectation's verdict: held, or what happened instead. */
export interface ExpectationResult {
  readonly expectation: Expectation;
  readonly passed: boolean;
  /** Why it failed: what was found instead. */
  readonly message?: string;
}

const within = (day: number, days: DayRange | undefined): boolean =>
  days === undefined || (day >= days.from && day <= days.to);

/** The play an expectation is about: the one it names, or the only one the account had. */
function playOf(expectation: Expectation, run: ScenarioRun): string | { readonly error: string } {
  if (expectation.playbook !== undefined) return expectation.playbook;
  const plays = Object.keys(run.final.plays);
  if (plays.length === 1) return plays[0] as string;
  return {
    error:
      plays.length === 0
        ? "no play began for the account"
        : `the account had plays of ${plays.join(", ")}: say which with \`playbook\``,
  };
}

function verdict(expectation: Expectation, passed: boolean, message: string): ExpectationResult {
  return passed ? { expectation, passed } : { expectation, passed, message };
}

const listed = (items: readonly string[]): string => (items.length === 0 ? "none" : items.join("; "));

/** Checks one expectation against what happened. */
export function checkExpectation(expectation: Expectation, run: ScenarioRun): ExpectationResult {
  const ofPlay = (playbook: string | undefined) =>
    expectation.playbook === undefined || playbook === expectation.playbook;
  switch (expectation.kind) {
    case "action":
    case "no_action": {
      const same = run.actions.filter(
        (a) => (expectation.action === "any" || a.action === expectation.action) && ofPlay(a.playbook),
      );
      const found = same.filter(
        (a) =>
          within(a.day, expectation.days) &&
          (expectation.kind === "no_action" ||
            ((expectation.stage === undefined || a.stage === expectation.stage) &&
              (expectation.step === undefined || a.step === expectation.step) &&
              (expectation.template === undefined || a.template === expectation.template))),
      );
      const seen = same.map(
        (a) => `day ${a.day} ${a.playbook} ${a.stage} (${a.step})${a.template === undefined ? "" : ` ${a.template}`}`,
      );
      return expectation.kind === "action"
        ? verdict(
            expectation,
            found.length > 0,
            `got ${expectation.action === "any" ? "actions" : expectation.action}: ${listed(seen)}`,
          )
        : verdict(
            expectation,
            found.length === 0,
            `got ${listed(found.map((a) => `day ${a.day} ${a.playbook} ${a.action} (${a.step})`))}`,
          );
    }
    case "decision": {
      const same = run.decisions.filter((d) => d.kind === expectation.decision && ofPlay(d.playbook));
      const found = same.filter(
        (d) =>
          within(d.day, expectation.days) &&
          (expectation.reason === undefined || d.reason.includes(expectation.reason)) &&
          (expectation.stage === undefined || d.stage === expectation.stage) &&
          (expectation.step === undefined || d.step === expectation.step),
      );
      return verdict(
        expectation,
        found.length > 0,
        `got ${expectation.decision} decisions: ${listed(same.map((d) => `day ${d.day} ${d.playbook ?? "account"} ${d.stage}: ${d.reason}`))}`,
      );
    }
    case "outcome": {
      const playbook = playOf(expectation, run);
      if (typeof playbook !== "string") return verdict(expectation, false, playbook.error);
      const play = run.final.plays[playbook];
      const outcome = play === undefined ? "no play" : play.status === "ended" ? (play.outcome ?? "ended") : "running";
      return verdict(
        expectation,
        outcome === expectation.outcome,
        `the play of ${playbook} ${play?.status === "ended" ? `ended: ${outcome}` : `is ${outcome}${play === undefined ? "" : ` (in ${play.stage})`}`}`,
      );
    }
    case "variant": {
      const playbook = playOf(expectation, run);
      if (typeof playbook !== "string") return verdict(expectation, false, playbook.error);
      const drawn = run.final.plays[playbook]?.experiments?.[expectation.experiment];
      return verdict(
        expectation,
        drawn === expectation.variant,
        drawn === undefined
          ? `${playbook} never reached experiment ${expectation.experiment}`
          : `${playbook} drew ${drawn}`,
      );
    }
    case "stage": {
      const playbook = playOf(expectation, run);
      if (typeof playbook !== "string") return verdict(expectation, false, playbook.error);
      const day = expectation.day;
      const at = run.stages.filter((s) => s.playbook === playbook && (day === undefined || s.day <= day)).at(-1);
      return verdict(
        expectation,
        at?.stage === expectation.stage,
        `${playbook} was ${at === undefined ? "not begun" : `in ${at.stage}${at.outcome === undefined ? "" : ` (${at.outcome})`} since day ${at.day}`}`,
      );
    }
    case "holder": {
      const day = expectation.day;
      const at = run.holders.filter((h) => day === undefined || h.day <= day).at(-1);
      const holder = at?.holder ?? "none";
      return verdict(
        expectation,
        holder === expectation.holder,
        `${holder === "none" ? "no play held the account" : `${holder} held the account`}${at === undefined ? "" : ` (since day ${at.day})`}`,
      );
    }
  }
}
