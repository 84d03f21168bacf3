// The deployments record's pure logic: what a deploy, rollback, pause, resume and stop record,
// and what they refuse. The deployments workflow only wraps these.
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  applyControl,
  applyDeploy,
  applyRollback,
  applyWorkerReport,
  currentDeployment,
  DeploymentRejected,
  deploymentsView,
  emptyDeployments,
  KEEP_BODIES_OF,
  planBodies,
  pruneBodies,
} from "../../engine/deploy/deployments-record.js";
import type { DeployRequest } from "../../engine/messages/deployment-messages.js";
import { loadPlaybooks } from "../../engine/runtime/load-plans.js";
import { ROOT } from "../helpers.js";

const folder = loadPlaybooks(join(ROOT, "playbooks"));
const request = (overrides: Partial<DeployRequest> = {}): DeployRequest => ({
  plans: folder.plans,
  sources: folder.sources,
  policy: folder.policy,
  actor: "ana",
  ...overrides,
});
/** The folder with seat-upsell's version changed (as an edit would). */
const edited = (tag: string): DeployRequest =>
  request({
    plans: folder.plans.map((p) => (p.id === "seat-upsell" ? { ...p, version: `${p.version}-${tag}` } : p)),
    sources: folder.sources.map((s) => (s.id === "seat-upsell" ? { ...s, version: `${s.version}-${tag}` } : s)),
  });

