// One account's journey through one playbook, as a durable Temporal workflow. Deterministic: it
// reads time only through the workflow clock and imports only deterministic modules.
import * as wf from "@temporalio/workflow";
import type { CompiledPlan, PlanStep } from "../engine/compile/plan.js";
import type { PermissionAnswer, PermissionRequest } from "../engine/journey/account-types.js";
import { actionEvent, type ActionEvent } from "../engine/journey/action-event.js";
import { recordDecision } from "../engine/journey/decision-log.js";
import { deepMerge } from "../engine/journey/deep-merge.js";
import { durationText as days } from "../engine/journey/duration-text.js";
import {
  describeTriggers,
  exitConditionOutcome,
  exitEventOutcome,
  firedTrigger,
  nextTriggerWake,
  ruleHolds,
} from "../engine/journey/detect.js";
import type {
  AccountSnapshot,
  CarriedState,
  Decision,
  JourneyEvent,
  JourneyInput,
  JourneyState,
  OfferRecord,
} from "../engine/journey/journey-types.js";
import { fenceDecision } from "../engine/journey/offer-fence.js";
import { frequencyBreach, settleLatestOffer } from "../engine/journey/offer-frequency.js";
import { SEARCH_ATTRIBUTES } from "../engine/journey/search-attributes.js";
import { SeenIds } from "../engine/journey/seen-ids.js";
import { nextSendTime, windowTimeZone } from "../engine/journey/send-window.js";
import type { JsonLogicRule } from "../engine/rules/rule-types.js";
import type { Activities } from "../engine/runtime/activities.js";

/** An event for this account (usage, tickets, QBRs, deals, approvals); repeated ids are ignored. */
export const eventSignal = wf.defineSignal<[JourneyEvent]>("event");
/** Replaces the account snapshot (a CRM sync); date windows re-arm from the new dates. */
export const snapshotSignal = wf.defineSignal<[AccountSnapshot]>("snapshot");
/** The account coordinator's answer to a permission request. */
export const permissionSignal = wf.defineSignal<[PermissionAnswer]>("permission");
/** The account coordinator says no other play holds the account any more. */
export const accountFreeSignal = wf.defineSignal("accountFree");
/** The journey's stage, waits, offers and every decision with its reason. */
export const stateQuery = wf.defineQuery<JourneyState>("state");

const { deliverAction } = wf.proxyActivities<Activities>({
  startToCloseTimeout: "1 minute",
  // Retried with backoff for up to three days, then the action fails visibly in the journey.
  scheduleToCloseTimeout: "3 days",
  retry: {
    initialInterval: "2 seconds",
    backoffCoefficient: 2,
    maximumInterval: "10 minutes",
    nonRetryableErrorTypes: ["DeliveryRejected"],
  },
});

const DAY_MS = 86_400_000;
const MAX_SEEN_EVENTS = 500;
const MAX_INBOX = 100;
const EVENT_SNAPSHOT_TYPES = new Set(["account.updated", "usage.updated"]);

type ActionStep = Extract<PlanStep, { kind: "action" }>;

/** How a wait, a loop or the whole journey moves on. */
type Next =
  | { readonly kind: "next" }
  | { readonly kind: "goto"; readonly stage: string }
  | { readonly kind: "end"; readonly outcome: string };

class Journey {
  readonly plan: CompiledPlan;
  readonly state: JourneyState;
  account: AccountSnapshot;
  private version = 0;
  private readonly inbox: { seq: number; event: JourneyEvent }[] = [];
  private seq = 0;
  private requests = 0;
  /** The outcome an exit event (enrollment.exit_on) ended the journey with. */
  private exitEvent: string | undefined;
  private holding = false;
  private freed = 0;
  private readonly answers = new Map<string, PermissionAnswer>();
  private settledSeq = 0;
  /** The last event a finished wait could have seen; the next wait looks at the events after it. */
  private waitCursor = 0;
  private readonly seen: SeenIds;
  /** True once the wait the coordinator held (input.entry) has been passed. */
  private entered: boolean;

