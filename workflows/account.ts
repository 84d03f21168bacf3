// The account coordinator: one entity workflow per account. It holds the latest snapshot, applies
// events once each, runs a journey per playbook, and arbitrates between them: one active play per
// account (the higher priority wins) and offer caps across all playbooks.
import * as wf from "@temporalio/workflow";
import type { CompiledPlan } from "../engine/compile/plan.js";
import type {
  AccountInput,
  AccountState,
  JourneyRecord,
  PermissionAnswer,
  PermissionRequest,
} from "../engine/journey/account-types.js";
import { canonicalJson } from "../engine/compile/canonical-json.js";
import { recordDecision } from "../engine/journey/decision-log.js";
import { deepMerge } from "../engine/journey/deep-merge.js";
import { durationText } from "../engine/journey/duration-text.js";
import {
  describeTriggers,
  entryTriggerWait,
  exitConditionOutcome,
  exitEventOutcome,
  firedTrigger,
  nextTriggerWake,
  type TriggerWait,
} from "../engine/journey/detect.js";
import { frequencyBreach, settleLatestOffer } from "../engine/journey/offer-frequency.js";
import { isHeldOut } from "../engine/journey/holdout.js";
import {
  journeyWorkflowId,
  type AccountSnapshot,
  type Decision,
  type JourneyEntry,
  type JourneyEvent,
} from "../engine/journey/journey-types.js";
import { SEARCH_ATTRIBUTES } from "../engine/journey/search-attributes.js";
import { SeenIds } from "../engine/journey/seen-ids.js";

/** Replaces the account snapshot. */
export const accountSnapshotSignal = wf.defineSignal<[AccountSnapshot]>("snapshot");
/** An event for the account; a repeated id is ignored. */
export const accountEventSignal = wf.defineSignal<[JourneyEvent]>("event");
/** Upserts the snapshot and says whether anything changed (for ingest). */
export const upsertUpdate = wf.defineUpdate<{ changed: boolean }, [AccountSnapshot]>("upsert");
/** Applies an event and says whether it was new (for ingest). */
export const ingestEventUpdate = wf.defineUpdate<{ duplicate: boolean }, [JourneyEvent]>("ingestEvent");
/** A journey asks to reach the account. */
export const requestSignal = wf.defineSignal<[PermissionRequest]>("request");
/** A journey no longer holds the account (it ended or went back to detect). */
export const releaseSignal = wf.defineSignal<[{ playbookId: string }]>("release");
/** A journey ended. */
export const journeyEndedSignal = wf.defineSignal<[{ playbookId: string; outcome: string }]>("journeyEnded");
/** The account's active play, offers, journeys and decisions. */
export const accountStateQuery = wf.defineQuery<AccountState>("state");

const MAX_SEEN = 2000;
const SNAPSHOT_EVENTS = new Set(["account.updated", "usage.updated"]);

type Work =
  | { readonly kind: "snapshot" }
  | { readonly kind: "event"; readonly event: JourneyEvent }
  | { readonly kind: "request"; readonly request: PermissionRequest }
  | { readonly kind: "release"; readonly playbookId: string }
  | { readonly kind: "ended"; readonly playbookId: string; readonly outcome: string }
  | { readonly kind: "tick" };

class Coordinator {
  account: AccountSnapshot;
  readonly state: AccountState;
  private readonly seen: SeenIds;
  private readonly queue: Work[] = [];
  /** False until the first snapshot upsert of a newly started account. */
  private upserted: boolean;
  /** Journeys refused because another play held the account; told when it is free. */
  private readonly waiting = new Set<string>();
  /**
   * True when the coordinator holds each play's first trigger wait and starts the journey only when
   * a trigger fires. Patched: coordinators recorded before this started every journey at once.
   */
  private watchesDetect = false;
  /** The timer for the next window opening or detect timeout, and when it fires. */
  private wake: { readonly at: number; readonly scope: wf.CancellationScope } | undefined;