describe("the deployments record", () => {
  it("records a first deploy with every playbook's version, its bodies and sources", () => {
    const state = emptyDeployments();
    const { deployment, changed } = applyDeploy(state, request({ commit: "abc" }), 1000);
    expect(changed).toBe(true);
    expect(deployment).toMatchObject({ id: "d1", kind: "deploy", actor: "ana", commit: "abc", at: 1000 });
    expect(deployment.set.loadedAt).toBe(1000);
    expect(Object.keys(deployment.set.versions).sort()).toEqual(folder.plans.map((p) => p.id).sort());
    expect(deployment.summary).toContain("seat-upsell added");
    const versions = Object.values(deployment.set.versions);
    expect(planBodies(state, versions).plans).toHaveLength(folder.plans.length);
    expect(planBodies(state, versions).sources).toHaveLength(folder.plans.length);
  });

  it("records nothing when the same set is deployed again", () => {
    const state = emptyDeployments();
    const first = applyDeploy(state, request(), 1000).deployment;
    const again = applyDeploy(state, request({ actor: "bo" }), 2000);
    expect(again).toEqual({ deployment: first, changed: false });
    expect(state.deployments).toHaveLength(1);
  });

  it("orders deployments strictly, even when the clock goes back", () => {
    const state = emptyDeployments();
    applyDeploy(state, request(), 5000);
    const second = applyDeploy(state, edited("b"), 4000).deployment;
    expect(second.at).toBe(5001);
    expect(second.summary).toBe("seat-upsell changed");
  });

  it("lets a worker's folder deploy at start only when those plans were never deployed", () => {
    const state = emptyDeployments();
    applyDeploy(state, request(), 1000);
    applyDeploy(state, edited("b"), 2000);
    // A worker restarted with the old folder does not roll the fleet back...
    const old = applyDeploy(state, request({ onlyIfNew: true }), 3000);
    expect(old.changed).toBe(false);
    expect(currentDeployment(state)?.id).toBe("d2");
    // ...while one with plans never seen deploys them.
    expect(applyDeploy(state, { ...edited("c"), onlyIfNew: true }, 4000).deployment.id).toBe("d3");
  });

  it("rolls back to an earlier deployment's plans as a new deployment", () => {
    const state = emptyDeployments();
    const d1 = applyDeploy(state, request(), 1000).deployment;
    applyDeploy(state, edited("b"), 2000);
    const { deployment } = applyRollback(state, { to: "d1", actor: "cy" }, 3000);
    expect(deployment).toMatchObject({ id: "d3", kind: "rollback", restores: "d1", actor: "cy" });
    expect(deployment.set.versions).toEqual(d1.set.versions);
    expect(deployment.set.id).toBe(d1.set.id);
    expect(deployment.set.loadedAt).toBeGreaterThan(d1.set.loadedAt);
  });

  it("refuses a rollback to a deployment it does not hold, naming those it does", () => {
    const state = emptyDeployments();
    applyDeploy(state, request(), 1000);
    expect(() => applyRollback(state, { to: "d9", actor: "cy" }, 2000)).toThrow(
      new DeploymentRejected("no deployment d9; the record holds d1", "unknown"),
    );
  });

  it("pauses, resumes and stops one playbook, each a deployment with its own set id", () => {
    const state = emptyDeployments();
    const d1 = applyDeploy(state, request(), 1000).deployment;
    const paused = applyControl(state, { playbook: "seat-upsell", action: "pause", actor: "ops" }, 2000).deployment;
    expect(paused).toMatchObject({ id: "d2", kind: "pause", summary: "paused seat-upsell" });
    expect(paused.set.controls).toEqual({ "seat-upsell": "paused" });
    expect(paused.set.id).not.toBe(d1.set.id);
    expect(applyControl(state, { playbook: "seat-upsell", action: "pause", actor: "ops" }, 2500).changed).toBe(false);
    const resumed = applyControl(state, { playbook: "seat-upsell", action: "resume", actor: "ops" }, 3000).deployment;
    expect(resumed.set.controls).toBeUndefined();
    expect(resumed.set.id).toBe(d1.set.id);
    const stopped = applyControl(state, { playbook: "seat-upsell", action: "stop", actor: "ops" }, 4000).deployment;
    expect(stopped.set.controls).toEqual({ "seat-upsell": "stopped" });
  });

  it("keeps a pause through a deploy, and ends a stop with it", () => {
    const state = emptyDeployments();
    applyDeploy(state, request(), 1000);
    applyControl(state, { playbook: "seat-upsell", action: "pause", actor: "ops" }, 2000);
    applyControl(state, { playbook: "renewal-bundle", action: "stop", actor: "ops" }, 3000);
    const next = applyDeploy(state, edited("b"), 4000).deployment;
    expect(next.set.controls).toEqual({ "seat-upsell": "paused" });
  });

  it("refuses to control a playbook that is not deployed, or anything before a deploy", () => {
    const state = emptyDeployments();
    expect(() => applyControl(state, { playbook: "x", action: "pause", actor: "ops" }, 1)).toThrow(
      /nothing is deployed/,
    );
    applyDeploy(state, request(), 1000);
    expect(() => applyControl(state, { playbook: "nope", action: "stop", actor: "ops" }, 2)).toThrow(
      /playbook "nope" is not deployed; deployed: .*seat-upsell/,
    );
  });

  it("refuses an empty deploy and a playbook listed twice", () => {
    const state = emptyDeployments();
    expect(() => applyDeploy(state, request({ plans: [] }), 1)).toThrow(DeploymentRejected);
    const twice = [...folder.plans, folder.plans[0]!];
    expect(() => applyDeploy(state, request({ plans: twice }), 1)).toThrow(/each playbook once/);
  });

  it("keeps plan bodies for the latest deployments only, and then refuses to restore older ones", () => {
    const state = emptyDeployments();
    applyDeploy(state, request(), 1000);
    for (let i = 0; i < KEEP_BODIES_OF; i++) applyDeploy(state, edited(`v${i}`), 2000 + i);
    pruneBodies(state);
    const original = folder.plans.find((p) => p.id === "seat-upsell")?.version ?? "";
    expect(planBodies(state, [original]).plans).toEqual([]);
    expect(() => applyRollback(state, { to: "d1", actor: "cy" }, 9000)).toThrow(/too old to restore/);
    expect(applyRollback(state, { to: "d2", actor: "cy" }, 9001).changed).toBe(true);
  });

  it("lists what each worker serves, forgetting those silent for a day", () => {
    const state = emptyDeployments();
    applyWorkerReport(state, { identity: "b@host", setId: "set:1", at: 0 });
    applyWorkerReport(state, { identity: "a@host", setId: "set:2", at: 1000 });
    expect(deploymentsView(state).workers.map((w) => w.identity)).toEqual(["a@host", "b@host"]);
    applyWorkerReport(state, { identity: "a@host", setId: "set:3", at: 25 * 3_600_000 });
    expect(deploymentsView(state).workers).toEqual([{ identity: "a@host", setId: "set:3", at: 25 * 3_600_000 }]);
  });
});
