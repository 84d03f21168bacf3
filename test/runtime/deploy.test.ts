// Deploying, rolling back, pausing and resuming plays while journeys run, on a real Temporal dev
// server with `playloop worker` processes and the CLI as a user runs it.
import type { ChildProcess } from "node:child_process";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { rmSync } from "node:fs";
import { type TestWorkflowEnvironment } from "@temporalio/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AccountSnapshot } from "../../engine/journey/journey-types.js";
import { AccountClient } from "../../engine/runtime/account-client.js";
import { DeploymentsClient } from "../../engine/runtime/deployments-client.js";
import { createApiServer } from "../../engine/runtime/http-api.js";
import { createLogger } from "../../engine/runtime/logger.js";
import { PlanRegistry } from "../../engine/runtime/plan-registry.js";
import { eventually, readRepoFile } from "../helpers.js";
import { actionLog } from "../workflows/harness.js";
import { devServerEnv, playbookFolder, runCli, startWorkerProcess } from "./cli-processes.js";

const TOKEN = "deploy-test-token-0123456789abcdef";
let env: TestWorkflowEnvironment;
const children: ChildProcess[] = [];
const seatUpsell = readRepoFile("playbooks/seat-upsell.yaml");
const acme = JSON.parse(readRepoFile("playbooks/samples/acme.json")) as Record<string, unknown>;
const capacity = { usage: { seat_utilization: 0.92 } };

/** The environment the CLI and workers of one task queue run with. */
const cliEnv = (queue: string, extra: Record<string, string> = {}): Record<string, string> => ({
  TEMPORAL_ADDRESS: env.address,
  PLAYLOOP_TASK_QUEUE: queue,
  PLAYLOOP_ACTOR: "deploy-test",
  ...extra,
});

/** Accounts (not held out of seat-upsell) upserted on a task queue. */
async function accountsOn(queue: string, ids: readonly string[]): Promise<AccountClient> {
  const accounts = new AccountClient(env.client, queue);
  for (const id of ids) await accounts.upsertAccount({ ...acme, id } as AccountSnapshot);
  return accounts;
}

/** Waits until visibility (eventually consistent) counts `expected` workflows for `query`. */
async function visibleCount(query: string, expected: number, what: string): Promise<void> {
  await eventually(async () => ((await env.client.workflow.count(query)).count === expected ? true : undefined), what);
}

const versionOf = async (accounts: AccountClient, id: string): Promise<string | undefined> =>
  (await accounts.status(id)).plays.find((p) => p.playbookId === "seat-upsell")?.version;

beforeAll(async () => {
  env = await devServerEnv();
}, 120_000);

afterAll(async () => {
  for (const child of children) child.kill("SIGKILL");
  await env?.teardown();
}, 60_000);

