// The deterministic journey core for one account: every play of the account advanced by one
// input at one time, with arbitration between them. Plain data in, plain data and commands out:
// no clock, no I/O, no randomness. The account workflow and `playloop test` both run it.
import { canonicalJson } from "../compile/canonical-json.js";
import type { CompiledPlan } from "../compile/plan.js";
import { advancePlay, endPlay, followVersion, placeAtStart } from "./advance-play.js";
import { CoreRun } from "./core-run.js";
import type {
  AccountCoreState,
  CoreContext,
  CoreInput,
  CoreResult,
  DeliverCommand,
  PlayControl,
  PlayState,
  SearchAttributeValues,
} from "./core-types.js";
import { collectFacts, factBaseline } from "./account-facts.js";
import { bandChangeFact, scoreAccount } from "./expansion-score.js";
import { deepMerge } from "./deep-merge.js";
import type { JourneyEvent } from "./journey-types.js";
import { countWindows, pruneRecent, rememberEvent } from "./recent-events.js";
import { exitEventOutcome } from "./detect.js";
import { isHeldOut } from "./holdout.js";
import { settleLatestOffer } from "./offer-frequency.js";
import { stepGraph } from "./step-graph.js";
import { waitText, waitWake } from "./wait-step.js";

/** How many event ids an account remembers to ignore repeats. */
export const MAX_SEEN_EVENTS = 2000;
/** How many recent events an account keeps for waits that begin after the event arrived. */
export const MAX_INBOX = 100;
/** Event types whose data is merged into the account snapshot. */
const SNAPSHOT_EVENTS = new Set(["account.updated", "usage.updated"]);

/** The state of an account the core has not seen yet; its first snapshot input fills it in. */
export function newAccountState(accountId: string): AccountCoreState {
  return {
    accountId,
    account: { id: accountId },
    inbox: [],
    seq: 0,
    seen: [],
    plays: {},
    offers: [],
    decisions: [],
    planSet: {},
  };
}

/** True when the account has already applied an event with this id. */
export function hasSeenEvent(state: AccountCoreState, id: string): boolean {
  return state.seen.includes(id);
}

/** Starts a play's run (its first, or a re-entry) on the plan's version, at its first step. */
function startPlay(run: CoreRun, plan: CompiledPlan, previous: PlayState | undefined): PlayState {
  const { state } = run;
  const holdout = isHeldOut(plan.id, state.accountId, plan.holdout);
  const play: PlayState = {
    playbookId: plan.id,
    version: plan.version,
    status: "running",
    run: (previous?.run ?? 0) + 1,
    iteration: 0,
    stage: plan.start,
    cursor: run.seqBefore,
    holdout,
    engaged: false,
    startedAt: run.iso(),
    offers: previous?.offers.slice(-5) ?? [],
    decisions: previous?.decisions ?? [],
  };
  // A play that opens with a wait in its start stage is detecting until that stage is behind it.
  if (placeAtStart(play, plan)?.kind === "wait" && play.stage === plan.start) play.status = "detecting";
  state.plays[plan.id] = play;
  if (holdout)
    run.decide(
      play,
      "holdout",
      `holdout: in the ${Math.round(plan.holdout * 100)}% control group; decisions recorded, no actions delivered`,
    );
  return play;
}

/**
 * Brings the account's plays to the deployed plan set: a new playbook starts detecting, a
 * detecting play takes the new version, a detecting play of a removed playbook ends. Running plays
 * keep their version until they end or loop back to detect.
 */
function syncPlans(run: CoreRun): void {
  const { state, context } = run;
  for (const [playbookId, version] of Object.entries(context.current)) {
    const plan = context.plan(version);
    if (plan === undefined) continue;
    const play = state.plays[playbookId];
    if (play === undefined) {
      if (context.controls?.[playbookId] === "stopped") continue;
      startPlay(run, plan, undefined);
      if (Object.keys(state.planSet).length > 0) run.decideAccount("fired", `${playbookId} deployed: detecting`);
    } else if (play.version !== version && play.status === "detecting") {
      const since = play.wait?.kind === "step" ? play.wait.since : run.now;
      followVersion(run, play, plan);
      // The detect wait goes on from when it began, so a deploy does not extend its timeout.
      play.wait = play.step === undefined ? undefined : { kind: "step", since, cursor: play.cursor };
    } else if (play.status === "ended" && play.outcome === "stopped" && context.controls?.[playbookId] !== "stopped") {
      // The stop ended with this deploy (or a resume): the play detects again, whatever its re-entry rule.
      startPlay(run, plan, play);
      run.decideAccount("fired", `${playbookId} detecting again after its stop`);
    } else if (play.version !== version && play.status === "ended") {
      play.version = version;
    }
  }
  for (const play of Object.values(state.plays)) {
    if (context.current[play.playbookId] !== undefined || play.status !== "detecting") continue;
    endPlay(run, play, "removed: the playbook is no longer deployed");
  }
  state.planSet = { ...context.current };
}