  constructor(private readonly input: AccountInput) {
    this.account = input.carried?.account ?? input.account;
    this.seen = new SeenIds(input.carried?.seenEventIds ?? [], MAX_SEEN);
    this.upserted = input.carried !== undefined;
    this.state = input.carried?.state ?? { accountId: input.account.id, journeys: {}, offers: [], decisions: [] };
  }

  iso(at = Date.now()): string {
    return new Date(at).toISOString();
  }

  decide(kind: Decision["kind"], reason: string, stage = "account"): void {
    recordDecision(this.state.decisions, { at: this.iso(), stage, kind, reason }, 200);
  }

  upsert(snapshot: AccountSnapshot): boolean {
    if (snapshot.id !== this.account.id) return false;
    // The first upsert of a new account is a change even though the start carried the same snapshot.
    const changed = !this.upserted || canonicalJson(snapshot) !== canonicalJson(this.account);
    this.upserted = true;
    if (changed) {
      this.account = snapshot;
      this.queue.push({ kind: "snapshot" });
    }
    return changed;
  }

  ingest(event: JourneyEvent): boolean {
    if (!this.seen.add(event.id)) return false;
    if (SNAPSHOT_EVENTS.has(event.type) && event.data !== undefined) this.account = deepMerge(this.account, event.data);
    // A closed or declined deal settles the account's latest open offer (for the decline cooldown).
    settleLatestOffer(this.state.offers, event);
    this.queue.push({ kind: "event", event });
    return true;
  }

  /** Whether a journey for this plan may start now (a first run, or a re-entry the playbook allows). */
  mayStart(plan: CompiledPlan, record: JourneyRecord | undefined): boolean {
    if (record === undefined) return true;
    if (record.status !== "ended") return false;
    const reentry = plan.enrollment?.reentry ?? "always";
    if (reentry === "never") return false;
    if (reentry === "always") return true;
    return Date.now() - Date.parse(record.endedAt ?? record.startedAt) >= reentry;
  }

  async startJourney(plan: CompiledPlan, record: JourneyRecord | undefined, entry?: JourneyEntry): Promise<void> {
    const holdout = isHeldOut(plan.id, this.account.id, plan.holdout);
    const workflowId = journeyWorkflowId(plan.id, this.account.id);
    const name = typeof this.account.name === "string" ? this.account.name : this.account.id;
    try {
      await wf.startChild("journey", {
        workflowId,
        args: [
          {
            plan,
            account: this.account,
            holdout,
            run: (record?.runs ?? 0) + 1,
            coordinatorId: wf.workflowInfo().workflowId,
            ...(entry === undefined ? {} : { entry }),
          },
        ],
        parentClosePolicy: wf.ParentClosePolicy.ABANDON,
        workflowIdReusePolicy: wf.WorkflowIdReusePolicy.ALLOW_DUPLICATE,
        typedSearchAttributes: [
          { key: SEARCH_ATTRIBUTES.PlaybookId, value: plan.id },
          { key: SEARCH_ATTRIBUTES.AccountId, value: this.account.id },
          { key: SEARCH_ATTRIBUTES.Motion, value: plan.motion },
          { key: SEARCH_ATTRIBUTES.Stage, value: plan.start },
          { key: SEARCH_ATTRIBUTES.Holdout, value: holdout },
        ],
        staticSummary: `${plan.name} (${plan.motion}) for ${name}`,
        staticDetails: `Playbook **${plan.id}** version \`${plan.version}\`, priority ${plan.priority}${holdout ? ", **holdout** (no actions delivered)" : ""}. Account \`${this.account.id}\`, coordinated by \`${wf.workflowInfo().workflowId}\`.`,
      });
      this.state.journeys[plan.id] = {
        status: "running",
        runs: (record?.runs ?? 0) + 1,
        startedAt: this.iso(),
        holdout,
      };
      if (record !== undefined && entry === undefined)
        this.decide("fired", `${plan.id} re-entered (run ${(record.runs ?? 0) + 1})`);
    } catch (error) {
      // Matched by name: errors cross the workflow boundary as failures, not as our classes.
      if (!(error instanceof Error && error.name === "WorkflowExecutionAlreadyStartedError")) throw error;
      this.state.journeys[plan.id] = {
        status: "running",
        runs: record?.runs ?? 1,
        startedAt: record?.startedAt ?? this.iso(),
        holdout,
      };
    }
  }

