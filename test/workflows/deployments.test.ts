// The deployments workflow on the time-skipping test server: deploys, pauses and rollbacks
// recorded with their plans, read from its memo and query, refusals as errors with a reason, each
// new set announced once, and the record carried across continue-as-new.
import { join } from "node:path";
import type { TestWorkflowEnvironment } from "@temporalio/testing";
import type { Worker } from "@temporalio/worker";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PlanSetRef } from "../../engine/messages/account-messages.js";
import {
  DEPLOYMENTS_WORKFLOW,
  deploymentsTaskQueue,
  deploymentsWorkflowId,
} from "../../engine/messages/deployment-messages.js";
import { DeploymentRefused, DeploymentsClient } from "../../engine/runtime/deployments-client.js";
import { loadPlaybooks } from "../../engine/runtime/load-plans.js";
import { PlanRegistry } from "../../engine/runtime/plan-registry.js";
import { createJourneyWorker, createRecordWorker } from "../../engine/runtime/worker.js";
import { eventually, ROOT } from "../helpers.js";
import { recordHistory, timeSkippingEnv, workflowBundle } from "./harness.js";

let env: TestWorkflowEnvironment;
const folder = loadPlaybooks(join(ROOT, "playbooks"));
const request = { plans: folder.plans, sources: folder.sources, policy: folder.policy, actor: "ana" };
const edited = {
  ...request,
  plans: folder.plans.map((p) => (p.id === "seat-upsell" ? { ...p, version: `${p.version}-b` } : p)),
};

/** The record's worker for the accounts' queue `queue`; its announcements land in `announced`. */
async function deploymentsWorker(queue: string, announced: PlanSetRef[]): Promise<Worker> {
  return createRecordWorker({
    connection: env.nativeConnection,
    taskQueue: queue,
    plans: new PlanRegistry(),
    workflowBundle: workflowBundle(),
    announce: (set) => {
      announced.push(set);
      return Promise.resolve(`announced ${set.id}`);
    },
  });
}

beforeAll(async () => {
  env = await timeSkippingEnv();
}, 120_000);

afterAll(async () => {
  await env?.teardown();
});