  constructor(private readonly input: JourneyInput) {
    this.plan = input.plan;
    const carried = input.carried;
    this.account = carried?.account ?? input.account;
    this.seen = new SeenIds(carried?.seenEventIds ?? [], MAX_SEEN_EVENTS);
    this.entered = carried !== undefined;
    this.state = {
      playbookId: this.plan.id,
      playbookVersion: this.plan.version,
      accountId: this.account.id,
      holdout: input.holdout,
      stage: carried?.stage ?? this.plan.start,
      iteration: carried?.iteration ?? 0,
      engaged: carried?.engaged ?? false,
      status: "running",
      offers: [...(carried?.offers ?? [])],
      decisions: [...(carried?.decisions ?? [])],
    };
  }

  now(): number {
    return Date.now();
  }

  iso(at = this.now()): string {
    return new Date(at).toISOString();
  }

  holds(rule: JsonLogicRule, event?: JourneyEvent): boolean {
    return ruleHolds(rule, this.account, this.now(), event);
  }

  decide(kind: Decision["kind"], reason: string, step?: string): void {
    recordDecision(this.state.decisions, { at: this.iso(), stage: this.state.stage, step, kind, reason }, 200);
    // Operators find suppressed journeys in the UI: `LastSuppression = 'suppressed: at_risk'`.
    // Patched: journeys recorded before this attribute existed replay without it.
    if (
      (kind === "suppressed" || kind === "blocked" || kind === "held") &&
      wf.patched("last-suppression-search-attribute")
    ) {
      wf.upsertSearchAttributes([{ key: SEARCH_ATTRIBUTES.LastSuppression, value: reason.slice(0, 200) }]);
    }
    wf.log.info(`${kind}: ${reason}`, {
      playbook: this.plan.id,
      account: this.account.id,
      stage: this.state.stage,
      step,
    });
  }

  receive(event: JourneyEvent): void {
    if (!this.seen.add(event.id)) return;
    if (EVENT_SNAPSHOT_TYPES.has(event.type) && event.data !== undefined)
      this.account = deepMerge(this.account, event.data);
    this.exitEvent ??= exitEventOutcome(this.plan, event);
    this.inbox.push({ seq: ++this.seq, event });
    if (this.inbox.length > MAX_INBOX) this.inbox.shift();
    this.version++;
  }

  replaceSnapshot(snapshot: AccountSnapshot): void {
    if (snapshot.id !== this.account.id) return;
    this.account = snapshot;
    this.version++;
  }

  /** Events received after `seq`, oldest first. */
  eventsAfter(seq: number): JourneyEvent[] {
    return this.inbox.filter((entry) => entry.seq > seq).map((entry) => entry.event);
  }

  setStage(stage: string): void {
    this.state.stage = stage;
    wf.upsertSearchAttributes([{ key: SEARCH_ATTRIBUTES.Stage, value: stage }]);
    wf.setCurrentDetails(this.details());
  }

  details(): string {
    const waiting =
      this.state.waitingFor === undefined
        ? ""
        : `\n\n**Waiting for** ${this.state.waitingFor}${this.state.waitingUntil ? ` until ${this.state.waitingUntil}` : ""}`;
    const last = this.state.decisions.at(-1);
    return `**${this.plan.name}** for account \`${this.account.id}\`: stage **${this.state.stage}**, iteration ${this.state.iteration}${this.state.holdout ? " (holdout: no actions delivered)" : ""}${waiting}${last ? `\n\nLast decision: ${last.kind}: ${last.reason}` : ""}`;
  }

  /**
   * Waits until `check` holds, re-checking whenever a signal arrives and at `wakeAt` (a time-based
   * condition such as a window opening). Returns false when `deadline` passes first.
   */
  async waitUntil(
    what: string,
    check: () => boolean,
    wakeAt: () => number | undefined,
    deadline: number | undefined,
  ): Promise<boolean> {
    this.state.status = "waiting";
    this.state.waitingFor = what;
    this.state.waitingUntil = deadline === undefined ? undefined : this.iso(deadline);
    wf.setCurrentDetails(this.details());
    try {
      for (;;) {
        if (check()) return true;
        const now = this.now();
        if (deadline !== undefined && now >= deadline) return false;
        const wake = Math.min(wakeAt() ?? Infinity, deadline ?? Infinity);
        const seenVersion = this.version;
        const changed = (): boolean => this.version !== seenVersion;
        const summary =
          deadline === undefined ? `Waiting for ${what}` : `Waiting for ${what}, up to ${days(deadline - now)}`;
        if (wake === Infinity) await wf.condition(changed);
        else await wf.condition(changed, Math.max(1, wake - now), { summary });
      }
    } finally {
      this.state.status = "running";
      this.state.waitingFor = undefined;
      this.state.waitingUntil = undefined;
    }
  }

