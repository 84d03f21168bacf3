// The account policy's touch caps and quiet hours, and count() triggers, through the real account
// workflow on the time-skipping test server: what the core tests (test/journey/touch-policy.test.ts,
// counts.test.ts) check in process, here with Temporal's timers, updates and activities.
import { describe, expect, it } from "vitest";
import { compilePlaybook } from "../../engine/index.js";
import { validatePolicy } from "../../engine/validate/validate-policy.js";
import { account, DAY, play, plan, useTimeSkippingEnv, view, withAccountWorker } from "./harness.js";

const testEnv = useTimeSkippingEnv();
const HOUR = 3_600_000;

/** A playbook that sends an email and a CRM task each time `event` arrives, then waits for the next. */
function nudger(id: string, event: string) {
  const { plan: compiled, diagnostics } = compilePlaybook(`playbook: ${id}
name: ${id}
motion: upsell
journey:
  detect:
    - wait: { event: ${event} }
  orchestrate:
    - email.send: { template: nudge }
    - crm.task: { owner: csm, title: "Follow up" }
  expand:
    - loop: { to: detect }
`);
  if (compiled === undefined) throw new Error(JSON.stringify(diagnostics));
  return compiled;
}

function policy(text: string) {
  const { policy: value, diagnostics } = validatePolicy(text);
  if (value === undefined) throw new Error(JSON.stringify(diagnostics));
  return value;
}

describe("the account policy on a real Temporal server", () => {
  it("caps emails across plays: the second play's email is skipped with its reason, its CRM task goes", async () => {
    const env = testEnv();
    const caps = policy("policy: caps\ntouches:\n  email: { max: 1, per: 7d }\n");
    await withAccountWorker(
      env,
      [nudger("play-a", "usage.updated"), nudger("play-b", "support.ticket_opened")],
      async ({ log, now, accounts, start }) => {
        const handle = await start(account("cap-1", now, { timezone: "UTC" }));
        await accounts.sendEvent("cap-1", { id: "u1", type: "usage.updated" });
        await env.sleep(HOUR);
        await accounts.sendEvent("cap-1", { id: "t1", type: "support.ticket_opened" });
        await env.sleep(HOUR);
        const sent = () => log.read().map((a) => `${(a.data.playbook as { id: string }).id} ${String(a.data.action)}`);
        expect(sent()).toEqual(["play-a email.send", "play-a crm.task", "play-b crm.task"]);
        const b = await play(handle, "play-b");
        expect(b.decisions.map((d) => d.reason)).toContain(
          "suppressed: account touch cap of 1 email per 7 days reached",
        );
        // A week after the first email, the next one goes.
        await env.sleep(7 * DAY);
        await accounts.sendEvent("cap-1", { id: "t2", type: "support.ticket_opened" });
        await env.sleep(HOUR);
        expect(sent().slice(3)).toEqual(["play-b email.send", "play-b crm.task"]);
      },
      caps,
    );
  });

  it("holds a touch due in the account's quiet hours until they end in its time zone", async () => {
    const env = testEnv();
    const quiet = policy('policy: quiet\nquiet_hours: { from: "20:00", to: "08:00" }\n');
    await withAccountWorker(
      env,
      [nudger("evening", "usage.updated")],
      async ({ log, now, accounts, start }) => {
        // The next 23:30 in Tokyo (14:30 UTC): deep in the account's quiet hours.
        const target = Math.ceil((now - 14.5 * HOUR) / DAY) * DAY + 14.5 * HOUR;
        await env.sleep(target - now);
        const handle = await start(account("quiet-1", target, { timezone: "Asia/Tokyo" }));
        await accounts.sendEvent("quiet-1", { id: "u1", type: "usage.updated" });
        await env.sleep(HOUR);
        expect(log.read()).toEqual([]);
        const held = (await play(handle, "evening")).decisions.find((d) => d.kind === "held");
        expect(held?.reason).toMatch(/^held: the account's quiet hours until .*T23:00:00\.000Z \(Asia\/Tokyo\)$/);
        // 08:00 in Tokyo is 23:00 UTC: the email and then the task go then, not before.
        await env.sleep(8 * HOUR);
        const sent = log.read();
        expect(sent.map((a) => a.data.action)).toEqual(["email.send", "crm.task"]);
        for (const action of sent) {
          const at = new Date(action.time);
          expect(at.getUTCHours()).toBe(23);
          expect(at.getTime()).toBeGreaterThan(target);
        }
        expect((await view(handle)).plays[0]?.status).not.toBe("ended");
      },
      quiet,
    );
  });
});

describe("count() triggers on a real Temporal server", () => {
  it("fires on the third reporting ticket within 30 days, and not when the first has slid out of the window", async () => {
    const env = testEnv();
    const crossSell = plan("new-department-cross-sell");
    await withAccountWorker(env, [crossSell], async ({ log, now, accounts, start }) => {
      const ticket = (id: string) => ({ id, type: "support.ticket_opened", data: { category: "reporting" } });
      const quick = await start(account("tickets-quick", now, { products: ["core"] }));
      const slow = await start(account("tickets-slow", now, { products: ["core"] }));
      for (const [i, gap] of [0, 5, 5].entries()) {
        await env.sleep(gap * DAY);
        await accounts.sendEvent("tickets-quick", ticket(`q${i}`));
      }
      // Two tickets, then the third 31 days after the first: only two are ever within 30 days.
      await accounts.sendEvent("tickets-slow", ticket("s0"));
      await env.sleep(2 * DAY);
      await accounts.sendEvent("tickets-slow", ticket("s1"));
      await env.sleep(29 * DAY);
      await accounts.sendEvent("tickets-slow", ticket("s2"));
      await env.sleep(HOUR);
      const fired = (p: { decisions: readonly { kind: string; reason: string }[] }) =>
        p.decisions.filter((d) => d.kind === "fired").map((d) => d.reason);
      expect(fired(await play(quick, crossSell.id))).toEqual(["trigger reporting_pain"]);
      expect(fired(await play(slow, crossSell.id))).toEqual([]);
      expect(log.read().filter((a) => a.subject === "tickets-quick").length).toBeGreaterThan(0);
      expect(log.read().filter((a) => a.subject === "tickets-slow")).toEqual([]);
    });
  });
});
