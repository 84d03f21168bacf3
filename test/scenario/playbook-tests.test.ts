// `playloop test` in process: scenario files are checked with file:line:col, run on the journey
// core over a simulated clock, and a failed expectation is reported where it is written with the
// timeline that actually happened.
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadPlaybooks } from "../../engine/runtime/load-plans.js";
import { formatJunit, formatTestReport } from "../../engine/scenario/format-test-report.js";
import { parseScenario } from "../../engine/scenario/parse-scenario.js";
import { runPlaybookTests } from "../../engine/scenario/run-playbook-tests.js";
import { ROOT, printDiagnostics } from "../helpers.js";

const PLAYBOOKS = join(ROOT, "playbooks");

/** A copy of the bundled playbooks and their tests, to edit under the tests. */
function copyOfPlaybooks(): string {
  const dir = join(mkdtempSync(join(tmpdir(), "playloop-tests-")), "playbooks");
  cpSync(PLAYBOOKS, dir, { recursive: true });
  return dir;
}

const folder = {
  playbookIds: ["renewal-bundle", "seat-upsell"],
  sample: (name: string) => (name === "acme" ? { id: "acme", arr: 1 } : undefined),
};

describe("playloop test", () => {
  it("passes every bundled playbook test", () => {
    const results = runPlaybookTests([PLAYBOOKS], loadPlaybooks(PLAYBOOKS), PLAYBOOKS);
    expect(results.length).toBeGreaterThanOrEqual(1);
    const failed = results.flatMap((r) => [
      ...r.diagnostics.map((d) => d.message),
      ...r.results.filter((x) => !x.passed).map((x) => `${r.file}: ${x.expectation.text}: ${x.message}`),
    ]);
    expect(failed).toEqual([]);
    expect(formatTestReport(results)).toMatch(/test files?, \d+ expectations: \d+ passed, 0 failed\n$/);
  });

  it("fails at the expectation's file:line:col, with what happened, when a threshold changes under a test", () => {
    const dir = copyOfPlaybooks();
    const playbook = join(dir, "renewal-bundle.yaml");
    writeFileSync(playbook, readFileSync(playbook, "utf8").replace("opens: 90d", "opens: 80d"));
    const results = runPlaybookTests([join(dir, "tests/renewal-bundle.test.yaml")], loadPlaybooks(dir), dir);
    const report = formatTestReport(results);
    const file = join(dir, "tests/renewal-bundle.test.yaml");
    expect(report).toContain(`✗ ${file}`);
    expect(report).toMatch(
      new RegExp(
        `${file}:11:5 expected action crm\\.task of renewal-bundle in orchestrate \\(orchestrate\\.1\\) on day 56; got crm\\.task: day 66 `,
      ),
    );
    expect(report).toContain("what happened:");
    expect(report).toMatch(/day {2}66 {2}renewal-bundle +detect {2}fired: trigger renewal_window/);
    expect(report).toMatch(/1 test file, 8 expectations: 0 passed, 1 failed\n$/);
    // The same failure in JUnit XML, for CI.
    const junit = formatJunit(results);
    expect(junit).toMatch(/^<\?xml version="1\.0" encoding="UTF-8"\?>\n<testsuites name="playloop test">/);
    expect(junit).toMatch(/<testsuite name="[^"]+renewal-bundle\.test\.yaml" tests="8" failures="3" errors="0"/);
    expect(junit).toContain(`<failure message="${file}:11:5 got crm.task: day 66`);
  });

  it("reports a malformed test at file:line:col, before running anything", () => {
    const text = [
      "scenario: typo",
      "account: { sample: acme }",
      "timeline:",
      "  - { day: 1, event: usage.updated, snapshot: { a: 1 } }",
      "expect:",
      "  - { action: crm.task, dya: 3 }",
      "",
    ].join("\n");
    const { scenario, diagnostics } = parseScenario(text, "bad.test.yaml", folder);
    expect(scenario).toBeUndefined();
    expect(printDiagnostics(diagnostics, text)).toMatchInlineSnapshot(`
      "bad.test.yaml:4:5 error E_SCHEMA_SHAPE An event (\`event\` with its \`data\`) or a new CRM snapshot (\`snapshot\`, merged over the account) on a day.
       4 |   - { day: 1, event: usage.updated, snapshot: { a: 1 } }
         |     ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
      bad.test.yaml:6:25 error E_SCHEMA_UNKNOWN_KEY unknown key \`dya\` (did you mean \`day\`?)
       6 |   - { action: crm.task, dya: 3 }
         |                         ^^^
      "
    `);
  });

  it("names playbooks and samples the folder does not have, with did-you-mean", () => {
    const text =
      "scenario: x\nplaybooks: [renewal-bundel]\naccount: { sample: acmee }\nexpect:\n  - { outcome: completed, playbook: seat-upsel }\n";
    const { diagnostics } = parseScenario(text, "names.test.yaml", folder);
    expect(diagnostics.map((d) => `${d.line}:${d.col} ${d.code} ${d.message}`)).toEqual([
      "2:13 E_UNKNOWN_PLAYBOOK no playbook `renewal-bundel` in the folder (did you mean `renewal-bundle`?): the folder has renewal-bundle, seat-upsell",
      "3:20 E_UNKNOWN_SAMPLE no sample account `acmee`: put it in samples/acmee.json beside the playbooks",
      "5:37 E_UNKNOWN_PLAYBOOK no playbook `seat-upsel` in the folder (did you mean `seat-upsell`?): the folder has renewal-bundle, seat-upsell",
    ]);
  });

  it("takes the sample with overrides merged, and runs a year of events in the order of their days", () => {
    const text = [
      "scenario: merged",
      "account: { sample: acme, with: { id: acme-2, plan: { tier: enterprise } } }",
      "days: 365",
      "timeline:",
      "  - { day: 200, snapshot: { arr: 9 } }",
      "  - { day: 3.5, event: usage.updated }",
      "expect:",
      "  - { no_action: any }",
      "",
    ].join("\n");
    const { scenario } = parseScenario(text, "merged.test.yaml", {
      ...folder,
      sample: () => ({ id: "acme", plan: { tier: "growth", seats: 50 } }),
    });
    expect(scenario?.account).toEqual({ id: "acme-2", plan: { tier: "enterprise", seats: 50 } });
    expect(scenario?.timeline.map((e) => e.day)).toEqual([3.5, 200]);
    expect(scenario?.timeline[0]).toMatchObject({ kind: "event", id: "t2", type: "usage.updated" });
    expect(scenario?.days).toBe(365);
  });
});