  /** The first reason the account may not get this play's actions now, or undefined. */
  ineligibility(): string | undefined {
    for (const condition of this.plan.eligibility.suppress)
      if (this.holds(condition.rule)) return `suppressed: ${condition.label}`;
    for (const condition of this.plan.eligibility.require)
      if (!this.holds(condition.rule)) return `not eligible: ${condition.label}`;
    return undefined;
  }

  /**
   * The reason the journey must end now, or undefined: an exit condition at any time; the goal
   * once the play has engaged the account, so a healthy account is not "saved" by a retention
   * play that never started.
   */
  endReason(): Next | undefined {
    if (this.exitEvent !== undefined) return { kind: "end", outcome: this.exitEvent };
    const exited = exitConditionOutcome(this.plan, this.account, this.now());
    if (exited !== undefined) return { kind: "end", outcome: exited };
    if (this.state.engaged && this.plan.goal?.rule !== undefined && this.holds(this.plan.goal.rule))
      return { kind: "end", outcome: "goal_reached" };
    return undefined;
  }

  async waitStep(step: Extract<PlanStep, { kind: "wait" }>): Promise<Next> {
    const started = this.now();
    const deadline = step.timeoutMs === undefined ? undefined : started + step.timeoutMs;
    // A wait sees the events since the previous wait ended, so an event that arrives with the
    // journey's start, or while it runs a stage's actions, is not lost. Patched: journeys recorded
    // before this saw only the events after the wait began.
    const cursor = wf.patched("waits-see-events-since-last-wait") ? this.waitCursor : this.seq;
    let fired: string | undefined;
    let check: () => boolean;
    let wake: () => number | undefined = () => undefined;
    let what: string;
    if (step.event !== undefined) {
      const type = step.event;
      what = type;
      check = () =>
        this.eventsAfter(cursor).some((event) => {
          const match = event.type === type && (step.when === undefined || this.holds(step.when, event));
          if (match) fired = `${type} received`;
          return match;
        });
    } else if (step.triggers !== undefined) {
      const names = step.triggers;
      what = describeTriggers(this.plan, names);
      check = () => {
        fired = firedTrigger(this.plan, names, this.account, this.now(), this.eventsAfter(cursor));
        return fired !== undefined;
      };
      wake = () => nextTriggerWake(this.plan, names, this.account, this.now());
    } else if (step.durationMs !== undefined) {
      const until = started + step.durationMs;
      what = `${days(step.durationMs)} to pass`;
      check = () => this.now() >= until;
      wake = () => until;
    } else {
      const field = step.untilField ?? "";
      const target = (): number | undefined => {
        const raw = this.account[field];
        const date = typeof raw === "string" ? Date.parse(raw) : Number.NaN;
        return Number.isFinite(date) ? date - (step.beforeMs ?? 0) : undefined;
      };
      what = step.beforeMs ? `${days(step.beforeMs)} before ${field}` : field;
      check = () => {
        const at = target();
        return at !== undefined && this.now() >= at;
      };
      wake = target;
    }
    const ended = () => this.endReason() !== undefined;
    // The account coordinator may have held this wait already; then it says how the wait ended.
    const entry = this.input.entry?.step === step.id && !this.entered ? this.input.entry : undefined;
    this.entered ||= entry !== undefined;
    if (entry?.fired !== undefined) fired = entry.fired;
    const ok =
      entry === undefined ? await this.waitUntil(what, () => ended() || check(), wake, deadline) : fired !== undefined;
    this.waitCursor = this.seq;
    const end = this.endReason();
    if (end !== undefined) return end;
    if (ok) {
      this.decide("fired", fired ?? `${what} reached`, step.id);
      return { kind: "next" };
    }
    this.decide("timeout", `no ${what} within ${days(step.timeoutMs ?? 0)}`, step.id);
    if (step.onTimeout === undefined) return { kind: "next" };
    return step.onTimeout === "end" ? { kind: "end", outcome: "timed_out" } : { kind: "goto", stage: step.onTimeout };
  }

