// Fidelity: the journey core run in process (by engine/simulate/account-runner.ts, as `playloop
// test`, preview and simulate run it) and the account workflow on a time-skipping Temporal server
// must make the same decisions, over 200 scenarios. Scenarios are
// generated from a fixed seed: an account with varied fields, every bundled playbook under
// playbooks/policy.yaml, and a timeline of events months apart. Both runs get the same inputs at
// the same times; the actions delivered (ids, order per play, content), every play's decisions
// (`kind: reason`), its final status, stage, iteration and outcome, the account's decisions,
// ledger and search attributes are compared. The first difference is printed with the scenario.
//
// Times: each scenario starts at the server's clock (moved to 10:07 UTC so that dates and day
// boundaries fall the same way on every run), and the in-process clock starts there too. Step i is
// sent on its day, i + 1 hours after the start's time of day: two inputs never fall due at the same
// instant (a wait started by one step ends whole days later, at that step's hour), so the order in
// which Temporal hands a timer and an update to the workflow cannot decide anything. Deliveries
// are reported back to the core at once in process and when their activity finishes in Temporal,
// so `delivered` decisions are compared as a multiset, not by position.
//
// PLAYLOOP_FIDELITY_SEED=<n> PLAYLOOP_FIDELITY_SCENARIOS=<count> runs other scenarios.
import type { WorkflowHandle } from "@temporalio/client";
import type { TestWorkflowEnvironment } from "@temporalio/testing";
import fc from "fast-check";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { ActionEvent } from "../../engine/journey/action-event.js";
import { accountView, type AccountView } from "../../engine/journey/account-view.js";
import type { CoreCommand, CoreInput, SearchAttributeValues } from "../../engine/journey/core-types.js";
import { MAX_ACCOUNT_DECISIONS, MAX_PLAY_DECISIONS } from "../../engine/journey/decision-log.js";
import { isHeldOut } from "../../engine/journey/holdout.js";
import type { AccountSnapshot, Decision, JourneyEvent } from "../../engine/journey/journey-types.js";
import type { PlanRegistry } from "../../engine/runtime/plan-registry.js";
import { AccountRunner } from "../../engine/simulate/account-runner.js";
import { validatePolicy, type AccountPolicy } from "../../engine/validate/validate-policy.js";
import { PLAYBOOK_IDS, readRepoFile } from "../helpers.js";
import {
  DAY,
  account,
  day,
  plan,
  searchAttributes,
  terminateStarted,
  timeSkippingEnv,
  view,
  withAccountWorker,
  type AccountTestContext,
} from "./harness.js";

const HOUR = 3_600_000;
/** The scenarios' seed, fixed; PLAYLOOP_FIDELITY_SEED and _SCENARIOS explore others. */
const SEED = Number(process.env.PLAYLOOP_FIDELITY_SEED ?? 20260705);
const SCENARIOS = Number(process.env.PLAYLOOP_FIDELITY_SCENARIOS ?? 200);
/** Scenarios whose account is held out of at least one playbook, on purpose (every tenth from 3). */
const HELD_OUT_SCENARIOS = new Set(
  Array.from({ length: SCENARIOS }, (_, n) => n).filter((n) => n % 10 === 3 || n === 6),
);
/** Days run past the last step, so the waits it started time out in both runs. */
const END_MARGIN_DAYS = 60;
/** Each scenario starts at this time of day (UTC): 10:07. */
const START_OF_DAY = 10 * HOUR + 7 * 60_000;

const PLANS = PLAYBOOK_IDS.map((id) => plan(id));
const POLICY: AccountPolicy = (() => {
  const { policy, diagnostics } = validatePolicy(readRepoFile("playbooks/policy.yaml"), "playbooks/policy.yaml");
  if (policy === undefined) throw new Error(`playbooks/policy.yaml: ${JSON.stringify(diagnostics)}`);
  return policy;
})();

// ---------------------------------------------------------------------------------------------
// Scenarios

/** One step of a timeline: an event on a day; `lastActiveDaysAgo` dates the usage it reports. */
interface StepSpec {
  readonly day: number;
  readonly type: string;
  readonly data: Record<string, unknown>;
  readonly lastActiveDaysAgo?: number;
}

interface AccountSpec {
  readonly health_score: number;
  readonly renewalInDays: number;
  readonly onboardedDaysAgo: number;
  readonly marketingConsent: boolean;
  readonly openEscalations: number;
}

