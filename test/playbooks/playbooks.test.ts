import { readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  compilePlaybook,
  compileRule,
  evaluate,
  validateAccount,
  validateFiles,
  validatePolicy,
  type CompiledPlan,
} from "../../engine/index.js";
import { PLAYBOOK_IDS, ROOT, readRepoFile } from "../helpers.js";

const NOW = "2026-11-22T12:00:00Z";
const plans = new Map<string, CompiledPlan>(
  PLAYBOOK_IDS.map((id) => {
    const { plan, diagnostics } = compilePlaybook(readRepoFile(`playbooks/${id}.yaml`), `playbooks/${id}.yaml`);
    if (plan === undefined) throw new Error(`${id}: ${JSON.stringify(diagnostics)}`);
    return [id, plan];
  }),
);
const sampleFiles = readdirSync(`${ROOT}playbooks/samples`).filter((f) => f.endsWith(".json"));
const accounts = new Map(
  sampleFiles.map((f) => {
    const account: Record<string, unknown> = JSON.parse(readRepoFile(`playbooks/samples/${f}`));
    return [String(account.id), account];
  }),
);

function plan(id: string): CompiledPlan {
  const found = plans.get(id);
  if (found === undefined) throw new Error(`no plan ${id}`);
  return found;
}

function eligible(id: string, accountId: string, at = NOW): boolean {
  const account = accounts.get(accountId);
  const rule = plan(id).eligibility.rule;
  const result = compileRule(rule)({ ...account, now: at });
  expect(evaluate(rule, { ...account, now: at })).toBe(result);
  return result === true;
}

