// `playloop test --temporal`: a playbook test on the real account workflow, on Temporal's
// time-skipping test server, as CI's check that the in-process core and the workflow agree. Each
// test gets its own server, so its clock and its accounts are its own. The server's clock cannot
// go back to the test's start (default 5 January 2026), so the test runs a whole number of 52-week
// years later, with every date of the account and its events moved by as much: weekdays, times of
// day and (nearly) the season stay as written.
import { TestWorkflowEnvironment } from "@temporalio/testing";
import {
  DefaultLogger,
  makeTelemetryFilterString,
  Runtime,
  type WorkflowBundleWithSourceMap,
} from "@temporalio/worker";
import type { CompiledPlan } from "../compile/plan.js";
import type { ActionEvent } from "../journey/action-event.js";
import { deepMerge } from "../journey/deep-merge.js";
import type { AccountSnapshot } from "../journey/journey-types.js";
import { accountWorkflowId } from "../messages/account-messages.js";
import { AccountClient } from "../runtime/account-client.js";
import { PlanRegistry } from "../runtime/plan-registry.js";
import { registerSearchAttributes } from "../runtime/register-search-attributes.js";
import { findTestServer } from "../runtime/temporal-binaries.js";
import { createJourneyWorker } from "../runtime/worker.js";
import { bundleJourneyWorkflows } from "../runtime/workflow-bundle.js";
import type { AccountPolicy } from "../validate/validate-policy.js";
import type { ActionHappened, DecisionHappened, FinalPlay, ScenarioRun, StageHappened } from "./run-scenario.js";
import type { Scenario } from "./scenario.js";

const DAY = 86_400_000;
const YEAR_OF_WEEKS = 364 * DAY;
/** Events whose data the core merges into the account, as a snapshot would be. */
const MERGED_EVENTS = new Set(["account.updated", "usage.updated"]);

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

/** `value` with every date and date-time in it moved by `shift` milliseconds (a whole number of days). */
export function shiftDates<T>(value: T, shift: number): T {
  if (typeof value === "string") {
    if (DATE.test(value)) return new Date(Date.parse(value) + shift).toISOString().slice(0, 10) as T;
    if (DATE_TIME.test(value)) return new Date(Date.parse(value) + shift).toISOString() as T;
    return value;
  }
  if (Array.isArray(value)) return value.map((item: unknown) => shiftDates(item, shift)) as T;
  if (typeof value === "object" && value !== null)
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, shiftDates(v, shift)])) as T;
  return value;
}

let queues = 0;

/**
 * The days whose end the run reads the account's stages and holder on: each day a stage or holder
 * expectation names (the state at the end of that day is what it checks), the first day, each day
 * of the timeline, and the last day (for expectations without a day). Reading every day of a year
 * would cost seconds more per test and change no verdict; a failure's account of when a play
 * entered its stage ("since day N") is then the first of these days it was seen there.
 */
function sampleDays(scenario: Scenario): ReadonlySet<number> {
  const days = new Set<number>([0, scenario.days - 1, ...scenario.timeline.map((entry) => entry.day)]);
  for (const expectation of scenario.expectations)
    if ((expectation.kind === "stage" || expectation.kind === "holder") && expectation.day !== undefined)
      days.add(expectation.day);
  return days;
}

/** Thrown when the time-skipping test server is not installed. */
export class NoTestServerError extends Error {
  override readonly name = "NoTestServerError";
}

/** Runs playbook tests on the account workflow; one bundle of the workflow code for every test. */
export class TemporalScenarioRunner {
  private constructor(private readonly bundle: WorkflowBundleWithSourceMap) {}