interface Scenario {
  readonly label: string;
  readonly accountId: string;
  readonly heldOutOf: readonly string[];
  readonly account: AccountSpec;
  readonly steps: readonly StepSpec[];
}

const stepArbitrary: fc.Arbitrary<Omit<StepSpec, "day">> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.constantFrom(0.5, 0.78, 0.82, 0.9, 0.97).map((u) => ({
      type: "usage.updated",
      data: { usage: { seat_utilization: u, active_seats: Math.round(50 * u) } },
    })),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom(10, 40).map((ago) => ({
      type: "usage.updated",
      data: { usage: { seat_utilization: 0, active_seats: 0 } },
      lastActiveDaysAgo: ago,
    })),
  },
  {
    weight: 3,
    arbitrary: fc
      .oneof(
        fc.constantFrom(25, 45, 65, 85).map((h) => ({ health_score: h })),
        fc.constantFrom(0, 1).map((n) => ({ risk: { open_escalations: n } })),
        fc.boolean().map((intent) => ({ risk: { cancellation_intent: intent } })),
      )
      .map((data) => ({ type: "account.updated", data })),
  },
  { weight: 2, arbitrary: fc.constant({ type: "qbr.completed", data: { outcome: "positive" } }) },
  {
    weight: 2,
    arbitrary: fc.constantFrom("won", "lost").map((outcome) => ({ type: "deal.closed", data: { outcome } })),
  },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom("finance", "marketing", "sales")
      .map((department) => ({ type: "stakeholder.added", data: { department } })),
  },
  { weight: 1, arbitrary: fc.constant({ type: "support.ticket_opened", data: { category: "reporting" } }) },
);

const timelineArbitrary: fc.Arbitrary<StepSpec[]> = fc
  .array(stepArbitrary, { minLength: 3, maxLength: 8 })
  .chain((steps) =>
    fc
      .uniqueArray(fc.integer({ min: 0, max: 300 }), { minLength: steps.length, maxLength: steps.length })
      .map((days) => {
        const sorted = [...days].sort((a, b) => a - b);
        return steps.map((step, i) => ({ ...step, day: sorted[i] ?? 0 }));
      }),
  );

const accountArbitrary: fc.Arbitrary<AccountSpec> = fc.record({
  health_score: fc.constantFrom(30, 55, 68, 75, 82, 92),
  renewalInDays: fc.integer({ min: 35, max: 420 }),
  onboardedDaysAgo: fc.constantFrom(20, 75, 120, 400),
  marketingConsent: fc.constantFrom(true, true, true, false),
  openEscalations: fc.constantFrom(0, 0, 0, 1),
});

/** The playbooks an account id is held out of. */
const heldOutOf = (accountId: string): string[] =>
  PLANS.filter((p) => isHeldOut(p.id, accountId, p.holdout)).map((p) => p.id);

/** The first id `fid<n>-<k>` held out of some playbook (or of none, when `wanted` is false). */
function accountIdFor(n: number, wanted: boolean): string {
  for (let k = 0; k < 1000; k++) {
    const id = `fid${n}-${k}`;
    if (heldOutOf(id).length > 0 === wanted) return id;
  }
  throw new Error(`no account id for scenario ${n}`);
}

const SCENARIO_LIST: Scenario[] = fc
  .sample(fc.tuple(accountArbitrary, timelineArbitrary), { seed: SEED, numRuns: SCENARIOS })
  .map(([spec, steps], n) => {
    const accountId = accountIdFor(n, HELD_OUT_SCENARIOS.has(n));
    return { label: `seed ${SEED} #${n}`, accountId, heldOutOf: heldOutOf(accountId), account: spec, steps };
  });

/** The account snapshot of a scenario, with its dates relative to the start. */
function snapshotOf(scenario: Scenario, start: number): AccountSnapshot {
  const spec = scenario.account;
  return account(scenario.accountId, start, {
    health_score: spec.health_score,
    renewal_date: day(start, spec.renewalInDays),
    onboarded_at: day(start, -spec.onboardedDaysAgo),
    consent: { marketing: spec.marketingConsent },
    risk: { open_escalations: spec.openEscalations, cancellation_intent: false },
  });
}

/** When step `index` is sent: its day, at its own hour after the start's time of day. */
const stepTime = (start: number, step: StepSpec, index: number): number => start + step.day * DAY + (index + 1) * HOUR;

const endTime = (scenario: Scenario, start: number): number =>
  start + ((scenario.steps.at(-1)?.day ?? 0) + END_MARGIN_DAYS) * DAY + 12 * HOUR;