/** Ends every play of a stopped playbook with the outcome `stopped`; they stay ended until the next deploy. */
function stopPlays(run: CoreRun): void {
  for (const play of Object.values(run.state.plays))
    if (play.status !== "ended" && run.context.controls?.[play.playbookId] === "stopped") endPlay(run, play, "stopped");
}

/** Sends the held actions of plays resumed; drops those of plays stopped or no longer deployed. */
function releaseHeld(run: CoreRun): void {
  const { state, context } = run;
  if (state.held === undefined || state.held.length === 0) return;
  const keep: DeliverCommand[] = [];
  for (const command of state.held) {
    const control = context.controls?.[command.playbookId];
    const play = state.plays[command.playbookId];
    if (control === "paused") keep.push(command);
    else if (control === "stopped" || context.current[command.playbookId] === undefined) {
      if (play !== undefined)
        run.decide(
          play,
          "skipped",
          `skipped: held ${command.action.id} dropped, ${command.playbookId} ${control ?? "removed"}`,
          command.step,
        );
    } else {
      if (play !== undefined) run.decide(play, "fired", `released: ${command.action.id} sent on resume`, command.step);
      run.commands.push(command);
    }
  }
  if (keep.length === 0) delete state.held;
  else state.held = keep;
}

/** Starts again the ended plays whose re-entry rule allows it (on a snapshot or an event). */
function reenter(run: CoreRun): void {
  const { state, context } = run;
  for (const play of Object.values(state.plays)) {
    if (play.status !== "ended") continue;
    const version = context.current[play.playbookId];
    const plan = version === undefined ? undefined : context.plan(version);
    if (plan === undefined || context.controls?.[play.playbookId] === "stopped") continue;
    const reentry = plan.enrollment?.reentry ?? "always";
    if (reentry === "never") continue;
    if (reentry !== "always" && run.now - Date.parse(play.endedAt ?? play.startedAt) < reentry) continue;
    const next = startPlay(run, plan, play);
    run.decideAccount("fired", `${play.playbookId} re-entered (run ${next.run})`);
  }
}

/** Plays by priority, highest first (then by id): the higher priority reaches the account first. */
function byPriority(run: CoreRun): PlayState[] {
  const priority = (play: PlayState): number => run.planOf(play)?.priority ?? 0;
  return Object.values(run.state.plays).sort(
    (a, b) => priority(b) - priority(a) || a.playbookId.localeCompare(b.playbookId),
  );
}

/** Advances every play; when the account is freed, the plays waiting for it look again. */
function advanceAll(run: CoreRun): void {
  for (const play of byPriority(run)) advancePlay(run, play);
  for (let round = 0; run.freed && round < 10; round++) {
    run.freed = false;
    for (const play of byPriority(run)) if (play.wait?.kind === "account") advancePlay(run, play);
  }
}

/** The earliest time something is due without an input, and what it is. */
function nextWake(run: CoreRun): { at: number; summary: string } | undefined {
  let best: { at: number; summary: string } | undefined;
  const consider = (at: number | undefined, summary: string): void => {
    if (at !== undefined && (best === undefined || at < best.at)) best = { at, summary };
  };
  for (const play of Object.values(run.state.plays)) {
    const plan = run.planOf(play);
    const wait = play.wait;
    if (plan === undefined || wait === undefined || play.step === undefined) continue;
    const step = stepGraph(plan).nodes.get(play.step)?.step;
    if (wait.kind === "step" && step?.kind === "wait")
      consider(waitWake(run, plan, step, wait.since), `${play.playbookId}: waiting for ${waitText(plan, step)}`);
    else if (wait.kind === "send_window") consider(wait.at, `${play.playbookId}: the send window opens`);
    else if (wait.kind === "approval") consider(wait.deadline, `${play.playbookId}: approval SLA of ${play.step}`);
    else if (wait.kind === "loop") consider(wait.at, `${play.playbookId}: loop`);
  }
  return best === undefined ? undefined : { at: Math.max(best.at, run.now + 1), summary: best.summary };
}

