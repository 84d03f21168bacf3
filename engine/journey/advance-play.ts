// One play's journey through its step graph: it moves from step to step until it has to wait
// (for an event, a trigger, time, the send window, an approval or the account) or ends.
import type { CompiledPlan, PlanOffer, PlanStep } from "../compile/plan.js";
import { releaseAccount, requestAccount } from "./arbitration.js";
import type { ActionStep, CoreRun } from "./core-run.js";
import type { PlayState } from "./core-types.js";
import { exitConditionOutcome } from "./detect.js";
import { durationText as days } from "./duration-text.js";
import type { OfferRecord } from "./journey-types.js";
import { fenceDecision } from "./offer-fence.js";
import { experimentVariant } from "./experiment-variant.js";
import { frequencyBreach } from "./offer-frequency.js";
import { playEvent } from "./play-event.js";
import { nextSendTime, windowTimeZone } from "./send-window.js";
import { stepGraph, targetStep } from "./step-graph.js";
import { quietUntil, touchCapReached, touchChannel } from "./touch-policy.js";
import { waitOutcome, waitText, type WaitStep } from "./wait-step.js";

const DAY_MS = 86_400_000;
/** Steps one play may take in one core call without waiting: a journey that spins is stopped. */
const MAX_STEPS = 500;

/** Where a step leads: on along an edge (a step id, or null for the end), wait here, or end. */
type Move =
  | { readonly kind: "goto"; readonly step: string | null }
  | { readonly kind: "stay" }
  | { readonly kind: "end"; readonly outcome: string };

/** The reason the play must end now: an exit event or condition, or its goal once it has engaged. */
function endReason(run: CoreRun, play: PlayState, plan: CompiledPlan): string | undefined {
  if (play.exitEvent !== undefined) return play.exitEvent;
  const exited = exitConditionOutcome(plan, run.ruleAccount, run.now);
  if (exited !== undefined) return exited;
  if (play.engaged && plan.goal?.rule !== undefined && run.holds(plan.goal.rule)) return "goal_reached";
  return undefined;
}

/** The first reason the account may not get this play's actions now, or undefined. */
function ineligibility(run: CoreRun, plan: CompiledPlan): string | undefined {
  for (const condition of plan.eligibility.suppress)
    if (run.holds(condition.rule)) return `suppressed: ${condition.label}`;
  for (const condition of plan.eligibility.require)
    if (!run.holds(condition.rule)) return `not eligible: ${condition.label}`;
  return undefined;
}

/** Where a jump leads: `end` ends the journey completed; a step id or a stage goes there. */
function jump(plan: CompiledPlan, target: string): Move {
  if (target === "end") return { kind: "end", outcome: "completed" };
  return { kind: "goto", step: targetStep(stepGraph(plan), target) };
}

/** Ends the play with an outcome, freeing the account if it held it. */
export function endPlay(run: CoreRun, play: PlayState, outcome: string): void {
  play.status = "ended";
  play.outcome = outcome;
  play.endedAt = run.iso();
  play.step = undefined;
  play.wait = undefined;
  play.exitEvent = undefined;
  run.decide(play, "ended", `journey ended: ${outcome}`);
  releaseAccount(run, play);
}

/**
 * Moves the play to a step, entering its stage. Back in the start stage (a loop or a timeout to
 * detect) the play no longer holds the account and takes the deployed version, or ends when its
 * playbook is no longer deployed.
 */
function moveTo(run: CoreRun, play: PlayState, plan: CompiledPlan, step: string): void {
  const node = stepGraph(plan).nodes.get(step);
  const returning = node?.stage === plan.start && play.stage !== plan.start;
  if (node !== undefined && node.stage !== play.stage && !returning && migrate(run, play, step, node.stage)) return;
  play.step = step;
  play.wait = undefined;
  if (node !== undefined) play.stage = node.stage;
  if (play.stage !== plan.start) {
    play.status = "running";
    return;
  }
  if (!returning) return;
  releaseAccount(run, play);
  play.status = "detecting";
  const current = run.context.current[play.playbookId];
  if (current === undefined) return endPlay(run, play, "removed: the playbook is no longer deployed");
  const upgraded = run.context.plan(current);
  if (current === play.version || upgraded === undefined) return;
  followVersion(run, play, upgraded);
  if (play.step === undefined) endPlay(run, play, "completed");
}