/** The event of step `index`, the same for both runs. */
function eventOf(scenario: Scenario, start: number, index: number): JourneyEvent {
  const step = scenario.steps[index] as StepSpec;
  let data = step.data;
  if (step.lastActiveDaysAgo !== undefined) {
    const usage = data.usage as Record<string, unknown>;
    data = {
      ...data,
      usage: { ...usage, last_active_at: day(stepTime(start, step, index), -step.lastActiveDaysAgo) },
    };
  }
  return { id: `${scenario.accountId}-e${index}-${step.type}`, type: step.type, data };
}

// ---------------------------------------------------------------------------------------------
// The in-process run: engine/simulate/account-runner.ts, the shell `playloop test`, `preview` and
// `simulate` run the core in, on the plans and policy the worker serves.

class InProcessRun {
  private readonly runner: AccountRunner;

  constructor(
    private readonly registry: PlanRegistry,
    snapshot: AccountSnapshot,
    start: number,
  ) {
    const { versions, policy } = registry.set;
    const plans = Object.values(versions).flatMap((version) => registry.plan(version) ?? []);
    this.runner = new AccountRunner({ plans, account: snapshot, policy, current: versions, start });
  }

  /** Every command, in order, with the simulated time it was issued at. */
  get log(): readonly { at: number; command: CoreCommand }[] {
    return this.runner.log;
  }

  send(input: CoreInput): void {
    this.runner.send(input);
  }

  /** Moves the clock to `time`, firing the timer the core asked for each time it falls due on the way. */
  advanceTo(time: number): void {
    this.runner.advanceTo(time);
  }

  actions(): ActionEvent[] {
    return this.log.flatMap(({ command }) => (command.kind === "deliver" ? [command.action] : []));
  }

  /** A play's decisions (or the account's, for `undefined`), with the time each was made. */
  decisions(playbookId: string | undefined): Decision[] {
    return this.log.flatMap(({ command }) =>
      command.kind === "decision" && command.playbookId === playbookId ? [command.decision] : [],
    );
  }

  attributes(): SearchAttributeValues | undefined {
    return this.runner.state.attributes;
  }

  view(): AccountView {
    return accountView(this.runner.state, (version) => this.registry.plan(version));
  }
}

// ---------------------------------------------------------------------------------------------
// The Temporal run

let env: TestWorkflowEnvironment;

beforeAll(async () => {
  env = await timeSkippingEnv();
}, 60_000);

afterEach(() => terminateStarted(env));

afterAll(async () => {
  await env?.teardown();
});

/** Lets the server's clock reach `time` (firing every timer due before it). */
async function sleepUntil(time: number): Promise<void> {
  const ms = time - (await env.currentTimeMs());
  if (ms > 0) await env.sleep(ms);
}

const deliveredId = (d: Decision): string | undefined =>
  d.kind === "delivered" ? /delivered as (\S+)$/.exec(d.reason)?.[1] : undefined;

/**
 * Waits (in real time, the server's clock locked) until the account has taken in every delivery
 * report: each action in the log has its `delivered` decision, and nothing changes any more.
 */