  /** Starts the journeys that may run, and forwards the snapshot or event to the running ones. */
  async fanOut(work: Extract<Work, { kind: "snapshot" | "event" }>): Promise<void> {
    // All journeys at once: the starts and signals go out as commands of one workflow task.
    await Promise.all(this.input.plans.map((plan) => this.forward(plan, work)));
  }

  async forward(plan: CompiledPlan, work: Extract<Work, { kind: "snapshot" | "event" }>): Promise<void> {
    const record = this.state.journeys[plan.id];
    if (this.mayStart(plan, record)) {
      const wait = this.watchesDetect ? entryTriggerWait(plan) : undefined;
      if (wait !== undefined) this.startDetecting(plan, record, wait);
      else {
        await this.startJourney(plan, record);
        if (work.kind === "snapshot") return; // it started with the current snapshot
      }
    }
    if (this.state.journeys[plan.id]?.status === "detecting")
      return this.detect(plan, work.kind === "event" ? work.event : undefined);
    if (this.state.journeys[plan.id]?.status !== "running") return;
    const journey = wf.getExternalWorkflowHandle(journeyWorkflowId(plan.id, this.account.id));
    try {
      if (work.kind === "snapshot") await journey.signal("snapshot", this.account);
      else await journey.signal("event", work.event);
    } catch (error) {
      // The journey closed before it told us; it will be restarted per its re-entry rule.
      wf.log.warn(`could not signal ${plan.id}: ${error instanceof Error ? error.message : String(error)}`);
      const current = this.state.journeys[plan.id];
      if (current !== undefined) current.status = "ended";
    }
  }

  /** Begins a run by watching the play's first trigger wait here, with no journey workflow yet. */
  startDetecting(plan: CompiledPlan, record: JourneyRecord | undefined, wait: TriggerWait): void {
    const now = Date.now();
    this.state.journeys[plan.id] = {
      status: "detecting",
      runs: record?.runs ?? 0,
      startedAt: this.iso(),
      holdout: isHeldOut(plan.id, this.account.id, plan.holdout),
      waitingFor: describeTriggers(plan, wait.triggers),
      ...(wait.timeoutMs === undefined ? {} : { waitingUntil: this.iso(now + wait.timeoutMs) }),
    };
    if (record !== undefined) this.decide("fired", `${plan.id} re-entered: detecting again`);
  }

  /**
   * Looks at a detecting play after an event, a snapshot or a timer: it ends on an exit condition,
   * its journey starts when a trigger fires, and its wait times out as the playbook says.
   */
  async detect(plan: CompiledPlan, event: JourneyEvent | undefined): Promise<void> {
    const record = this.state.journeys[plan.id];
    const wait = entryTriggerWait(plan);
    if (record?.status !== "detecting" || wait === undefined) return;
    const now = Date.now();
    const exited =
      (event === undefined ? undefined : exitEventOutcome(plan, event)) ??
      exitConditionOutcome(plan, this.account, now);
    if (exited !== undefined) return this.endDetecting(plan.id, record, exited, `${plan.id} ended: ${exited}`);
    const fired = firedTrigger(plan, wait.triggers, this.account, now, event === undefined ? [] : [event]);
    if (fired !== undefined) {
      this.decide("fired", `${plan.id} ${fired}: journey started`);
      return this.startJourney(plan, record, { step: wait.id, fired });
    }
    if (record.waitingUntil === undefined || now < Date.parse(record.waitingUntil)) return;
    const what = `no ${record.waitingFor ?? "trigger"} within ${durationText(wait.timeoutMs ?? 0)}`;
    if (wait.onTimeout === "end")
      return this.endDetecting(plan.id, record, "timed_out", `${plan.id} timed out in detect: ${what}`);
    this.decide("timeout", `${plan.id} timed out in detect: ${what}; journey started`);
    return this.startJourney(plan, record, { step: wait.id });
  }