describe("the deployments workflow", () => {
  it("records deploys, pauses and rollbacks, answers from its memo and query, refuses with reasons, and announces each new set", async () => {
    const queue = "deployments-record-test";
    const announced: PlanSetRef[] = [];
    const worker = await deploymentsWorker(queue, announced);
    const deployments = new DeploymentsClient(env.client, queue);
    await worker.runUntil(async () => {
      expect(await deployments.current()).toBeUndefined();
      const d1 = await deployments.deploy({ ...request, commit: "abc123" });
      expect(d1).toMatchObject({ changed: true, deployment: { id: "d1", actor: "ana", commit: "abc123" } });
      expect(await deployments.deploy(request)).toMatchObject({ changed: false, deployment: { id: "d1" } });
      const d2 = await deployments.control({ playbook: "seat-upsell", action: "pause", actor: "ops" });
      expect(d2.deployment.set.controls).toEqual({ "seat-upsell": "paused" });
      const d3 = await deployments.deploy({ ...edited, actor: "bo" });
      expect(d3.deployment).toMatchObject({ id: "d3", summary: "seat-upsell changed" });
      expect(d3.deployment.set.controls).toEqual({ "seat-upsell": "paused" });
      const d4 = await deployments.rollback({ to: "d1", actor: "cy" });
      expect(d4.deployment).toMatchObject({ id: "d4", kind: "rollback", restores: "d1" });
      expect(d4.deployment.set.versions).toEqual(d1.deployment.set.versions);

      await expect(deployments.rollback({ to: "d9", actor: "cy" })).rejects.toThrow(
        new DeploymentRefused("no deployment d9; the record holds d1, d2, d3, d4", "unknown"),
      );
      await expect(deployments.control({ playbook: "nope", action: "stop", actor: "ops" })).rejects.toThrow(
        /playbook "nope" is not deployed/,
      );
      await expect(deployments.control({ playbook: "nope", action: "stop", actor: "ops" })).rejects.toMatchObject({
        reason: "unknown",
      });
      expect(await deployments.current()).toEqual(d4.deployment);
      const view = await deployments.list();
      expect(view.deployments.map((d) => [d.id, d.kind, d.actor])).toEqual([
        ["d1", "deploy", "ana"],
        ["d2", "pause", "ops"],
        ["d3", "deploy", "bo"],
        ["d4", "rollback", "cy"],
      ]);
      const { plans } = await deployments.bodies(Object.values(d3.deployment.set.versions));
      expect(plans.map((p) => p.id).sort()).toEqual(folder.plans.map((p) => p.id).sort());
      await deployments.report({ identity: "w1@host", setId: d4.deployment.set.id, at: 1 });
      await eventually(async () => ((await deployments.list()).workers.length === 1 ? true : undefined), "the report");
      // Each new set was announced, the last one last.
      await eventually(() => (announced.at(-1)?.id === d4.deployment.set.id ? true : undefined), "the announcements");
      await recordHistory(env.client.workflow.getHandle(deploymentsWorkflowId(queue)), "deployments-record");
      await env.client.workflow.getHandle(deploymentsWorkflowId(queue)).terminate("test done");
    });
  });

  it("carries the whole record across continue-as-new", async () => {
    const queue = "deployments-can-test";
    const worker = await deploymentsWorker(queue, []);
    const deployments = new DeploymentsClient(env.client, queue);
    await worker.runUntil(async () => {
      const handle = await env.client.workflow.start(DEPLOYMENTS_WORKFLOW, {
        workflowId: deploymentsWorkflowId(queue),
        taskQueue: deploymentsTaskQueue(queue),
        args: [{ maxHistoryEvents: 30 }],
      });
      const firstRun = handle.firstExecutionRunId;
      await deployments.deploy(request);
      for (const action of ["pause", "resume", "stop", "resume", "pause", "resume"] as const)
        await deployments.control({ playbook: "seat-upsell", action, actor: "ops" });
      await eventually(
        async () => ((await handle.describe()).runId !== firstRun ? true : undefined),
        "a continue-as-new",
      );
      const view = await deployments.list();
      expect(view.deployments.map((d) => d.id)).toEqual(["d1", "d2", "d3", "d4", "d5", "d6", "d7"]);
      expect((await deployments.current())?.id).toBe("d7");
      expect(await deployments.rollback({ to: "d1", actor: "cy" })).toMatchObject({ changed: false });
      await env.client.workflow.getHandle(deploymentsWorkflowId(queue)).terminate("test done");
    });
  });

  it("moves a record started on the accounts' task queue (before the record had its own) to its own", async () => {
    const queue = "deployments-move-test";
    // The accounts' worker runs the old record until it moves; the record's worker takes it after.
    const accounts = await createJourneyWorker({
      connection: env.nativeConnection,
      taskQueue: queue,
      sinks: [],
      plans: new PlanRegistry(),
      workflowBundle: workflowBundle(),
    });
    const record = await deploymentsWorker(queue, []);
    const deployments = new DeploymentsClient(env.client, queue);
    await record.runUntil(
      accounts.runUntil(async () => {
        const handle = await env.client.workflow.start(DEPLOYMENTS_WORKFLOW, {
          workflowId: deploymentsWorkflowId(queue),
          taskQueue: queue,
          args: [{}],
        });
        await eventually(
          async () => ((await handle.describe()).taskQueue === deploymentsTaskQueue(queue) ? true : undefined),
          "the record on its own task queue",
        );
        expect((await deployments.deploy(request)).deployment.id).toBe("d1");
        expect((await deployments.list()).deployments.map((d) => d.id)).toEqual(["d1"]);
        await env.client.workflow.getHandle(deploymentsWorkflowId(queue)).terminate("test done");
      }),
    );
  });
});