async function settle(context: AccountTestContext, handle: WorkflowHandle, accountId: string): Promise<AccountView> {
  let last = "";
  for (let tries = 0; ; tries++) {
    const current = await view(handle);
    const logged = context.log.read().filter((a) => a.subject === accountId);
    const reported = new Set(current.plays.flatMap((p) => p.decisions.flatMap((d) => deliveredId(d) ?? [])));
    const capped = new Set(
      current.plays.filter((p) => p.decisions.length >= MAX_PLAY_DECISIONS).map((p) => p.playbookId),
    );
    const complete = logged.every((a) => reported.has(a.id) || capped.has(playOf(a)));
    const snapshot = JSON.stringify([current, logged.length]);
    if ((complete && snapshot === last) || tries >= 40) return current;
    last = snapshot;
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
}

// ---------------------------------------------------------------------------------------------
// Comparison

/** Decision reasons without the times some of them carry. */
const normalise = (text: string): string => text.replace(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z/g, "<time>");
const line = (d: Decision): string => `${d.kind}: ${normalise(d.reason)}`;
/** An action without its `time`: the workflow's clock reads a few milliseconds after the in-process instant. */
const content = (a: ActionEvent): string => JSON.stringify({ ...a, time: undefined });
const playOf = (a: ActionEvent): string => String((a.data.playbook as { id?: unknown } | undefined)?.id);
const sorted = (values: readonly string[]): string[] => [...values].sort();

interface Difference {
  readonly what: string;
  readonly expected: unknown;
  readonly actual: unknown;
  /** When the in-process run made the first differing entry (epoch ms), to place it in the timeline. */
  readonly at?: number;
  readonly context?: readonly string[];
}

/** What one multiset holds that the other does not, both ways. */
function multisetDifference(
  expected: readonly string[],
  actual: readonly string[],
): { onlyInProcess: string[]; onlyInTemporal: string[] } {
  const rest = [...actual];
  const onlyInProcess: string[] = [];
  for (const value of expected) {
    const i = rest.indexOf(value);
    if (i < 0) onlyInProcess.push(value);
    else rest.splice(i, 1);
  }
  return { onlyInProcess, onlyInTemporal: rest };
}

/** The first index where two lists differ, or -1. */
function firstMismatch(expected: readonly string[], actual: readonly string[]): number {
  const n = Math.max(expected.length, actual.length);
  for (let i = 0; i < n; i++) if (expected[i] !== actual[i]) return i;
  return -1;
}

/**
 * Compares decision sequences (without `delivered`, whose position depends on when an activity
 * finishes). The Temporal view keeps only the newest `cap` decisions: when it is full, its
 * sequence must be the tail of the in-process one.
 */
function compareDecisions(
  what: string,
  full: readonly Decision[],
  temporal: readonly Decision[],
  cap: number,
): Difference[] {
  const differences: Difference[] = [];
  const expectedAll = full.filter((d) => d.kind !== "delivered");
  const actual = temporal.filter((d) => d.kind !== "delivered").map(line);
  const expected = (temporal.length >= cap ? expectedAll.slice(-actual.length) : expectedAll).map(line);
  const offset = expectedAll.length - expected.length;
  const i = firstMismatch(expected, actual);
  if (i >= 0)
    differences.push({
      what: `${what}: decision ${offset + i + 1} (without \`delivered\`)`,
      expected: expected[i] ?? "(none)",
      actual: actual[i] ?? "(none)",
      context: expected.slice(Math.max(0, i - 3), i).map((s) => `  ${s}`),
    });
  const delivered = multisetDifference(
    full.filter((d) => d.kind === "delivered").map(line),
    temporal.filter((d) => d.kind === "delivered").map(line),
  );
  // A full view may have dropped old `delivered` decisions: then only extra ones count.
  if (delivered.onlyInTemporal.length > 0 || (temporal.length < cap && delivered.onlyInProcess.length > 0))
    differences.push({
      what: `${what}: \`delivered\` decisions (as a set)`,
      expected: { onlyInProcess: delivered.onlyInProcess },
      actual: { onlyInTemporal: delivered.onlyInTemporal },
    });
  return differences;
}

function compare(
  local: InProcessRun,
  temporal: { view: AccountView; actions: ActionEvent[]; attributes: Record<string, unknown> },
): Difference[] {
  const differences: Difference[] = [];
  const expectedView = local.view();
  const expectedActions = local.actions();
  const actualActions = temporal.actions;

  // Actions: the same ids, in the same order per play, with the same content.
  const ids = multisetDifference(
    expectedActions.map((a) => a.id),
    actualActions.map((a) => a.id),
  );
  if (ids.onlyInProcess.length > 0 || ids.onlyInTemporal.length > 0)
    differences.push({
      what: "delivered action ids (as a set)",
      expected: { onlyInProcess: ids.onlyInProcess },
      actual: { onlyInTemporal: ids.onlyInTemporal },
    });
  for (const id of PLAYBOOK_IDS) {
    const e = expectedActions.filter((a) => playOf(a) === id).map((a) => a.id);
    const a = actualActions.filter((x) => playOf(x) === id).map((x) => x.id);
    const i = firstMismatch(e, a);
    if (i >= 0)
      differences.push({
        what: `${id}: delivered action ${i + 1} (in order)`,
        expected: e[i] ?? "(none)",
        actual: a[i] ?? "(none)",
        at: local.log.find(({ command }) => command.kind === "deliver" && command.action.id === e[i])?.at,
      });
  }
  for (const action of expectedActions) {
    const other = actualActions.find((a) => a.id === action.id);
    if (other !== undefined && content(other) !== content(action))
      differences.push({ what: `action ${action.id}: content`, expected: content(action), actual: content(other) });
  }

  // Each play: its decisions, then where it ended up.
  const playIds = sorted([...new Set([...expectedView.plays, ...temporal.view.plays].map((p) => p.playbookId))]);
  for (const id of playIds) {
    const e = expectedView.plays.find((p) => p.playbookId === id);
    const a = temporal.view.plays.find((p) => p.playbookId === id);
    if (e === undefined || a === undefined) {
      differences.push({ what: `${id}: play exists`, expected: e !== undefined, actual: a !== undefined });
      continue;
    }
    const fullDecisions = local.decisions(id);
    const found = compareDecisions(id, fullDecisions, a.decisions, MAX_PLAY_DECISIONS);
    differences.push(...found.map((d) => withTime(d, fullDecisions)));
    const final = (p: typeof e) => ({
      status: p.status,
      stage: p.stage,
      step: p.step,
      run: p.run,
      iteration: p.iteration,
      outcome: p.outcome,
      holdout: p.holdout,
      engaged: p.engaged,
      version: p.version,
      waitingFor: p.waitingFor,
      offers: p.offers.map((o) => `${o.step}: ${o.status}`),
    });
    if (JSON.stringify(final(e)) !== JSON.stringify(final(a)))
      differences.push({ what: `${id}: final state`, expected: final(e), actual: final(a) });
  }

  // The account: its decisions, holder, ledger and search attributes.
  const accountDecisions = local.decisions(undefined);
  differences.push(
    ...compareDecisions("account", accountDecisions, temporal.view.decisions, MAX_ACCOUNT_DECISIONS).map((d) =>
      withTime(d, accountDecisions),
    ),
  );
  const accountFinal = (v: AccountView) => ({
    active: v.active?.playbookId,
    offers: v.offers.map((o) => `${o.playbookId}: ${o.status}`),
    planSet: v.planSet,
  });
  if (JSON.stringify(accountFinal(expectedView)) !== JSON.stringify(accountFinal(temporal.view)))
    differences.push({
      what: "account: holder, ledger and plan set",
      expected: accountFinal(expectedView),
      actual: accountFinal(temporal.view),
    });
  const attributes = local.attributes();
  const expectedAttributes = {
    Plays: sorted(attributes?.Plays ?? []),
    Stages: sorted(attributes?.Stages ?? []),
    Holdouts: sorted(attributes?.Holdouts ?? []),
    LastSuppression: attributes?.LastSuppression,
  };
  const list = (value: unknown): string[] => (Array.isArray(value) ? sorted(value.map(String)) : []);
  const actualAttributes = {
    Plays: list(temporal.attributes.Plays),
    Stages: list(temporal.attributes.Stages),
    Holdouts: list(temporal.attributes.Holdouts),
    LastSuppression: temporal.attributes.LastSuppression,
  };
  if (JSON.stringify(expectedAttributes) !== JSON.stringify(actualAttributes))
    differences.push({ what: "search attributes", expected: expectedAttributes, actual: actualAttributes });
  return differences;
}

/** Puts the in-process time of the differing decision on a difference (found by its number). */
function withTime(difference: Difference, full: readonly Decision[]): Difference {
  const n = /decision (\d+) /.exec(difference.what)?.[1];
  if (n === undefined) return difference;
  const nonDelivered = full.filter((d) => d.kind !== "delivered");
  const decision = nonDelivered[Number(n) - 1] ?? nonDelivered.at(-1);
  return decision === undefined ? difference : { ...difference, at: Date.parse(decision.at) };
}

/** Where a time falls in the scenario: on a step, or at a timer between steps. */
function placeInTimeline(scenario: Scenario, start: number, at: number): string {
  const days = ((at - start) / DAY).toFixed(2);
  let after = -1;
  for (let i = 0; i < scenario.steps.length; i++) {
    const time = stepTime(start, scenario.steps[i] as StepSpec, i);
    if (time === at) return `on step ${i} (day ${scenario.steps[i]?.day}), at ${new Date(at).toISOString()}`;
    if (time < at) after = i;
  }
  const where = after < 0 ? "before step 0 (the start snapshot or a timer)" : `at a timer after step ${after}`;
  return `${where}: day ${days} after the start, ${new Date(at).toISOString()}`;
}

function report(scenario: Scenario, start: number, differences: readonly Difference[]): string {
  const first = differences[0];
  if (first === undefined) return "";
  const spec = scenario.account;
  const timeline = scenario.steps.map((step, i) => {
    const event = eventOf(scenario, start, i);
    return `  step ${i}: day ${step.day} +${i + 1}h ${event.type} ${JSON.stringify(event.data)}`;
  });
  const show = (value: unknown): string => (typeof value === "string" ? value : JSON.stringify(value, null, 1));
  return [
    `The core in process and the account workflow disagree: scenario ${scenario.label}, account ${scenario.accountId}` +
      (scenario.heldOutOf.length > 0 ? ` (held out of ${scenario.heldOutOf.join(", ")})` : ""),
    `  start ${new Date(start).toISOString()}; health_score ${spec.health_score}, renewal in ${spec.renewalInDays}d,` +
      ` onboarded ${spec.onboardedDaysAgo}d ago, marketing consent ${spec.marketingConsent},` +
      ` open escalations ${spec.openEscalations}`,
    ...timeline,
    `First difference: ${first.what}` +
      (first.at === undefined ? "" : `\n  when: ${placeInTimeline(scenario, start, first.at)}`),
    ...(first.context === undefined || first.context.length === 0 ? [] : ["  after:", ...first.context]),
    `  in process: ${show(first.expected)}`,
    `  Temporal:   ${show(first.actual)}`,
    ...(differences.length > 1
      ? [
          `${differences.length - 1} more: ${differences
            .slice(1)
            .map((d) => d.what)
            .join("; ")}`,
        ]
      : []),
  ].join("\n");
}

// ---------------------------------------------------------------------------------------------
// The test

const coverage: string[] = [];

afterAll(() => {
  if (coverage.length > 0) console.log(`fidelity scenarios (seed ${SEED}):\n${coverage.join("\n")}`);
});

describe("the journey core in process and the account workflow on Temporal", () => {
  it("generates varied scenarios", () => {
    expect(SCENARIO_LIST).toHaveLength(SCENARIOS);
    expect(SCENARIO_LIST.filter((s) => s.heldOutOf.length > 0).map((s) => s.label)).toHaveLength(
      HELD_OUT_SCENARIOS.size,
    );
    const types = new Set(SCENARIO_LIST.flatMap((s) => s.steps.map((step) => step.type)));
    expect(types.size).toBeGreaterThanOrEqual(5);
  });

  it.each(SCENARIO_LIST.map((s) => [s.label, s] as const))(
    "make the same decisions for %s",
    async (_label, scenario) => {
      await withAccountWorker(
        env,
        PLANS,
        async (context) => {
          // Start at the next 10:07 UTC, so that every run places days and dates alike.
          await sleepUntil(Math.ceil((context.now - START_OF_DAY) / DAY) * DAY + START_OF_DAY);
          const start = await env.currentTimeMs();
          const snapshot = snapshotOf(scenario, start);
          const end = endTime(scenario, start);

          const local = new InProcessRun(context.registry, snapshot, start);
          scenario.steps.forEach((step, i) => {
            local.advanceTo(stepTime(start, step, i));
            local.send({ kind: "event", event: eventOf(scenario, start, i) });
          });
          local.advanceTo(end);

          const handle = await context.start(snapshot);
          for (const [i, step] of scenario.steps.entries()) {
            await sleepUntil(stepTime(start, step, i));
            const sent = await context.accounts.sendEvent(scenario.accountId, eventOf(scenario, start, i));
            expect(sent).toEqual({ duplicate: false });
          }
          await sleepUntil(end);
          const finalView = await settle(context, handle, scenario.accountId);
          const seen = new Set<string>();
          const actions = context.log
            .read()
            .filter((a) => a.subject === scenario.accountId && !seen.has(a.id) && seen.add(a.id));
          const attributes = await searchAttributes(handle);

          const differences = compare(local, { view: finalView, actions, attributes });
          const decisions = local.log.filter(({ command }) => command.kind === "decision").length;
          const ended = finalView.plays.filter((p) => p.status === "ended").map((p) => p.playbookId);
          coverage.push(
            `  ${scenario.label} ${scenario.accountId}: ${scenario.steps.length} steps to day ${scenario.steps.at(-1)?.day},` +
              ` ${actions.length} actions, ${decisions} decisions, ended: ${ended.join(", ") || "none"}` +
              (differences.length > 0 ? `, ${differences.length} difference(s)` : ""),
          );
          if (differences.length > 0) expect.fail(report(scenario, start, differences));
        },
        POLICY,
      );
    },
    45_000,
  );
});