describe("playloop deploy", () => {
  it("shows what a deploy changes and how many accounts it touches, deploys it to every account, lists it, and rolls it back", async () => {
    const queue = "playloop-deploy-test";
    const folder = playbookFolder({ "seat-upsell.yaml": seatUpsell });
    const edited = playbookFolder({
      "seat-upsell.yaml": seatUpsell.replace("template: capacity-insight", "template: capacity-insight-v2"),
    });
    const v1 = PlanRegistry.fromFolder(folder).set.versions["seat-upsell"] ?? "";
    const v2 = PlanRegistry.fromFolder(edited).set.versions["seat-upsell"] ?? "";
    await startWorkerProcess(children, {
      ...cliEnv(queue),
      PLAYLOOP_PLAYBOOKS: folder,
      PLAYLOOP_ACTIONS_FILE: actionLog().path,
    });
    const ids = ["dep-a", "dep-b", "dep-c"];
    const accounts = await accountsOn(queue, ids);
    // Visibility is eventually consistent: wait until it counts the three accounts.
    await visibleCount(
      `WorkflowType = 'account' AND TaskQueue = '${queue}' AND Plays = 'seat-upsell@${v1}'`,
      3,
      "visibility to count the accounts",
    );

    const dry = await runCli(["deploy", edited, "--dry-run"], cliEnv(queue));
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain("Deployed now: d1");
    expect(dry.stdout).toContain(`~ seat-upsell changed ${v1.slice(7, 15)} -> ${v2.slice(7, 15)}`);
    expect(dry.stdout).toContain(
      'orchestrate: step 2 (inapp.prompt), template: "capacity-insight" -> "capacity-insight-v2"',
    );
    expect(dry.stdout).toContain(`accounts on ${v1.slice(7, 15)}: 3 detecting, 0 running, 0 ended`);
    expect(await versionOf(accounts, "dep-a")).toBe(v1);

    const unconfirmed = await runCli(["deploy", edited], cliEnv(queue));
    expect(unconfirmed.code).toBe(4);

    const deployed = await runCli(["deploy", edited, "--yes"], cliEnv(queue));
    expect(deployed.code, deployed.stderr).toBe(0);
    expect(deployed.stdout).toContain("Deployed d2 (seat-upsell changed)");
    expect(deployed.stdout).toMatch(/All 1 workers serve d2 \(\d+\.\d s\)/);
    // The deploy's batch operation reaches every account without any input from it.
    for (const id of ids)
      await eventually(async () => ((await versionOf(accounts, id)) === v2 ? true : undefined), `${id} on v2`);

    const listed = await runCli(["deployments", "--json"], cliEnv(queue));
    const record = JSON.parse(listed.stdout) as {
      current: { id: string };
      deployments: { id: string; actor: string; kind: string }[];
    };
    expect(record.current.id).toBe("d2");
    expect(record.deployments.map((d) => [d.id, d.kind, d.actor])).toEqual([
      ["d1", "deploy", "deploy-test"],
      ["d2", "deploy", "deploy-test"],
    ]);

    const back = await runCli(["deploy", "--to", "d1", "--yes"], cliEnv(queue));
    expect(back.code, back.stderr).toBe(0);
    expect(back.stdout).toContain("Deployed d3 (rolled back to d1");
    for (const id of ids)
      await eventually(async () => ((await versionOf(accounts, id)) === v1 ? true : undefined), `${id} back on v1`);

    const invalid = playbookFolder({ "broken.yaml": "playbook: broken\nname: 3\n" });
    const refused = await runCli(["deploy", invalid, "--yes"], cliEnv(queue));
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/broken\.yaml:\d+:\d+/);
    const unknown = await runCli(["deploy", "--to", "d42", "--yes"], cliEnv(queue));
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("no deployment d42");
    rmSync(invalid, { recursive: true, force: true });
  }, 240_000);
  it("names the running plays a migration would move or end", async () => {
    const queue = "playloop-migrate-test";
    const folder = playbookFolder({ "seat-upsell.yaml": seatUpsell });
    const v1 = PlanRegistry.fromFolder(folder).set.versions["seat-upsell"] ?? "";
    await startWorkerProcess(children, {
      ...cliEnv(queue),
      PLAYLOOP_PLAYBOOKS: folder,
      PLAYLOOP_ACTIONS_FILE: actionLog().path,
    });
    const ids = ["mig-a", "mig-b"];
    const accounts = await accountsOn(queue, ids);
    for (const id of ids) await accounts.sendEvent(id, { id: `cap-${id}`, type: "usage.updated", data: capacity });
    await visibleCount(
      `TaskQueue = '${queue}' AND Stages = 'seat-upsell:prove'`,
      2,
      "visibility to see both plays in prove",
    );
    const migrating = `versioning: { running: at_stage_boundary }\n${seatUpsell}`;
    const moves = playbookFolder({ "seat-upsell.yaml": migrating.replace("quantity: +20%", "quantity: +30%") });
    const moved = await runCli(["deploy", moves, "--dry-run"], cliEnv(queue));
    expect(moved.stdout).toContain(`2 in prove (${v1.slice(7, 15)}): move to the new version entering commit`);
    const withoutCommit = migrating
      .replace(/ {2}commit:\n(?: {4}-.*\n){2}/, "")
      .replace("on_timeout: commit", "on_timeout: expand");
    const ends = await runCli(
      ["deploy", playbookFolder({ "seat-upsell.yaml": withoutCommit }), "--dry-run"],
      cliEnv(queue),
    );
    expect(ends.code, ends.stderr).toBe(0);
    expect(ends.stdout).toContain(`2 in prove (${v1.slice(7, 15)}): end: stage commit removed`);
  }, 240_000);
});

