// The expansion score on the real account workflow (the time-skipping test server): with a
// scorecard deployed in the plan set, an event that moves the account's band shows in its view
// (with each signal's points), in its `standing` and in its ExpansionScore and ScoreBand search
// attributes.
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { standingQuery } from "../../engine/messages/account-messages.js";
import { loadPlaybooks } from "../../engine/runtime/load-plans.js";
import { DEFAULT_POLICY } from "../../engine/validate/validate-policy.js";
import { ROOT } from "../helpers.js";
import {
  account,
  plan,
  recordHistory,
  searchAttributes,
  sendEvent,
  useTimeSkippingEnv,
  view,
  viewWhen,
  withAccountWorker,
} from "./harness.js";

const getEnv = useTimeSkippingEnv();
const { scorecard } = loadPlaybooks(join(ROOT, "playbooks")).policy;

describe("the expansion score on a real Temporal server", () => {
  it("puts the account's score in its view and search attributes after an event", async () => {
    const env = getEnv();
    await withAccountWorker(
      env,
      [plan("seat-upsell")],
      async (context) => {
        // Health 50: 28 (seats) + 10 (tenure) + 10 (QBR) + 10 (consent) = 58, warming.
        const handle = await context.start(account("scored-1", context.now, { health_score: 50 }));
        const first = await viewWhen(env, handle, (v) => v.score !== undefined);
        expect(first.score).toMatchObject({ scorecard: "expansion", score: 58, band: "warming" });
        await sendEvent(context, "scored-1", { id: "h1", type: "account.updated", data: { health_score: 82 } });
        const after = await viewWhen(env, handle, (v) => v.score?.band === "ready");
        expect(after.score).toMatchObject({ score: 78, band: "ready" });
        expect(after.score?.contributions.find((c) => c.signal === "healthy")).toEqual({
          signal: "healthy",
          weight: 20,
          value: true,
          points: 20,
        });
        expect(await searchAttributes(handle)).toMatchObject({ ExpansionScore: 78, ScoreBand: "ready" });
        const standing = await handle.query(standingQuery);
        expect(standing?.account).toMatchObject({ id: "scored-1", health_score: 82 });
        expect(standing?.score?.score).toBe(78);
        expect(Object.keys(standing?.plays ?? {})).toEqual(["seat-upsell"]);
        await recordHistory(handle, "score-band-changed");
      },
      { ...DEFAULT_POLICY, ...(scorecard === undefined ? {} : { scorecard }) },
    );
  });

  it("sets no score and no score attributes without a scorecard", async () => {
    const env = getEnv();
    await withAccountWorker(env, [plan("seat-upsell")], async (context) => {
      const handle = await context.start(account("unscored-1", context.now));
      await sendEvent(context, "unscored-1", { id: "h1", type: "account.updated", data: { health_score: 82 } });
      await viewWhen(env, handle, (v) => v.plays.length > 0);
      await env.sleep(1000);
      expect((await view(handle)).score).toBeUndefined();
      const attributes = await searchAttributes(handle);
      expect(attributes.Plays).toBeDefined();
      expect(attributes.ExpansionScore).toBeUndefined();
      expect(attributes.ScoreBand).toBeUndefined();
    });
  });
});
