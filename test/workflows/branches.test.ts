// Branches and waits for any of several events in the real account workflow, on the time-skipping
// test server: every path of test/fixtures/compile/branches.yaml, one account each.
import type { TestWorkflowEnvironment } from "@temporalio/testing";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { compilePlaybook } from "../../engine/index.js";
import type { PlayView } from "../../engine/journey/account-view.js";
import { readRepoFile } from "../helpers.js";
import { account, DAY, play, recordHistory, terminateStarted, timeSkippingEnv, withAccountWorker } from "./harness.js";

let env: TestWorkflowEnvironment;

beforeAll(async () => {
  env = await timeSkippingEnv();
}, 60_000);

afterEach(() => terminateStarted(env));

afterAll(async () => {
  await env?.teardown();
});

const FILE = "test/fixtures/compile/branches.yaml";
const branches = compilePlaybook(readRepoFile(FILE), FILE).plan;
const ID = "branches";
const reasons = (p: PlayView) => p.decisions.map((d) => `${d.kind}: ${d.reason}`);

describe("branches on a real Temporal server", () => {
  it("takes every path of the branch and of the QBR wait, each account its own", async () => {
    if (branches === undefined) throw new Error(`${FILE} does not compile`);
    await withAccountWorker(env, [branches], async (context) => {
      const { log, now, accounts } = context;
      const accountsByPath = {
        unhealthy: { health_score: 40 },
        enterprise: { plan: { tier: "enterprise", seats: 50 } },
        positive: {},
        negative: {},
        churn: {},
        silent: {},
      } satisfies Record<string, Record<string, unknown>>;
      const handles = Object.fromEntries(
        await Promise.all(
          Object.entries(accountsByPath).map(
            async ([id, changes]) => [id, await context.start(account(id, now, changes))] as const,
          ),
        ),
      );
      for (const id of Object.keys(accountsByPath))
        await accounts.sendEvent(id, {
          id: `u-${id}`,
          type: "usage.updated",
          data: { usage: { seat_utilization: 0.9 } },
        });
      await env.sleep(DAY);
      await accounts.sendEvent("positive", { id: "q1", type: "qbr.completed", data: { outcome: "positive" } });
      await accounts.sendEvent("negative", { id: "q2", type: "qbr.completed", data: { outcome: "negative" } });
      await accounts.sendEvent("churn", { id: "q3", type: "qbr.completed", data: { outcome: "neutral" } });
      await accounts.sendEvent("churn", { id: "c1", type: "account.churn_risk" });
      await env.sleep(DAY);

      const sent = (id: string) =>
        log
          .read()
          .filter((event) => event.subject === id)
          .map((event) => event.data.action);
      expect(sent("unhealthy")).toEqual(["crm.task"]);
      expect(await play(handles.unhealthy!, ID)).toMatchObject({ status: "ended", outcome: "save_attempted" });
      expect(reasons(await play(handles.unhealthy!, ID))).toContain(
        "branched: path 1 (health_score < 50) -> save_call",
      );
      expect(sent("enterprise")).toEqual(["offer.propose"]);
      expect(await play(handles.enterprise!, ID)).toMatchObject({ stage: "commit", waitingFor: "deal.closed" });
      expect(sent("positive")).toEqual(["offer.propose"]);
      expect(reasons(await play(handles.positive!, ID))).toContain(
        'fired: qbr.completed received (event.data.outcome == "positive"): path 1 -> commit',
      );
      expect(sent("negative")).toEqual(["crm.task"]);
      expect(await play(handles.negative!, ID)).toMatchObject({ status: "ended", outcome: "save_attempted" });
      expect(sent("churn")).toEqual([]);
      expect(await play(handles.churn!, ID)).toMatchObject({ status: "ended", outcome: "at_risk" });
      expect(await play(handles.silent!, ID)).toMatchObject({ stage: "prove", step: "qbr" });

      await env.sleep(30 * DAY); // no QBR for the silent account: its wait times out to no_qbr
      expect(await play(handles.silent!, ID)).toMatchObject({ status: "ended", outcome: "no_qbr" });
      expect(sent("silent")).toEqual([]);
      await recordHistory(handles.negative!, "branch-qbr-negative");
      await recordHistory(handles.silent!, "branch-qbr-timeout");
    });
  });
});
