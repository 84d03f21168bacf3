// Branches, waits for any of several events and experiments in the real account workflow, on the
// time-skipping test server: every path of test/fixtures/compile/branches.yaml, one account each,
// and an experiment's variant in the CloudEvents and the search attributes.
import { describe, expect, it } from "vitest";
import { compilePlaybook } from "../../engine/index.js";
import type { PlayView } from "../../engine/journey/account-view.js";
import { readRepoFile } from "../helpers.js";
import {
  account,
  DAY,
  play,
  recordHistory,
  searchAttributes,
  useTimeSkippingEnv,
  withAccountWorker,
} from "./harness.js";

const testEnv = useTimeSkippingEnv();

const FILE = "test/fixtures/compile/branches.yaml";
const branches = compilePlaybook(readRepoFile(FILE), FILE).plan;
const ID = "branches";
const reasons = (p: PlayView) => p.decisions.map((d) => `${d.kind}: ${d.reason}`);

describe("branches on a real Temporal server", () => {
  it("takes every path of the branch and of the QBR wait, each account its own", async () => {
    if (branches === undefined) throw new Error(`${FILE} does not compile`);
    const env = testEnv();
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

describe("experiments on a real Temporal server", () => {
  it("carries the variant in the actions' CloudEvents and the Plays search attribute", async () => {
    const file = "test/fixtures/compile/experiments.yaml";
    const experiments = compilePlaybook(readRepoFile(file), file).plan;
    if (experiments === undefined) throw new Error(`${file} does not compile`);
    const env = testEnv();
    await withAccountWorker(env, [experiments], async (context) => {
      const { log, now, accounts } = context;
      const handle = await context.start(account("exp-1", now));
      await accounts.sendEvent("exp-1", {
        id: "u1",
        type: "usage.updated",
        data: { usage: { seat_utilization: 0.9 } },
      });
      await env.sleep(DAY);
      const p = await play(handle, "experiments");
      const variant = p.experiments?.capacity_prompt;
      expect(["control", "roi_first"]).toContain(variant);
      expect(reasons(p)).toContainEqual(`experiment: experiment capacity_prompt: variant ${variant} (50%)`);
      const prompt = log.read().find((event) => event.data.action === "inapp.prompt");
      expect(prompt?.data).toMatchObject({
        template: variant === "control" ? "seat-capacity-nudge" : "seat-capacity-roi",
        experiments: { capacity_prompt: variant },
      });
      expect((await searchAttributes(handle)).Plays).toContain(`experiments#capacity_prompt=${variant}`);
    });
  });
});