/** Asks for the timer the plays need (or for none), when that changed. */
function schedule(run: CoreRun): void {
  const wake = nextWake(run);
  const { state } = run;
  if (wake === undefined) {
    if (state.timer !== undefined) run.commands.push({ kind: "cancel_timer" });
    state.timer = undefined;
  } else if (state.timer?.at !== wake.at) {
    state.timer = wake;
    run.commands.push({ kind: "set_timer", at: wake.at, summary: wake.summary });
  }
}

/** The account's search attributes, as operators filter on them in the Temporal UI. */
export function searchAttributeValues(
  state: AccountCoreState,
  controls?: Readonly<Record<string, PlayControl>>,
): SearchAttributeValues {
  const plays = Object.values(state.plays).sort((a, b) => a.playbookId.localeCompare(b.playbookId));
  const paused = plays.filter((p) => controls?.[p.playbookId] === "paused").map((p) => p.playbookId);
  return {
    Plays: [
      ...plays.map((p) => p.playbookId),
      ...plays.map((p) => `${p.playbookId}@${p.version}`),
      ...plays.flatMap((p) =>
        Object.entries(p.experiments ?? {}).map(([name, variant]) => `${p.playbookId}#${name}=${variant}`),
      ),
    ],
    Stages: plays.flatMap((p) =>
      p.status === "ended"
        ? [`${p.playbookId}:ended`, `${p.playbookId}:ended:${p.outcome ?? "completed"}`.slice(0, 200)]
        : [`${p.playbookId}:${p.stage}`],
    ),
    Holdouts: plays.filter((p) => p.holdout).map((p) => p.playbookId),
    ...(state.lastSuppression === undefined ? {} : { LastSuppression: state.lastSuppression }),
    ...(paused.length === 0 ? {} : { Paused: paused.join(" ") }),
    ...(state.score === undefined ? {} : { ExpansionScore: state.score.score, ScoreBand: state.score.band }),
  };
}

/** Asks for the search attributes to be updated, when they changed. */
function publishAttributes(run: CoreRun): void {
  const values = searchAttributeValues(run.state, run.context.controls);
  if (JSON.stringify(values) === JSON.stringify(run.state.attributes)) return;
  run.state.attributes = values;
  run.commands.push({ kind: "search_attributes", values });
}

/** The plans that may count events: the deployed set's and those of the plays on other versions. */
function deployedAndRunningPlans(run: CoreRun): (CompiledPlan | undefined)[] {
  return [
    ...Object.values(run.context.current).map((version) => run.context.plan(version)),
    ...Object.values(run.state.plays).map((play) => run.planOf(play)),
  ];
}

/**
 * Scores the account on the deployed scorecard, before any play looks at it (`score.<name>`);
 * without a scorecard the account has no score, and nothing else changes.
 */
function rescore(run: CoreRun): void {
  const { state } = run;
  const scorecard = run.context.policy.scorecard;
  if (scorecard === undefined && state.score === undefined) return;
  if (scorecard === undefined) delete state.score;
  else state.score = scoreAccount(scorecard, state.account, run.now, state.recent ?? []);
  run.accountChanged();
}

/**
 * An update's data as it applies to the snapshot now: a backfilled update dated before the ARR the
 * account holds leaves that ARR alone (it is history; the facts record it at its date).
 */
function current(state: AccountCoreState, event: JourneyEvent, now: number): Readonly<Record<string, unknown>> {
  const data = event.data ?? {};
  if (data.arr === undefined) return data;
  const stated = Date.parse(event.at ?? "");
  const at = Number.isFinite(stated) ? stated : now;
  if (state.arrAt !== undefined && at < Date.parse(state.arrAt))
    return Object.fromEntries(Object.entries(data).filter(([key]) => key !== "arr"));
  state.arrAt = new Date(at).toISOString();
  return data;
}