/**
 * At a stage boundary, moves a running play to the deployed version when that version asks for it
 * (`versioning: { running: at_stage_boundary }`): it enters the stage of the same name there (or
 * the step the version's map names), keeping its offers and decisions; when the new version has
 * no such stage the play ends. Returns true when it migrated or ended.
 */
function migrate(run: CoreRun, play: PlayState, step: string, stage: string): boolean {
  const version = run.context.current[play.playbookId];
  if (version === undefined || version === play.version) return false;
  const target = run.context.plan(version);
  if (target?.versioning?.running !== "at_stage_boundary") return false;
  const graph = stepGraph(target);
  const mapped = target.versioning.map[step];
  if ((mapped === undefined || !graph.nodes.has(mapped)) && !graph.entries.has(stage)) {
    endPlay(run, play, `migration: stage ${stage} removed`);
    return true;
  }
  const entry = mapped !== undefined && graph.nodes.has(mapped) ? mapped : (graph.entries.get(stage) ?? null);
  const node = entry === null ? undefined : graph.nodes.get(entry);
  if (entry === null || node === undefined) {
    // The stage is there but leads nowhere in the new version: the journey is done.
    run.decide(play, "fired", `migrated to version ${target.version} (was ${play.version}) at ${stage}`);
    play.version = target.version;
    endPlay(run, play, "completed");
    return true;
  }
  run.decide(
    play,
    "fired",
    `migrated to version ${target.version} (was ${play.version}) entering ${node.stage}`,
    entry,
    node.stage,
  );
  play.version = target.version;
  play.step = entry;
  play.stage = node.stage;
  play.wait = undefined;
  play.status = "running";
  return true;
}

/**
 * Puts the play at the first step of a plan, in that step's stage (the start stage, or the next
 * one with steps); returns that step, or undefined when the plan has none.
 */
export function placeAtStart(play: PlayState, plan: CompiledPlan): PlanStep | undefined {
  const graph = stepGraph(plan);
  const node = graph.start === null ? undefined : graph.nodes.get(graph.start);
  play.step = node?.step.id;
  play.stage = node?.stage ?? plan.start;
  return node?.step;
}

/** Moves a play that is back at its start to another version of its plan, and records it. */
export function followVersion(run: CoreRun, play: PlayState, plan: CompiledPlan): void {
  run.decide(play, "fired", `now follows version ${plan.version} (was ${play.version})`);
  play.version = plan.version;
  placeAtStart(play, plan);
}

function waitStep(run: CoreRun, play: PlayState, plan: CompiledPlan, step: WaitStep, next: string | null): Move {
  const wait = play.wait?.kind === "step" ? play.wait : { kind: "step" as const, since: run.now, cursor: play.cursor };
  play.wait = wait;
  const outcome = waitOutcome(run, plan, step, wait.since, wait.cursor, play);
  if (outcome === undefined) return { kind: "stay" };
  play.cursor = run.state.seq;
  if (outcome.kind === "fired") {
    if (outcome.event !== undefined) play.event = playEvent(outcome.event, run.now);
    run.decide(
      play,
      "fired",
      outcome.goto === undefined ? outcome.reason : `${outcome.reason} -> ${outcome.goto}`,
      step.id,
    );
    return outcome.goto === undefined ? { kind: "goto", step: next } : jump(plan, outcome.goto);
  }
  run.decide(play, "timeout", `no ${waitText(plan, step)} within ${days(step.timeoutMs ?? 0)}`, step.id);
  if (step.onTimeout === undefined) return { kind: "goto", step: next };
  if (step.onTimeout === "end") return { kind: "end", outcome: "timed_out" };
  return jump(plan, step.onTimeout);
}