  async deliver(event: ActionEvent, step: ActionStep): Promise<boolean> {
    this.state.engaged = true;
    if (this.state.holdout) {
      this.decide("holdout", `holdout: ${event.type} not delivered`, step.id);
      return false;
    }
    try {
      await deliverAction.executeWithOptions(
        { summary: `Deliver ${event.data.action as string} (${step.id}) to ${this.account.id}` },
        [event],
      );
      this.decide("delivered", `${event.data.action as string} delivered as ${event.id}`, step.id);
      return true;
    } catch (error) {
      const message =
        error instanceof wf.ActivityFailure && error.cause instanceof Error ? error.cause.message : String(error);
      this.decide("blocked", `delivery failed: ${message}`, step.id);
      return false;
    }
  }

  /** The CloudEvent for a step of this journey, now; `options` for approval requests and escalations. */
  actionEventFor(
    step: ActionStep,
    options: { variant?: string; kind?: string; extra?: Record<string, unknown> } = {},
  ): ActionEvent {
    return actionEvent({
      plan: this.plan,
      account: this.account,
      stage: this.state.stage,
      step,
      iteration: this.state.iteration,
      run: this.input.run,
      time: this.iso(),
      ...options,
    });
  }

  /** Holds the action until the send window opens in the account's time zone. */
  async sendWindow(step: ActionStep): Promise<void> {
    const window = this.plan.eligibility.sendWindow;
    if (window === undefined) return;
    const zone = windowTimeZone(window, this.account.timezone);
    const at = nextSendTime(window, zone, this.now());
    if (at === undefined || at <= this.now()) return;
    this.decide("held", `held: outside send window until ${this.iso(at)} (${zone})`, step.id);
    await this.waitUntil(
      `the send window (${zone})`,
      () => this.now() >= at,
      () => at,
      undefined,
    );
  }

  frequencyBlock(): string | undefined {
    const live = this.state.offers.filter((o) => o.status !== "rejected" && o.status !== "withdrawn");
    const breach = frequencyBreach(live, this.plan.eligibility.frequency, this.now());
    if (breach === undefined) return undefined;
    return breach.kind === "cap"
      ? `frequency: ${breach.recent} offer(s) in the last ${days(breach.perMs)}`
      : `cooldown: an offer was declined ${days(breach.sinceMs)} ago`;
  }

  async approval(step: ActionStep, reason: string, record: OfferRecord): Promise<boolean> {
    const approval = this.plan.discounts?.approval;
    const sla = approval?.slaMs ?? 3 * DAY_MS;
    const cursor = this.seq;
    const request = (variant: string, approver: string | undefined) =>
      this.actionEventFor(step, { variant, kind: "approval.request", extra: { approver, reason, sla_ms: sla } });
    record.status = "awaiting_approval";
    this.decide("approval", `approval requested: ${reason}`, step.id);
    await this.deliver(request("approval", approval?.approver), step);
    let decision: "granted" | "rejected" | undefined;
    const answered = () => {
      for (const event of this.eventsAfter(cursor)) {
        if (
          (event.type === "approval.granted" || event.type === "approval.rejected") &&
          (event.data?.step === undefined || event.data.step === step.id)
        ) {
          decision = event.type === "approval.granted" ? "granted" : "rejected";
          return true;
        }
      }
      return false;
    };
    const ok = await this.waitUntil(
      `approval of ${step.id} by ${approval?.approver ?? "an approver"}`,
      answered,
      () => undefined,
      this.now() + sla,
    );
    if (!ok && approval?.escalateTo !== undefined) {
      this.decide("approval", `approval SLA of ${days(sla)} passed: escalated to ${approval.escalateTo}`, step.id);
      await this.deliver(request("escalation", approval.escalateTo), step);
      await this.waitUntil(
        `approval of ${step.id} by ${approval.escalateTo}`,
        answered,
        () => undefined,
        this.now() + sla,
      );
    }
    if (decision === "granted") return true;
    record.status = decision === "rejected" ? "rejected" : "withdrawn";
    this.decide(
      "blocked",
      decision === "rejected" ? "offer rejected by the approver" : "offer withdrawn: no approval within the SLA",
      step.id,
    );
    return false;
  }

