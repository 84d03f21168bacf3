// One account's plays on the real Temporal time-skipping test server: months of waiting in
// milliseconds, each account one workflow running every play on the journey core.
import type { TestWorkflowEnvironment } from "@temporalio/testing";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { PlayView } from "../../engine/journey/account-view.js";
import {
  DAY,
  account,
  day,
  plan,
  play,
  recordHistory,
  terminateStarted,
  timeSkippingEnv,
  view,
  withAccountWorker,
} from "./harness.js";

let env: TestWorkflowEnvironment;

beforeAll(async () => {
  env = await timeSkippingEnv();
}, 60_000);

afterEach(() => terminateStarted(env));

afterAll(async () => {
  await env?.teardown();
});

const types = (events: { type: string }[]) => events.map((e) => e.type.replace("playloop.action.", ""));
const reasons = (p: PlayView) => p.decisions.map((d) => `${d.kind}: ${d.reason}`);

describe("seat-upsell on a real Temporal server", () => {
  it("delivers orchestrate actions on 80% usage, times out the QBR and the 45-day deal wait, and loops back to detect", async () => {
    const seatUpsell = plan("seat-upsell");
    await withAccountWorker(env, [seatUpsell], async (context) => {
      const { log, now, accounts } = context;
      const handle = await context.start(account("acme-1", now));
      await env.sleep(1000);
      expect((await play(handle, "seat-upsell")).waitingFor).toBe("capacity (usage.updated)");
      await accounts.sendEvent("acme-1", {
        id: "u1",
        type: "usage.updated",
        data: { usage: { seat_utilization: 0.7 } },
      });
      await env.sleep(DAY);
      expect(log.read()).toEqual([]); // 70% is below the trigger
      await accounts.sendEvent("acme-1", {
        id: "u2",
        type: "usage.updated",
        data: { usage: { seat_utilization: 0.92 } },
      });
      await env.sleep(DAY);
      expect(types(log.read())).toEqual(["inapp.prompt", "crm.task", "report.roi_snapshot"]);
      const [prompt, task] = log.read();
      expect(prompt).toMatchObject({
        specversion: "1.0",
        id: "seat-upsell:acme-1:0:orchestrate.1",
        source: "playloop/playbooks/seat-upsell",
        subject: "acme-1",
        datacontenttype: "application/json",
        data: {
          playbook: { id: "seat-upsell", version: seatUpsell.version },
          stage: "orchestrate",
          step: "orchestrate.1",
        },
      });
      expect(task?.data).toMatchObject({ owner: "csm", title: "Capacity review with Acme Corp", sla_ms: 2 * DAY });

      await env.sleep(31 * DAY); // no QBR within 30 days: on to commit
      expect(types(log.read()).at(-1)).toBe("offer.propose");
      expect(log.read().at(-1)?.data).toMatchObject({ offer: { sku: "seats", quantity: "+20%", discount: 0.1 } });
      expect((await play(handle, "seat-upsell")).waitingFor).toBe("deal.closed");

      await env.sleep(46 * DAY); // no deal within 45 days: on to expand
      let p = await play(handle, "seat-upsell");
      expect(p.stage).toBe("expand");
      expect(reasons(p)).toContain("timeout: no deal.closed within 45 days");
      expect(types(log.read()).at(-1)).toBe("crm.task");

      await env.sleep(91 * DAY); // the loop's 90-day pause, then back to detect
      p = await play(handle, "seat-upsell");
      expect(p.stage).toBe("detect");
      expect(p.iteration).toBe(1);
      expect(p.waitingFor).toBe("capacity (usage.updated)");
      const described = await handle.describe();
      expect(described.typedSearchAttributes.getAll().map((pair) => pair.key.name)).toContain("Stages");
      await recordHistory(handle, "seat-upsell-loop");
      expect((await view(handle)).plays).toHaveLength(1);
    });
  });
});
