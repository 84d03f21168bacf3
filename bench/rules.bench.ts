// npm run bench: ns per evaluation of an eligibility rule over 200k flat account records, for
// json-logic-js, playloop's compileRule and evaluate, and a hand-written closure, in one process on
// the same data. Ratios are against json-logic-js; the hand-written closure is the ceiling. The
// figures go to the `rules` section of bench/results/latest.json.
import jsonLogic from "json-logic-js";
import { compilePlaybook, compileRule, evaluate, registerPlayloopOperations } from "../engine/index.js";
import { machine, round, updateResults, type Results } from "./results.js";

type Flat = Record<string, number | string | boolean>;

const RECORDS = 200_000;
const ROUNDS = 5;

const eligibility = {
  and: [
    { ">=": [{ var: "health_score" }, 70] },
    { ">=": [{ var: "arr" }, 20000] },
    { ">=": [{ var: "tenure_days" }, 60] },
    { "===": [{ var: "consent_marketing" }, true] },
    { "<": [{ var: "open_escalations" }, 1] },
    { ">=": [{ var: "seat_utilization" }, 0.8] },
    { in: [{ var: "tier" }, ["growth", "scale"]] },
    { "!==": [{ var: "region" }, "embargoed"] },
    { "<=": [{ var: "days_to_renewal" }, 365] },
  ],
};

function hand(d: Flat): boolean {
  return (
    (d.health_score as number) >= 70 &&
    (d.arr as number) >= 20000 &&
    (d.tenure_days as number) >= 60 &&
    d.consent_marketing === true &&
    (d.open_escalations as number) < 1 &&
    (d.seat_utilization as number) >= 0.8 &&
    (d.tier === "growth" || d.tier === "scale") &&
    d.region !== "embargoed" &&
    (d.days_to_renewal as number) <= 365
  );
}

function records(): Flat[] {
  let seed = 42;
  const random = (): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  return Array.from({ length: RECORDS }, () => ({
    health_score: Math.floor(random() * 100),
    arr: Math.floor(random() * 100000),
    tenure_days: Math.floor(random() * 800),
    consent_marketing: random() < 0.9,
    open_escalations: random() < 0.9 ? 0 : 1,
    seat_utilization: random(),
    tier: ["starter", "growth", "scale"][Math.floor(random() * 3)] ?? "starter",
    region: random() < 0.99 ? "us" : "embargoed",
    days_to_renewal: Math.floor(random() * 400),
  }));
}

function measure(
  data: readonly unknown[],
  fn: (d: unknown) => unknown,
  passes: number,
): { ns: number; matches: number } {
  let matches = 0;
  const start = process.hrtime.bigint();
  for (let p = 0; p < passes; p++) for (const d of data) if (fn(d) === true) matches++;
  const ns = Number(process.hrtime.bigint() - start) / (passes * data.length);
  return { ns, matches: matches / passes };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

function run(title: string, data: readonly unknown[], rule: unknown, closure?: (d: unknown) => unknown): Results {
  const contenders: [string, (d: unknown) => unknown, number][] = [
    ["json-logic-js", (d) => jsonLogic.apply(rule as jsonLogic.RulesLogic, d), 1],
    ["playloop evaluate", (d) => evaluate(rule, d), 1],
    ["playloop compileRule", compileRule(rule), 10],
  ];
  if (closure !== undefined) contenders.push(["hand-written closure", closure, 10]);
  const results = new Map<string, number[]>();
  const matches = new Set<number>();
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, fn, passes] of contenders) {
      const { ns, matches: m } = measure(data, fn, passes);
      results.set(name, [...(results.get(name) ?? []), ns]);
      matches.add(m);
    }
  }
  if (matches.size !== 1) throw new Error(`contenders disagree on how many records match: ${[...matches].join(", ")}`);
  const baseline = median(results.get("json-logic-js") ?? []);
  console.log(
    `\n${title}: ${data.length.toLocaleString("en")} records, ${[...matches][0]} eligible, median of ${ROUNDS} rounds`,
  );
  console.log("  contender               ns/eval   speed-up vs json-logic-js");
  const figures: Results = {};
  for (const [name] of contenders) {
    const ns = median(results.get(name) ?? []);
    console.log(`  ${name.padEnd(22)} ${ns.toFixed(1).padStart(8)}   ${(baseline / ns).toFixed(1)}x`);
    figures[name] = { ns_per_eval: round(ns, 1), vs_json_logic_js: round(baseline / ns, 1) };
  }
  return { title, records: data.length, eligible: [...matches][0], contenders: figures };
}

registerPlayloopOperations(jsonLogic);
const flat = records();
const flatRule = run("Eligibility rule, 9 comparisons over flat records", flat, eligibility, (d) => hand(d as Flat));

const { plan } = compilePlaybook(
  `playbook: bench\nname: Bench\nmotion: upsell\neligibility:\n  require: ["health_score >= 70", "arr >= 20000", "days_since(onboarded_at) >= 60", consent.marketing]\n  suppress: ["health_score < 40 or risk.open_escalations > 0"]\njourney:\n  orchestrate:\n    - crm.task: { owner: csm }\n`,
);
const nested = flat.map((r) => ({
  health_score: r.health_score,
  arr: r.arr,
  onboarded_at: "2026-06-01",
  consent: { marketing: r.consent_marketing },
  risk: { open_escalations: r.open_escalations },
  now: "2026-11-22",
}));
const compiledRule = run(
  "seat-upsell style eligibility as the compiler emits it (nested paths, days_since)",
  nested,
  plan?.eligibility.rule,
);
updateResults((previous) => ({
  ...previous,
  rules: {
    date: new Date().toISOString(),
    machine: machine(),
    rounds: ROUNDS,
    flat_rule: flatRule,
    compiled_playbook_rule: compiledRule,
  },
}));