  /**
   * Asks the account coordinator before reaching the account: one play at a time, and the account's
   * offer caps. Without a coordinator (a journey started on its own) every action may go.
   */
  async permit(step: ActionStep, offer: boolean): Promise<"granted" | "denied" | "end"> {
    const coordinatorId = this.input.coordinatorId;
    if (coordinatorId === undefined || this.state.holdout) return "granted";
    for (;;) {
      const requestId = `${this.state.iteration}:${step.id}:${++this.requests}`;
      const request: PermissionRequest = {
        requestId,
        playbookId: this.plan.id,
        priority: this.plan.priority,
        offer,
        journeyId: wf.workflowInfo().workflowId,
      };
      await wf.getExternalWorkflowHandle(coordinatorId).signal("request", request);
      await this.waitUntil(
        "the account coordinator",
        () => this.answers.has(requestId),
        () => undefined,
        this.now() + 3_600_000,
      );
      const answer = this.answers.get(requestId);
      this.answers.delete(requestId);
      if (answer === undefined) {
        this.decide("blocked", "no answer from the account coordinator within an hour", step.id);
        return "denied";
      }
      if (answer.granted) {
        this.holding = true;
        return "granted";
      }
      this.decide("suppressed", answer.reason ?? "suppressed by the account coordinator", step.id);
      if (answer.kind === "cap") return "denied";
      if ((this.plan.enrollment?.onConflict ?? "wait") === "end") return "end";
      const freed = this.freed;
      await this.waitUntil(
        "the account to be free of other plays",
        () => this.freed !== freed || this.endReason() !== undefined,
        () => undefined,
        undefined,
      );
      if (this.endReason() !== undefined) return "denied";
    }
  }

  /** Tells the coordinator this journey no longer holds the account. */
  async release(): Promise<void> {
    if (this.input.coordinatorId === undefined || !this.holding) return;
    this.holding = false;
    await wf.getExternalWorkflowHandle(this.input.coordinatorId).signal("release", { playbookId: this.plan.id });
  }

  async actionStep(step: ActionStep): Promise<Next | undefined> {
    if (step.when !== undefined && !this.holds(step.when)) {
      this.decide("skipped", "skipped: its `when` condition does not hold", step.id);
      return undefined;
    }
    await this.sendWindow(step);
    // Guardrails are checked again right before the action, not only at entry.
    const blocked = this.ineligibility();
    if (blocked !== undefined) {
      this.decide("suppressed", blocked, step.id);
      return undefined;
    }
    const offer = step.offer;
    if (offer === undefined) {
      const permission = await this.permit(step, false);
      if (permission === "end") return { kind: "end", outcome: this.state.decisions.at(-1)?.reason ?? "suppressed" };
      if (permission === "granted") await this.deliver(this.actionEventFor(step), step);
      return undefined;
    }
    const frequency = this.frequencyBlock();
    if (frequency !== undefined) {
      this.decide("suppressed", `suppressed: ${frequency}`, step.id);
      return undefined;
    }
    const fence = fenceDecision(this.plan, offer, this.account, (segment) => {
      const rule = this.plan.segments[segment];
      return rule !== undefined && this.holds(rule);
    });
    if (fence.kind === "blocked") {
      this.decide("blocked", `offer not emitted: ${fence.reason}`, step.id);
      return undefined;
    }
    const record: OfferRecord = { step: step.id, at: this.iso(), offer, status: "proposed" };
    this.state.offers.push(record);
    if (fence.kind === "approval" && !(await this.approval(step, fence.reason, record))) return undefined;
    if (this.ineligibility() !== undefined) {
      record.status = "withdrawn";
      this.decide("suppressed", `${this.ineligibility() ?? ""} (after approval)`, step.id);
      return undefined;
    }
    const permission = await this.permit(step, true);
    if (permission !== "granted") {
      record.status = "withdrawn";
      return permission === "end"
        ? { kind: "end", outcome: this.state.decisions.at(-1)?.reason ?? "suppressed" }
        : undefined;
    }
    record.status = "proposed";
    await this.deliver(this.actionEventFor(step), step);
    return undefined;
  }