/** A branch: the first path whose condition holds now, else its `else`, else the next step. */
function branchStep(
  run: CoreRun,
  play: PlayState,
  plan: CompiledPlan,
  step: Extract<PlanStep, { kind: "branch" }>,
  next: string | null,
): Move {
  const index = step.paths.findIndex((path) => run.holds(path.rule, undefined, play));
  const path = step.paths[index];
  if (path !== undefined) {
    run.decide(play, "branched", `path ${index + 1} (${path.label}) -> ${path.goto}`, step.id);
    return jump(plan, path.goto);
  }
  if (step.otherwise !== undefined) {
    run.decide(play, "branched", `no path's condition holds: else -> ${step.otherwise}`, step.id);
    return jump(plan, step.otherwise);
  }
  run.decide(play, "branched", "no path's condition holds: on to the next step", step.id);
  return { kind: "goto", step: next };
}

/** Why the playbook's own frequency rule refuses another offer now, or undefined. */
function frequencyBlock(run: CoreRun, play: PlayState, plan: CompiledPlan): string | undefined {
  const live = play.offers.filter((o) => o.status !== "rejected" && o.status !== "withdrawn");
  const breach = frequencyBreach(live, plan.eligibility.frequency, run.now);
  if (breach === undefined) return undefined;
  return breach.kind === "cap"
    ? `frequency: ${breach.recent} offer(s) in the last ${days(breach.perMs)}`
    : `cooldown: an offer was declined ${days(breach.sinceMs)} ago`;
}

/** Asks for the account and, when granted, delivers the step's action (the offer at `offer`, if any). */
function reach(
  run: CoreRun,
  play: PlayState,
  plan: CompiledPlan,
  step: ActionStep,
  next: string | null,
  offer?: number,
): Move {
  const record = offer === undefined ? undefined : play.offers[offer];
  const answer = requestAccount(run, play, plan, step.id, record !== undefined);
  switch (answer.kind) {
    case "granted":
      if (record !== undefined) record.status = "proposed";
      run.deliver(play, plan, step);
      return { kind: "goto", step: next };
    case "wait":
      play.wait = { kind: "account", holder: answer.holder, ...(offer === undefined ? {} : { offer }) };
      return { kind: "stay" };
    case "denied":
      if (record !== undefined) record.status = "withdrawn";
      return { kind: "goto", step: next };
    case "end":
      if (record !== undefined) record.status = "withdrawn";
      return { kind: "end", outcome: answer.outcome };
  }
}

/** Asks the approver for an offer above the approval threshold. */
function requestApproval(
  run: CoreRun,
  play: PlayState,
  plan: CompiledPlan,
  step: ActionStep,
  reason: string,
  offer: number,
): Move {
  const approval = plan.discounts?.approval;
  const sla = approval?.slaMs ?? 3 * DAY_MS;
  run.decide(play, "approval", `approval requested: ${reason}`, step.id);
  run.deliver(play, plan, step, {
    variant: "approval",
    kind: "approval.request",
    extra: { approver: approval?.approver, reason, sla_ms: sla },
  });
  play.wait = {
    kind: "approval",
    since: run.now,
    deadline: run.now + sla,
    cursor: run.state.seq,
    escalated: false,
    offer,
  };
  return { kind: "stay" };
}

/** Looks at an approval wait: granted, rejected, escalated when the SLA passes, or withdrawn. */
function approvalWait(run: CoreRun, play: PlayState, plan: CompiledPlan, step: ActionStep, next: string | null): Move {
  const wait = play.wait;
  if (wait?.kind !== "approval") return { kind: "stay" };
  const record = play.offers[wait.offer];
  const answer = run
    .eventsAfter(wait.cursor)
    .find(
      (event) =>
        (event.type === "approval.granted" || event.type === "approval.rejected") &&
        (event.data?.step === undefined || event.data.step === step.id),
    );
  if (answer?.type === "approval.granted") {
    play.wait = undefined;
    const blocked = ineligibility(run, plan);
    if (blocked !== undefined) {
      if (record !== undefined) record.status = "withdrawn";
      run.decide(play, "suppressed", `${blocked} (after approval)`, step.id);
      return { kind: "goto", step: next };
    }
    return reach(run, play, plan, step, next, wait.offer);
  }
  if (answer?.type === "approval.rejected") {
    play.wait = undefined;
    if (record !== undefined) record.status = "rejected";
    run.decide(play, "blocked", "offer rejected by the approver", step.id);
    return { kind: "goto", step: next };
  }
  if (run.now < wait.deadline) return { kind: "stay" };
  const approval = plan.discounts?.approval;
  const sla = approval?.slaMs ?? 3 * DAY_MS;
  if (!wait.escalated && approval?.escalateTo !== undefined) {
    run.decide(play, "approval", `approval SLA of ${days(sla)} passed: escalated to ${approval.escalateTo}`, step.id);
    run.deliver(play, plan, step, {
      variant: "escalation",
      kind: "approval.request",
      extra: {
        approver: approval.escalateTo,
        reason: `no answer from ${approval.approver} within ${days(sla)}`,
        sla_ms: sla,
      },
    });
    play.wait = { ...wait, since: run.now, deadline: run.now + sla, escalated: true };
    return { kind: "stay" };
  }
  play.wait = undefined;
  if (record !== undefined) record.status = "withdrawn";
  run.decide(play, "blocked", "offer withdrawn: no approval within the SLA", step.id);
  return { kind: "goto", step: next };
}