describe("playloop pause, resume and stop", () => {
  let api: Server | undefined;
  afterAll(async () => {
    await new Promise((resolve) => api?.close(resolve));
  });

  it("holds every action of a paused play within seconds, sends them on resume, and ends every run on stop", async () => {
    const queue = "playloop-pause-test";
    const log = actionLog();
    await startWorkerProcess(children, {
      ...cliEnv(queue),
      PLAYLOOP_PLAYBOOKS: playbookFolder({ "seat-upsell.yaml": seatUpsell }),
      PLAYLOOP_ACTIONS_FILE: log.path,
    });
    const ids = ["pause-a", "pause-b", "pause-c"];
    const accounts = await accountsOn(queue, ids);
    const deployments = new DeploymentsClient(env.client, queue);
    api = createApiServer({
      accounts,
      deployments,
      logger: createLogger(),
      ready: () => Promise.resolve(true),
      tokens: { readWrite: TOKEN },
    });
    await new Promise<void>((resolve) => api?.listen(0, "127.0.0.1", resolve));
    const apiEnv = cliEnv(queue, {
      PLAYLOOP_API_URL: `http://127.0.0.1:${(api.address() as AddressInfo).port}`,
      PLAYLOOP_API_TOKEN: TOKEN,
    });

    const paused = await runCli(["pause", "seat-upsell"], apiEnv);
    expect(paused.code, paused.stdout + paused.stderr).toBe(0);
    // The answer comes once every worker applies the pause.
    expect(paused.stdout).toMatch(
      /^paused seat-upsell \(deployment d2\): in effect on all 1 workers after \d+\.\d s$/m,
    );
    // The capacity events go in at once: whichever holds the actions back, the worker or the
    // account (which may not have heard of the pause yet), none reaches the log.
    for (const id of ids) await accounts.sendEvent(id, { id: `cap-${id}`, type: "usage.updated", data: capacity });
    for (const id of ids)
      await eventually(async () => {
        const play = (await accounts.status(id)).plays.find((p) => p.playbookId === "seat-upsell");
        return play?.control === "paused" && play.held === 3 ? true : undefined;
      }, `${id} to hold seat-upsell's three actions`);
    expect(log.read().filter((a) => ids.includes(String(a.subject)))).toEqual([]);
    await visibleCount(
      `TaskQueue = '${queue}' AND Paused = 'seat-upsell'`,
      3,
      "the Paused search attribute on the three accounts",
    );
    const status = await runCli(["status", "pause-a"], apiEnv);
    expect(status.stdout).toMatch(/seat-upsell\s+running \(paused, 3 held\)/);

    const resumed = await runCli(["resume", "seat-upsell"], apiEnv);
    expect(resumed.code).toBe(0);
    for (const id of ids)
      await eventually(
        () => (log.read().filter((a) => a.subject === id).length === 3 ? true : undefined),
        `${id}'s held actions to go out`,
      );
    const sent = log.read().filter((a) => ids.includes(String(a.subject)));
    expect(new Set(sent.map((a) => a.id)).size).toBe(sent.length);

    const stopped = await runCli(["stop", "seat-upsell"], apiEnv);
    expect(stopped.code).toBe(0);
    for (const id of ids)
      await eventually(async () => {
        const play = (await accounts.status(id)).plays.find((p) => p.playbookId === "seat-upsell");
        return play?.status === "ended" && play.outcome === "stopped" ? true : undefined;
      }, `${id}'s play to end as stopped`);
    const unknownPlay = await runCli(["pause", "no-such-play"], apiEnv);
    expect(unknownPlay.code).toBe(1);
    expect(unknownPlay.stdout).toContain('playbook \\"no-such-play\\" is not deployed');
  }, 240_000);
});