  /** Applies a closed deal to the most recent open offer. */
  settleOffers(): void {
    for (const { seq, event } of this.inbox) {
      if (seq <= this.settledSeq) continue;
      this.settledSeq = seq;
      settleLatestOffer(this.state.offers, event);
    }
  }

  carried(stage: string): CarriedState {
    return {
      stage,
      iteration: this.state.iteration,
      engaged: this.state.engaged,
      account: this.account,
      seenEventIds: this.seen.ids,
      offers: this.state.offers.slice(-20),
      decisions: this.state.decisions.slice(-50),
    };
  }

  async run(): Promise<JourneyState> {
    wf.setHandler(stateQuery, () => this.state);
    wf.setHandler(eventSignal, (event) => this.receive(event));
    wf.setHandler(snapshotSignal, (snapshot) => this.replaceSnapshot(snapshot));
    wf.setHandler(permissionSignal, (answer) => {
      this.answers.set(answer.requestId, answer);
      this.version++;
    });
    wf.setHandler(accountFreeSignal, () => {
      this.freed++;
      this.version++;
    });
    if (this.input.carried === undefined && this.state.holdout)
      this.decide(
        "holdout",
        `holdout: in the ${Math.round(this.plan.holdout * 100)}% control group; decisions recorded, no actions delivered`,
      );
    const names = this.plan.stages.map((s) => s.name);
    let stageIndex = Math.max(0, names.indexOf(this.state.stage as (typeof names)[number]));
    let outcome: string | undefined;
    journey: while (stageIndex < this.plan.stages.length) {
      const stage = this.plan.stages[stageIndex];
      if (stage === undefined) break;
      this.setStage(stage.name);
      let next: Next = { kind: "next" };
      for (const step of stage.steps) {
        this.state.step = step.id;
        const end = this.endReason();
        if (end !== undefined) {
          next = end;
          break;
        }
        if (step.kind === "action") {
          const after = await this.actionStep(step);
          if (after !== undefined) {
            next = after;
            break;
          }
        } else if (step.kind === "wait") {
          next = await this.waitStep(step);
          this.settleOffers();
          if (next.kind !== "next") break;
        } else if (step.kind === "loop") {
          if (step.afterMs !== undefined) {
            const until = this.now() + step.afterMs;
            await this.waitUntil(
              `${days(step.afterMs)} before looping to ${step.to}`,
              () => this.endReason() !== undefined || this.now() >= until,
              () => until,
              undefined,
            );
          }
          next = this.endReason() ?? { kind: "goto", stage: step.to };
          // Back in detect, the play no longer holds the account.
          if (next.kind === "goto" && step.to === "detect") await this.release();
          if (next.kind === "goto") {
            this.state.iteration++;
            this.decide("fired", `loop to ${step.to} (iteration ${this.state.iteration})`, step.id);
            if (
              wf.workflowInfo().continueAsNewSuggested ||
              wf.workflowInfo().historyLength > (this.input.maxHistoryEvents ?? 2000)
            ) {
              await wf.condition(wf.allHandlersFinished);
              return wf.continueAsNew<typeof journey>({
                ...this.input,
                account: this.account,
                carried: this.carried(step.to),
              });
            }
          }
          break;
        } else {
          next = { kind: "end", outcome: step.outcome };
          break;
        }
      }
      if (next.kind === "end") {
        outcome = next.outcome;
        break journey;
      }
      stageIndex = next.kind === "goto" ? names.indexOf(next.stage as (typeof names)[number]) : stageIndex + 1;
    }
    if (this.input.coordinatorId !== undefined) {
      this.holding = false;
      await wf
        .getExternalWorkflowHandle(this.input.coordinatorId)
        .signal("journeyEnded", { playbookId: this.plan.id, outcome: outcome ?? "completed" })
        .catch(() => undefined);
    }
    this.state.status = "ended";
    this.state.outcome = outcome ?? "completed";
    this.state.step = undefined;
    this.decide("ended", `journey ended: ${this.state.outcome}`);
    wf.upsertSearchAttributes([{ key: SEARCH_ATTRIBUTES.Outcome, value: this.state.outcome }]);
    wf.setCurrentDetails(this.details());
    return this.state;
  }
}

/** Runs one account's journey through one playbook, from the compiled plan. */
export async function journey(input: JourneyInput): Promise<JourneyState> {
  return new Journey(input).run();
}