/** An offer step after the guardrails: the playbook's frequency, the fence, the approval, the account. */
function offerStep(
  run: CoreRun,
  play: PlayState,
  plan: CompiledPlan,
  step: ActionStep,
  offer: PlanOffer,
  next: string | null,
): Move {
  const frequency = frequencyBlock(run, play, plan);
  if (frequency !== undefined) {
    run.decide(play, "suppressed", `suppressed: ${frequency}`, step.id);
    return { kind: "goto", step: next };
  }
  const fence = fenceDecision(plan, offer, run.ruleAccount, (segment) => {
    const rule = plan.segments[segment];
    return rule !== undefined && run.holds(rule);
  });
  if (fence.kind === "blocked") {
    run.decide(play, "blocked", `offer not emitted: ${fence.reason}`, step.id);
    return { kind: "goto", step: next };
  }
  const record: OfferRecord = {
    step: step.id,
    at: run.iso(),
    offer,
    status: fence.kind === "approval" ? "awaiting_approval" : "proposed",
  };
  play.offers.push(record);
  if (play.offers.length > 20) play.offers.splice(0, play.offers.length - 20);
  const index = play.offers.length - 1;
  if (fence.kind === "approval") return requestApproval(run, play, plan, step, fence.reason, index);
  return reach(run, play, plan, step, next, index);
}

/** An action step: its `when`, the send window, the guardrails, then the account and delivery. */
function actionStep(run: CoreRun, play: PlayState, plan: CompiledPlan, step: ActionStep, next: string | null): Move {
  const wait = play.wait;
  if (wait?.kind === "approval") return approvalWait(run, play, plan, step, next);
  if (wait?.kind === "account") {
    // Still held by the same play: nothing new to ask or to record.
    if (run.state.active?.playbookId === wait.holder) return { kind: "stay" };
    play.wait = undefined;
    const blocked = ineligibility(run, plan);
    const record = wait.offer === undefined ? undefined : play.offers[wait.offer];
    if (blocked !== undefined) {
      if (record !== undefined) record.status = "withdrawn";
      run.decide(play, "suppressed", blocked, step.id);
      return { kind: "goto", step: next };
    }
    return reach(run, play, plan, step, next, wait.offer);
  }
  if (wait?.kind === "send_window" && run.now < wait.at) return { kind: "stay" };
  if (step.when !== undefined && !run.holds(step.when, undefined, play)) {
    play.wait = undefined;
    run.decide(play, "skipped", "skipped: its `when` condition does not hold", step.id);
    return { kind: "goto", step: next };
  }
  if (wait?.kind === "send_window") play.wait = undefined;
  const channel = touchChannel(step);
  const window = plan.eligibility.sendWindow;
  if (window !== undefined) {
    const zone = windowTimeZone(window, run.state.account.timezone);
    const at = nextSendTime(window, zone, run.now);
    if (at !== undefined && at > run.now) {
      run.decide(play, "held", `held: outside send window until ${run.iso(at)} (${zone})`, step.id);
      play.wait = { kind: "send_window", at };
      return { kind: "stay" };
    }
  }
  const quiet = quietUntil(run.context.policy, channel, run.state.account.timezone, run.now);
  if (quiet !== undefined) {
    run.decide(play, "held", `held: the account's quiet hours until ${run.iso(quiet.at)} (${quiet.zone})`, step.id);
    play.wait = { kind: "send_window", at: quiet.at };
    return { kind: "stay" };
  }
  // Guardrails are checked again right before the action, not only at entry.
  const blocked = ineligibility(run, plan);
  if (blocked !== undefined) {
    run.decide(play, "suppressed", blocked, step.id);
    return { kind: "goto", step: next };
  }
  const capped = touchCapReached(run.state.touches ?? [], run.context.policy, channel, run.now);
  if (capped !== undefined) {
    run.decideAccount("suppressed", `${play.playbookId} ${step.action} ${capped}`);
    run.decide(play, "suppressed", capped, step.id);
    return { kind: "goto", step: next };
  }
  if (step.offer !== undefined) return offerStep(run, play, plan, step, step.offer, next);
  return reach(run, play, plan, step, next);
}