/** Applies an event to the account: the snapshot, the counted events, the offers it settles, the plays it ends. */
function applyEvent(
  run: CoreRun,
  event: Extract<CoreInput, { kind: "event" }>["event"],
  windows: ReadonlyMap<string, number>,
): void {
  const { state } = run;
  state.seen.push(event.id);
  if (state.seen.length > MAX_SEEN_EVENTS) state.seen.splice(0, state.seen.length - MAX_SEEN_EVENTS);
  if (SNAPSHOT_EVENTS.has(event.type) && event.data !== undefined)
    state.account = deepMerge(state.account, current(state, event, run.now));
  if (windows.has(event.type)) rememberEvent((state.recent ??= []), event, windows, run.now);
  run.accountChanged();
  state.seq++;
  state.inbox.push({ seq: state.seq, event });
  if (state.inbox.length > MAX_INBOX) state.inbox.splice(0, state.inbox.length - MAX_INBOX);
  // A closed or declined deal settles the latest open offer: the account's and the play's.
  settleLatestOffer(state.offers, event);
  for (const play of Object.values(state.plays)) {
    if (play.status === "ended") continue;
    settleLatestOffer(play.offers, event);
    const plan = run.planOf(play);
    if (plan !== undefined) play.exitEvent ??= exitEventOutcome(plan, event);
  }
}

/**
 * Advances the account by one input, in place; returns the commands. The account workflow owns
 * its state and calls this; everyone else calls advanceAccount.
 */
export function applyInput(state: AccountCoreState, input: CoreInput, context: CoreContext): CoreResult {
  const run = new CoreRun(state, context);
  const before = factBaseline(state);
  // What the plans count: needed to prune what is kept and to keep an event, before any play moves.
  const windows =
    state.recent !== undefined || input.kind === "event"
      ? countWindows([...deployedAndRunningPlans(run), context.policy.scorecard])
      : undefined;
  const scoreBefore = state.score;
  if (state.recent !== undefined && windows !== undefined) {
    pruneRecent(state.recent, windows, run.now);
    if (state.recent.length === 0) delete state.recent;
  }
  switch (input.kind) {
    case "snapshot":
      // A snapshot that changes nothing is no input at all (ingest sends the same CRM rows again).
      if (input.account.id !== state.accountId || canonicalJson(input.account) === canonicalJson(state.account))
        return { state, commands: [] };
      state.account = input.account;
      if (input.account.arr !== undefined) state.arrAt = run.iso();
      run.accountChanged();
      break;
    case "event":
      if (hasSeenEvent(state, input.event.id)) return { state, commands: [] };
      applyEvent(run, input.event, windows ?? new Map());
      break;
    case "timer":
      state.timer = undefined;
      break;
    case "delivered": {
      const play = state.plays[input.playbookId];
      if (play !== undefined) {
        const to = input.destination === undefined ? "" : ` to ${input.destination}`;
        if (input.error === undefined)
          run.decide(play, "delivered", `${input.action} delivered${to} as ${input.actionId}`, input.step, input.stage);
        else run.decide(play, "blocked", `delivery${to} failed: ${input.error}`, input.step, input.stage);
      }
      break;
    }
    case "plans":
      break;
    case "held": {
      const play = state.plays[input.delivery.playbookId];
      if (play === undefined) break;
      // Resumed before the held delivery came back: it goes out now.
      if (context.controls?.[play.playbookId] !== "paused") run.commands.push(input.delivery);
      else run.holdOrSkip(play, run.planOf(play), input.delivery);
      break;
    }
  }
  if (input.kind !== "delivered" && input.kind !== "held") rescore(run);
  if (input.kind === "snapshot" || input.kind === "event") reenter(run);
  syncPlans(run);
  stopPlays(run);
  advanceAll(run);
  releaseHeld(run);
  schedule(run);
  publishAttributes(run);
  const facts = collectFacts(before, state, input, run.commands, { now: run.now, planOf: (play) => run.planOf(play) });
  const banded = bandChangeFact(scoreBefore, state.score, state.accountId, input, run.now);
  if (banded !== undefined) facts.push(banded);
  if (facts.length > 0) run.commands.push({ kind: "facts", facts });
  return { state, commands: run.commands };
}

/** Advances the account by one input: the next state and the commands; `state` is left as it was. */
export function advanceAccount(state: AccountCoreState, input: CoreInput, context: CoreContext): CoreResult {
  return applyInput(JSON.parse(JSON.stringify(state)) as AccountCoreState, input, context);
}