  static async create(): Promise<TemporalScenarioRunner> {
    if (findTestServer() === undefined)
      throw new NoTestServerError("no Temporal test server: run `npm install` (tools/install-temporal.mjs)");
    // The report is the output: the SDK's own lines only when something goes wrong. A process
    // that installed its runtime already (a benchmark, a test) keeps its own.
    try {
      Runtime.install({
        logger: new DefaultLogger("ERROR"),
        telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: "ERROR" }), forward: {} } },
      });
    } catch (error) {
      if (!(error instanceof Error && error.name === "IllegalStateError")) throw error;
    }
    return new TemporalScenarioRunner(await bundleJourneyWorkflows());
  }

  /**
   * Runs one test on its own time-skipping server (or on `env`, which it leaves running) and
   * reports what happened as the in-process run does.
   */
  async run(
    scenario: Scenario,
    plans: readonly CompiledPlan[],
    policy: AccountPolicy,
    shared?: TestWorkflowEnvironment,
  ): Promise<ScenarioRun> {
    if (shared !== undefined) return this.runOn(shared, scenario, plans, policy);
    const path = findTestServer() ?? "";
    const env = await TestWorkflowEnvironment.createTimeSkipping({
      server: { executable: { type: "existing-path", path } },
    });
    try {
      await registerSearchAttributes(env.connection, "default");
      return await this.runOn(env, scenario, plans, policy);
    } finally {
      await env.teardown();
    }
  }

  private async runOn(
    env: TestWorkflowEnvironment,
    scenario: Scenario,
    plans: readonly CompiledPlan[],
    policy: AccountPolicy,
  ): Promise<ScenarioRun> {
    const deployed = scenario.playbooks === undefined ? plans : plans.filter((p) => scenario.playbooks?.includes(p.id));
    const delivered = new Map<string, ActionEvent>();
    const taskQueue = `playloop-test-${++queues}`;
    const worker = await createJourneyWorker({
      connection: env.nativeConnection,
      taskQueue,
      sinks: [{ name: "test", deliver: (event) => Promise.resolve(void delivered.set(event.id, event)) }],
      plans: new PlanRegistry(deployed, policy, 1),
      workflowBundle: this.bundle,
    });
    const stages: StageHappened[] = [];
    const holders: { day: number; holder?: string }[] = [];
    let final: Record<string, FinalPlay> = {};
    let start = 0;
    let decisions: (DecisionHappened & { at: number })[] = [];
    await worker.runUntil(async () => {
      const now = await env.currentTimeMs();
      start = scenario.start + Math.max(0, Math.ceil((now - scenario.start) / YEAR_OF_WEEKS)) * YEAR_OF_WEEKS;
      const shift = start - scenario.start;
      const sleepUntil = async (time: number) => {
        const ms = time - (await env.currentTimeMs());
        if (ms > 0) await env.sleep(ms);
      };
      await sleepUntil(start);
      const accounts = new AccountClient(env.client, taskQueue);
      let current = shiftDates(scenario.account, shift) as AccountSnapshot;
      await accounts.upsertAccount(current);
      const last = new Map<string, string>();
      const sampled = sampleDays(scenario);
      for (let day = 0; day < scenario.days; day++) {
        for (const entry of scenario.timeline.filter((e) => e.day === day)) {
          await sleepUntil(start + day * DAY);
          if (entry.kind === "snapshot") {
            current = deepMerge(current, shiftDates(entry.changes, shift)) as AccountSnapshot;
            await accounts.upsertAccount(current);
            continue;
          }
          const data = entry.data === undefined ? undefined : shiftDates(entry.data, shift);
          if (data !== undefined && MERGED_EVENTS.has(entry.type))
            current = deepMerge(current, data) as AccountSnapshot;
          await accounts.sendEvent(current.id, {
            id: entry.id,
            type: entry.type,
            ...(data === undefined ? {} : { data }),
          });
        }
        // Where every play stands at the end of the day, and who holds the account: on the days a
        // stage or holder expectation names, the days something was sent, and the last one.
        if (!sampled.has(day)) continue;
        await sleepUntil(start + (day + 1) * DAY - 1);
        const view = await accounts.status(current.id);
        for (const play of view.plays) {
          const stage = play.status === "ended" ? "ended" : play.stage;
          const key = `${stage}:${play.outcome ?? ""}:${play.run}`;
          if (last.get(play.playbookId) === key) continue;
          last.set(play.playbookId, key);
          stages.push({
            day,
            seq: 0,
            playbook: play.playbookId,
            stage,
            ...(play.outcome === undefined ? {} : { outcome: play.outcome }),
          });
        }
        const holder = view.active?.playbookId;
        if (holders.at(-1)?.holder !== holder || holders.length === 0)
          holders.push({ day, ...(holder === undefined ? {} : { holder }) });
      }
      await sleepUntil(start + scenario.days * DAY - 1);
      const view = await accounts.status(current.id);
      final = Object.fromEntries(
        view.plays.map((p) => [
          p.playbookId,
          {
            status: p.status,
            stage: p.stage,
            ...(p.outcome === undefined ? {} : { outcome: p.outcome }),
            ...(p.experiments === undefined ? {} : { experiments: p.experiments }),
          },
        ]),
      );
      const dayOf = (at: string): number => Math.floor((Date.parse(at) - start) / DAY);
      decisions = [
        ...view.plays.flatMap((p) => p.decisions.map((d) => ({ ...d, playbook: p.playbookId }))),
        ...view.decisions.map((d) => ({ ...d, playbook: undefined })),
      ].map((d) => ({
        day: dayOf(d.at),
        at: Date.parse(d.at),
        seq: 0,
        ...(d.playbook === undefined ? {} : { playbook: d.playbook }),
        stage: d.stage,
        ...(d.step === undefined ? {} : { step: d.step }),
        kind: d.kind,
        reason: d.reason,
      }));
      await env.client.workflow.getHandle(accountWorkflowId(current.id)).terminate("the test is over");
    });
    const actions: (ActionHappened & { at: number })[] = [...delivered.values()].map((event) => {
      const data = event.data;
      const playbook = (data.playbook as { id?: unknown } | undefined)?.id;
      return {
        day: Math.floor((Date.parse(event.time) - start) / DAY),
        at: Date.parse(event.time),
        seq: 0,
        playbook: String(playbook),
        stage: String(data.stage),
        step: String(data.step),
        action: String(data.action),
        id: event.id,
        ...(typeof data.template === "string" ? { template: data.template } : {}),
      };
    });
    // One order for what happened: by time, decisions before the actions they led to on a tie.
    const ordered = [...decisions.map((d) => ({ d })), ...actions.map((a) => ({ a }))].sort(
      (x, y) => ("d" in x ? x.d.at : x.a.at) - ("d" in y ? y.d.at : y.a.at) || ("d" in x ? -1 : 1),
    );
    const seqOf = new Map<object, number>(ordered.map((entry, seq) => ["d" in entry ? entry.d : entry.a, seq]));
    const strip = <T extends { at: number; seq: number }>(item: T): Omit<T, "at"> => {
      const rest: Omit<T, "at"> & { at?: number } = { ...item, seq: seqOf.get(item) ?? 0 };
      delete rest.at;
      return rest;
    };
    return {
      actions: actions.map(strip),
      decisions: decisions.map(strip),
      stages: stages.map((s, i) => ({ ...s, seq: ordered.length + i })),
      holders,
      final: { plays: final },
    };
  }
}