/**
 * An experiment: the account's variant by a stable hash (the same one again on a later iteration),
 * recorded as a decision and carried by the play's actions from here on; the variant's `goto` or
 * the next step.
 */
function experimentStep(
  run: CoreRun,
  play: PlayState,
  plan: CompiledPlan,
  step: Extract<PlanStep, { kind: "experiment" }>,
  next: string | null,
): Move {
  const assigned = experimentVariant(play.playbookId, step.name, run.state.accountId, step.variants);
  if (assigned === undefined) return { kind: "goto", step: next };
  const { variant } = assigned;
  play.experiments = { ...play.experiments, [step.name]: variant.name };
  const share = `${Math.round(variant.share * 1000) / 10}%`;
  run.decide(
    play,
    "experiment",
    `experiment ${step.name}: variant ${variant.name} (${share})${variant.goto === undefined ? "" : ` -> ${variant.goto}`}`,
    step.id,
  );
  return variant.goto === undefined ? { kind: "goto", step: next } : jump(plan, variant.goto);
}

/** A loop step: after its pause, back to a stage for the next iteration. */
function loopStep(run: CoreRun, play: PlayState, plan: CompiledPlan, step: Extract<PlanStep, { kind: "loop" }>): Move {
  if (step.afterMs !== undefined) {
    const at = play.wait?.kind === "loop" ? play.wait.at : run.now + step.afterMs;
    if (run.now < at) {
      play.wait = { kind: "loop", at };
      return { kind: "stay" };
    }
  }
  play.wait = undefined;
  play.iteration++;
  run.decide(play, "fired", `loop to ${step.to} (iteration ${play.iteration})`, step.id);
  return { kind: "goto", step: stepGraph(plan).entries.get(step.to) ?? null };
}

/** Advances one play as far as it can go now. */
export function advancePlay(run: CoreRun, play: PlayState): void {
  for (let taken = 0; play.status !== "ended"; taken++) {
    const plan = run.planOf(play);
    if (plan === undefined) return; // its version is not available to this runner: it waits
    if (taken >= MAX_STEPS) return endPlay(run, play, `stopped: more than ${MAX_STEPS} steps without a wait`);
    const end = endReason(run, play, plan);
    if (end !== undefined) return endPlay(run, play, end);
    if (play.step === undefined) return endPlay(run, play, "completed");
    const node = stepGraph(plan).nodes.get(play.step);
    if (node === undefined) return endPlay(run, play, `stopped: step ${play.step} is not in version ${play.version}`);
    const { step, next } = node;
    let move: Move;
    if (step.kind === "wait") move = waitStep(run, play, plan, step, next);
    else if (step.kind === "action") move = actionStep(run, play, plan, step, next);
    else if (step.kind === "branch") move = branchStep(run, play, plan, step, next);
    else if (step.kind === "experiment") move = experimentStep(run, play, plan, step, next);
    else if (step.kind === "loop") move = loopStep(run, play, plan, step);
    else move = { kind: "end", outcome: step.outcome };
    if (move.kind === "stay") return;
    if (move.kind === "end") return endPlay(run, play, move.outcome);
    if (move.step === null) return endPlay(run, play, "completed");
    moveTo(run, play, plan, move.step);
  }
}