  endDetecting(playbookId: string, record: JourneyRecord, outcome: string, reason: string): void {
    this.decide(outcome === "timed_out" ? "timeout" : "ended", reason);
    this.state.journeys[playbookId] = {
      status: "ended",
      runs: record.runs,
      startedAt: record.startedAt,
      endedAt: this.iso(),
      outcome,
      holdout: record.holdout,
    };
  }

  /** The next time a detecting play must be looked at without an event: a window opening or a timeout. */
  nextWake(): number | undefined {
    const now = Date.now();
    let at = Infinity;
    for (const plan of this.input.plans) {
      const record = this.state.journeys[plan.id];
      const wait = entryTriggerWait(plan);
      if (record?.status !== "detecting" || wait === undefined) continue;
      at = Math.min(at, nextTriggerWake(plan, wait.triggers, this.account, now));
      if (record.waitingUntil !== undefined) at = Math.min(at, Date.parse(record.waitingUntil));
    }
    return at === Infinity ? undefined : at;
  }

  /** Keeps one timer, at the next wake; a tick is queued when it fires. */
  armWake(): void {
    const at = this.nextWake();
    if (at === this.wake?.at) return;
    this.wake?.scope.cancel();
    this.wake = undefined;
    if (at === undefined) return;
    const scope = new wf.CancellationScope();
    this.wake = { at, scope };
    scope
      .run(() => wf.sleep(Math.max(1, at - Date.now()), { summary: `Next trigger window or detect timeout` }))
      .then(
        () => {
          if (this.wake?.at === at) this.wake = undefined;
          this.queue.push({ kind: "tick" });
        },
        () => undefined,
      );
  }

  details(): string {
    const lines = Object.entries(this.state.journeys).map(([id, record]) =>
      record.status === "detecting"
        ? `- **${id}** detecting: waiting for ${record.waitingFor ?? "a trigger"}${record.waitingUntil ? ` until ${record.waitingUntil}` : ""}`
        : `- **${id}** ${record.status}${record.outcome ? ` (${record.outcome})` : ""}, run ${record.runs}`,
    );
    const active =
      this.state.active === undefined
        ? "no play holds the account"
        : `**${this.state.active.playbookId}** holds the account`;
    return `Account \`${this.account.id}\`: ${active}\n\n${lines.join("\n")}`;
  }

  /** Decides a permission request: one active play (higher priority wins), then the offer caps. */
  answer(request: PermissionRequest): PermissionAnswer {
    const { requestId, playbookId, priority } = request;
    const active = this.state.active;
    if (active !== undefined && active.playbookId !== playbookId) {
      const wins =
        priority > active.priority || (priority === active.priority && this.input.policy.equalPriority === "latest");
      if (!wins) {
        const reason = `suppressed: ${active.playbookId} active`;
        this.decide("suppressed", `${playbookId} ${reason}`);
        this.waiting.add(request.journeyId);
        return { requestId, granted: false, kind: "conflict", reason };
      }
      this.decide(
        "suppressed",
        `${active.playbookId} pre-empted by ${playbookId} (priority ${priority} over ${active.priority})`,
      );
    }
    if (request.offer) {
      const cap = this.offerCap();
      if (cap !== undefined) {
        this.decide("suppressed", `${playbookId} offer ${cap}`);
        return { requestId, granted: false, kind: "cap", reason: cap };
      }
      this.state.offers.push({ playbookId, at: this.iso(), status: "proposed" });
    }
    if (this.state.active?.playbookId !== playbookId) this.state.active = { playbookId, priority, since: this.iso() };
    return { requestId, granted: true };
  }

