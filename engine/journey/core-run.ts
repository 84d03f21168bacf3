// One call of the core: the account state being advanced, what the core reads (time, plans,
// policy) and the commands it collects. Every core module works through it, so decisions,
// deliveries and rule checks are written one way.
import type { CompiledPlan, PlanStep } from "../compile/plan.js";
import type { JsonLogicRule } from "../rules/rule-types.js";
import { actionEvent } from "./action-event.js";
import type { AccountCoreState, CoreCommand, CoreContext, DeliverCommand, PlayState } from "./core-types.js";
import { MAX_ACCOUNT_DECISIONS, MAX_PLAY_DECISIONS, recordDecision } from "./decision-log.js";
import { ruleHolds } from "./detect.js";
import type { AccountSnapshot, Decision, JourneyEvent } from "./journey-types.js";
import { ruleAccount } from "./rule-account.js";
import { renderAction } from "./render-action.js";
import { templateScope } from "./template-scope.js";
import { routeAction } from "./route-action.js";
import { rememberTouch, touchChannel } from "./touch-policy.js";

/** Actions an account holds for paused plays; older ones beyond this are dropped (recorded). */
export const MAX_HELD = 50;

/** An action step of a plan. */
export type ActionStep = Extract<PlanStep, { kind: "action" }>;

const SUPPRESSION_KINDS = new Set<Decision["kind"]>(["suppressed", "blocked", "held"]);

/** The state of one core call; see advanceAccount. */
export class CoreRun {
  readonly commands: CoreCommand[] = [];
  /** Set when the holder of the account released it during this call: waiting plays look again. */
  freed = false;
  /** The event sequence number before this call's input: plays that start now see its event. */
  readonly seqBefore: number;

  constructor(
    readonly state: AccountCoreState,
    readonly context: CoreContext,
  ) {
    this.seqBefore = state.seq;
  }

  get now(): number {
    return this.context.now;
  }

  iso(at = this.context.now): string {
    return new Date(at).toISOString();
  }

  /** The plan a play follows, by its version. */
  planOf(play: PlayState): CompiledPlan | undefined {
    return this.context.plan(play.version);
  }

  private ruleView: AccountSnapshot | undefined;

  /**
   * The account as rules see it: the snapshot and, when a plan counts events, `recent_events`,
   * and with a scorecard deployed `score.<name>` (computed once per core call: the clock does not
   * move within one).
   */
  get ruleAccount(): AccountSnapshot {
    this.ruleView ??= ruleAccount(this.state.account, this.now, this.state.recent, this.state.score);
    return this.ruleView;
  }

  /** Forgets the rules' view of the account: the snapshot or the counted events changed. */
  accountChanged(): void {
    this.ruleView = undefined;
  }

  /** Whether a rule holds for the account (and an event, and a play's experiment variants) now. */
  holds(rule: JsonLogicRule, event?: JourneyEvent, play?: PlayState): boolean {
    return ruleHolds(
      rule,
      this.ruleAccount,
      this.now,
      event,
      // With a play, `experiments` is always the play's variants (empty before any), never an account field.
      play === undefined ? undefined : (play.experiments ?? {}),
    );
  }

  /** Events that arrived after sequence number `seq`, oldest first. */
  eventsAfter(seq: number): JourneyEvent[] {
    return this.state.inbox.filter((entry) => entry.seq > seq).map((entry) => entry.event);
  }

  /** Records a play's decision, and tells the runner (for its log). */
  decide(play: PlayState, kind: Decision["kind"], reason: string, step?: string, stage = play.stage): void {
    const decision: Decision = {
      at: this.iso(),
      stage,
      ...(step === undefined ? {} : { step }),
      kind,
      reason,
    };
    recordDecision(play.decisions, decision, MAX_PLAY_DECISIONS);
    if (SUPPRESSION_KINDS.has(kind)) this.state.lastSuppression = `${play.playbookId}: ${reason}`.slice(0, 200);
    this.commands.push({ kind: "decision", playbookId: play.playbookId, decision });
  }

  /** Records an account-level decision (arbitration, caps, re-entries, plan versions). */
  decideAccount(kind: Decision["kind"], reason: string): void {
    const decision: Decision = { at: this.iso(), stage: "account", kind, reason };
    recordDecision(this.state.decisions, decision, MAX_ACCOUNT_DECISIONS);
    this.commands.push({ kind: "decision", decision });
  }

  /**
   * Sends a step's action (an approval request or escalation when `options.kind` says so): a
   * deliver command, or for a holdout only the decision that it was not delivered.
   */
  deliver(
    play: PlayState,
    plan: CompiledPlan,
    step: ActionStep,
    options: { variant?: string; kind?: string; extra?: Record<string, unknown> } = {},
  ): void {
    play.engaged = true;
    const scope = templateScope({ account: this.state.account, plan, play, offer: step.offer, now: this.now });
    const rendered = renderAction(step, scope);
    const action = actionEvent({
      plan,
      account: this.state.account,
      stage: play.stage,
      step,
      rendered: rendered.fields,
      iteration: play.iteration,
      run: play.run,
      time: this.iso(),
      ...(play.experiments === undefined ? {} : { experiments: play.experiments }),
      ...options,
    });
    if (play.holdout) {
      this.decide(play, "holdout", `holdout: ${action.type} not delivered`, step.id);
      return;
    }
    if (rendered.notes.length > 0) this.decide(play, "rendered", rendered.notes.join("; "), step.id);
    if ((this.context.policy.touches?.length ?? 0) > 0 || this.state.touches !== undefined) {
      rememberTouch((this.state.touches ??= []), this.context.policy, touchChannel(step), this.now);
      if (this.state.touches.length === 0) delete this.state.touches;
    }
    const kind = options.kind ?? step.action;
    const destinations = routeAction(this.context.policy.routing, {
      playbookId: play.playbookId,
      step: step.id,
      kind,
      channel: touchChannel(step),
    });
    const command: DeliverCommand = {
      kind: "deliver",
      playbookId: play.playbookId,
      step: step.id,
      action,
      summary: `Deliver ${kind} (${step.id}) to ${this.state.accountId}${destinations === undefined ? "" : ` via ${destinations.map((d) => d.name).join(", ")}`}`,
      ...(destinations === undefined ? {} : { destinations }),
    };
    if (this.context.controls?.[play.playbookId] === "paused") this.holdOrSkip(play, plan, command);
    else this.commands.push(command);
  }

  /**
   * An action of a paused play: kept to go out on resume, or dropped when the playbook says
   * `when_paused: skip`; either way the decision says so. Waits and timers go on meanwhile.
   */
  holdOrSkip(play: PlayState, plan: CompiledPlan | undefined, command: DeliverCommand): void {
    const what = String(command.action.data.action ?? command.action.type);
    if (plan?.whenPaused === "skip") {
      this.decide(play, "skipped", `skipped: ${what} not sent, ${play.playbookId} is paused`, command.step);
      return;
    }
    const held = (this.state.held ??= []);
    held.push(command);
    this.decide(play, "held", `held: ${what} goes out when ${play.playbookId} resumes`, command.step);
    for (const dropped of held.splice(0, Math.max(0, held.length - MAX_HELD)))
      this.decide(
        play,
        "skipped",
        `skipped: ${dropped.action.id} dropped, more than ${MAX_HELD} actions held`,
        dropped.step,
      );
  }
}