describe("bundled playbooks", () => {
  it("are exactly the documented ones, the policy, the destinations and the scorecard, all valid without warnings", () => {
    const files = readdirSync(`${ROOT}playbooks`).filter((f) => f.endsWith(".yaml"));
    expect(files.map((f) => f.replace(".yaml", "")).sort()).toEqual(
      [...PLAYBOOK_IDS, "policy", "destinations", "scorecard"].sort(),
    );
    const results = validateFiles(files.map((f) => `${ROOT}playbooks/${f}`));
    expect(results.flatMap((r) => r.diagnostics)).toEqual([]);
    expect(results.find((r) => r.policy !== undefined)?.policy).toEqual({
      name: "default",
      frequency: { maxOffers: 2, perMs: 90 * 86_400_000, cooldownAfterDeclineMs: 60 * 86_400_000 },
      equalPriority: "first_come",
    });
    // Approval requests go to the approvals desk's file and the action log; the rest to the log.
    expect(results.find((r) => r.routing !== undefined)?.routing).toEqual({
      destinations: { approvals: { name: "approvals", kind: "ndjson", file: "approvals.ndjson" } },
      steps: {},
      kinds: { "approval.request": ["approvals", "default"] },
      channels: {},
      default: ["default"],
    });
    // The readiness score: seven signals whose weights are its points, out of 100.
    const scorecard = results.find((r) => r.scorecard !== undefined)?.scorecard;
    expect(scorecard).toMatchObject({
      name: "expansion",
      scale: { min: 0, max: 100 },
      bands: { ready: 70, warming: 40 },
    });
    expect(scorecard?.signals.reduce((sum, s) => sum + s.weight, 0)).toBe(100);
  });

  it("reports a malformed policy with file:line:col", () => {
    expect(validatePolicy(readRepoFile("test/fixtures/journeys/one-offer-policy.yaml")).diagnostics).toEqual([]);
    const bad = validatePolicy(
      "policy: x\nfrequency: { max_offers: 0, per: soon }\narbitration: { equal_priority: coin_flip }\n",
      "policy.yaml",
    );
    expect(bad.policy).toBeUndefined();
    expect(bad.diagnostics.map((d) => `${d.line}:${d.col} ${d.code}`)).toEqual([
      "2:26 E_SCHEMA_VALUE",
      "2:34 E_SCHEMA_VALUE",
      "3:32 E_SCHEMA_VALUE",
    ]);
  });

  it("declare the documented motions and priorities", () => {
    const summary = Object.fromEntries([...plans].map(([id, p]) => [id, [p.motion, p.priority]]));
    expect(summary).toEqual({
      "seat-upsell": ["upsell", 50],
      "renewal-bundle": ["upsell", 60],
      "dsr-engagement-upsell": ["upsell", 55],
      "new-department-cross-sell": ["cross_sell", 40],
      "downsell-save": ["downsell", 90],
      "at-risk-retention": ["retention", 100],
    });
  });

  it("seat-upsell: fires at 80% seat utilization; eligible only when healthy, large, tenured, consenting, not at risk", () => {
    const trigger = plan("seat-upsell").triggers.capacity;
    expect(trigger).toMatchObject({ kind: "event", event: "usage.updated" });
    const fires = compileRule(trigger?.rule);
    expect(fires({ usage: { seat_utilization: 0.8 } })).toBe(true);
    expect(fires({ usage: { seat_utilization: 0.79 } })).toBe(false);
    expect(eligible("seat-upsell", "acme")).toBe(true);
    expect(eligible("seat-upsell", "globex")).toBe(false); // at risk
    expect(eligible("seat-upsell", "initech")).toBe(false); // no consent
    expect(eligible("seat-upsell", "umbrella")).toBe(false); // onboarded 20 days ago
    expect(plan("seat-upsell").discounts).toMatchObject({ max: 0.15, approval: { above: 0.1 } });
  });

  it("renewal-bundle: the window opens 90 days before renewal; the bundle sits below list and inside 20%", () => {
    const window = plan("renewal-bundle").triggers.renewal_window;
    expect(window).toMatchObject({ kind: "window", field: "renewal_date", direction: "before", opensDays: 90 });
    const open = compileRule(window?.rule);
    expect(open({ renewal_date: "2027-02-10", now: NOW })).toBe(true); // 80 days out
    expect(open({ renewal_date: "2027-03-01", now: NOW })).toBe(false); // 99 days out
    const offer = plan("renewal-bundle")
      .stages.flatMap((s) => s.steps)
      .find((s) => s.kind === "action" && s.offer?.bundle);
    expect(offer).toMatchObject({ offer: { price: 17000, listTotal: 20000, discount: 0.15 } });
    expect(eligible("renewal-bundle", "hooli")).toBe(true);
    expect(eligible("renewal-bundle", "globex")).toBe(false);
  });

  it("new-department-cross-sell: fires on a stakeholder from an uncovered department", () => {
    const trigger = compileRule(plan("new-department-cross-sell").triggers.new_department?.rule);
    const acme = accounts.get("acme");
    expect(trigger({ ...acme, event: { type: "stakeholder.added", data: { department: "finance" } } })).toBe(true);
    expect(trigger({ ...acme, event: { type: "stakeholder.added", data: { department: "sales" } } })).toBe(false);
    expect(eligible("new-department-cross-sell", "acme")).toBe(true);
    expect(eligible("new-department-cross-sell", "acme", "2026-08-01")).toBe(false); // 61 days in
  });

  it("downsell-save: a feature-limited plan and a 0% fence", () => {
    const p = plan("downsell-save");
    expect(p.discounts?.max).toBe(0);
    const offer = p.stages.flatMap((s) => s.steps).find((s) => s.kind === "action" && s.action === "offer.propose");
    expect(offer).toMatchObject({ offer: { plan: "essentials", discount: 0 } });
    expect(compileRule(p.triggers.cancellation_intent?.rule)(accounts.get("soylent"))).toBe(true);
  });

  it("at-risk-retention: only at-risk accounts, 120 days before renewal or on entering at-risk", () => {
    const p = plan("at-risk-retention");
    expect(eligible("at-risk-retention", "globex")).toBe(true);
    expect(eligible("at-risk-retention", "acme")).toBe(false);
    expect(p.triggers.renewal_approaching).toMatchObject({ kind: "window", opensDays: 120 });
    expect(p.triggers.became_at_risk).toMatchObject({ kind: "segment_entry", segment: "at_risk" });
    const owners = p.stages.flatMap((s) => s.steps).flatMap((s) => (s.kind === "action" ? [s.owner] : []));
    expect(owners).toEqual(expect.arrayContaining(["csm", "executive_sponsor"]));
  });

  it("every rule the compiler emits gives the same result in compileRule, evaluate and json-logic-js", async () => {
    const jsonLogic = (await import("json-logic-js")).default;
    const { registerPlayloopOperations } = await import("../../engine/index.js");
    registerPlayloopOperations(jsonLogic);
    const rules: unknown[] = [];
    const collect = (value: unknown): void => {
      if (Array.isArray(value)) value.forEach(collect);
      else if (value !== null && typeof value === "object") {
        for (const [key, child] of Object.entries(value)) {
          if (key === "rule" || key === "when") rules.push(child);
          else collect(child);
        }
      }
    };
    for (const p of plans.values()) {
      collect(p);
      rules.push(...Object.values(p.segments));
    }
    expect(rules.length).toBeGreaterThan(30);
    for (const rule of rules) {
      const fn = compileRule(rule);
      for (const account of accounts.values()) {
        const data = { ...account, now: NOW, event: { type: "x", data: { department: "finance" } } };
        const expected = jsonLogic.apply(rule as never, data);
        expect(fn(data)).toEqual(expected);
        expect(evaluate(rule, data)).toEqual(expected);
      }
    }
  });
});

describe("sample accounts", () => {
  it("are in the canonical shape", () => {
    expect(accounts.size).toBeGreaterThanOrEqual(6);
    for (const account of accounts.values()) expect(validateAccount(account).issues).toEqual([]);
  });

  it("rejects a malformed account with the path of the problem", () => {
    const { account, issues } = validateAccount({ id: "x", health_score: "high", renewal_date: "soon", now: 1 });
    expect(account).toBeUndefined();
    expect(issues.map((i) => i.path.join("."))).toEqual(expect.arrayContaining(["health_score", "renewal_date"]));
    expect(validateAccount({ name: "no id" }).issues[0]?.message).toMatch(/missing required key `id`/);
  });
});