  offerCap(): string | undefined {
    const breach = frequencyBreach(this.state.offers, this.input.policy.frequency, Date.now());
    if (breach === undefined) return undefined;
    if (breach.kind === "cap") {
      return `suppressed: account cap of ${breach.maxOffers} offers per ${durationText(breach.perMs)} reached`;
    }
    const declined = this.state.offers.filter((o) => o.status === "declined").at(-1);
    return `suppressed: cooldown after a declined offer (${declined?.playbookId ?? "another play"})`;
  }

  async release(playbookId: string): Promise<void> {
    if (this.state.active?.playbookId !== playbookId) return;
    this.state.active = undefined;
    this.decide("fired", `${playbookId} released the account`);
    const waiting = [...this.waiting];
    this.waiting.clear();
    for (const journeyId of waiting)
      await wf
        .getExternalWorkflowHandle(journeyId)
        .signal("accountFree")
        .catch(() => undefined);
  }

  async process(work: Work): Promise<void> {
    switch (work.kind) {
      case "snapshot":
      case "event":
        return this.fanOut(work);
      case "request": {
        const answer = this.answer(work.request);
        await wf
          .getExternalWorkflowHandle(work.request.journeyId)
          .signal("permission", answer)
          .catch(() => undefined);
        return;
      }
      case "release":
        return this.release(work.playbookId);
      case "tick":
        for (const plan of this.input.plans) await this.detect(plan, undefined);
        return;
      case "ended": {
        await this.release(work.playbookId);
        const record = this.state.journeys[work.playbookId];
        if (record !== undefined) {
          record.status = "ended";
          record.endedAt = this.iso();
          record.outcome = work.outcome;
        }
        return;
      }
    }
  }

  async run(): Promise<void> {
    wf.setHandler(accountStateQuery, () => this.state);
    wf.setHandler(accountSnapshotSignal, (snapshot) => void this.upsert(snapshot));
    wf.setHandler(accountEventSignal, (event) => void this.ingest(event));
    wf.setHandler(upsertUpdate, (snapshot) => ({ changed: this.upsert(snapshot) }));
    wf.setHandler(ingestEventUpdate, (event) => ({ duplicate: !this.ingest(event) }));
    wf.setHandler(requestSignal, (request) => void this.queue.push({ kind: "request", request }));
    wf.setHandler(releaseSignal, ({ playbookId }) => void this.queue.push({ kind: "release", playbookId }));
    wf.setHandler(
      journeyEndedSignal,
      ({ playbookId, outcome }) => void this.queue.push({ kind: "ended", playbookId, outcome }),
    );
    this.watchesDetect = wf.patched("coordinator-watches-detect");
    if (this.input.carried === undefined) this.queue.push({ kind: "snapshot" });
    for (;;) {
      if (this.watchesDetect && this.queue.length === 0) {
        this.armWake();
        wf.setCurrentDetails(this.details());
      }
      await wf.condition(
        () =>
          this.queue.length > 0 ||
          wf.workflowInfo().continueAsNewSuggested ||
          wf.workflowInfo().historyLength > (this.input.maxHistoryEvents ?? 4000),
      );
      const work = this.queue.shift();
      if (work !== undefined) {
        await this.process(work);
        continue;
      }
      await wf.condition(wf.allHandlersFinished);
      if (this.queue.length > 0) continue;
      return wf.continueAsNew<typeof account>({
        ...this.input,
        account: this.account,
        carried: { account: this.account, seenEventIds: this.seen.ids, state: this.state },
      });
    }
  }
}

/** Coordinates one account's journeys across every playbook. */
export async function account(input: AccountInput): Promise<void> {
  return new Coordinator(input).run();
}
