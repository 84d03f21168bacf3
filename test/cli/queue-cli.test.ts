// `playloop queue` over the bundled samples, run as the built CLI: the CSV export through its
// mapping and the JSON samples folder, as a table and as JSON, with filters and bad options.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { QueueReport } from "../../engine/queue/rank-queue.js";
import { ROOT } from "../helpers.js";

const CLI = join(ROOT, "dist/engine/cli/main.js");
const SAMPLES = join(ROOT, "playbooks/samples");
const csv = ["--accounts", join(SAMPLES, "crm-accounts.csv"), "--mapping", join(SAMPLES, "crm-mapping.yaml")];

function playloop(...args: string[]) {
  const result = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: "utf8", timeout: 20_000 });
  expect(result.error).toBeUndefined(); // no hang: the timeout would show here
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe("playloop queue", () => {
  it("ranks the CRM export by score with each account's next best play, its offer and why", () => {
    const { code, stdout, stderr } = playloop("queue", ...csv, "--at", "2026-12-01");
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(stdout).toMatch(/^queue at 2026-12-01T00:00:00\.000Z by score expansion: 5 accounts, 5 match\n/);
    expect(stdout).toMatch(/^RANK +ACCOUNT +SCORE +BAND +OWNER +NEXT BEST PLAY +OFFER$/m);
    expect(stdout).toMatch(/^1 +crm-001 +70 +ready +- +seat-upsell +seats \+20%, 10% off$/m);
    expect(stdout).toMatch(
      /^1\. crm-001 \(Northwind Traders\): 70 ready\n {3}signals {2}seat_capacity \+30, healthy \+20, reachable \+10\n/m,
    );
    expect(stdout).toMatch(
      /^ {3}why {6}trigger capacity \(Seat utilization reached 80% of the plan\): enters on the next usage\.updated$/m,
    );
    // An account every play is blocked for says why for each.
    expect(stdout).toMatch(
      /crm-004 \(Tailspin Toys\): 60 warming\n.*\n {3}next {5}none: every play is blocked\n {12}at-risk-retention: not eligible: at_risk\n/,
    );
  });

  it("prints the report as JSON, and ranks the JSON samples folder with filters", () => {
    const { code, stdout } = playloop(
      "queue",
      "--accounts",
      SAMPLES,
      "--at",
      "2026-12-01",
      "--band",
      "ready",
      "--json",
    );
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as QueueReport;
    expect(report).toMatchObject({
      scorecard: "expansion",
      accounts: 6,
      matched: 2,
      filters: { band: "ready", limit: 50 },
    });
    expect(report.rows.map((r) => [r.rank, r.account, r.score, r.next?.playbook])).toEqual([
      [1, "hooli", 80, "renewal-bundle"],
      [2, "acme", 78, "seat-upsell"],
    ]);
    expect(report.rows[0]?.next?.offer).toMatchObject({ bundle: ["analytics", "automation"], discount: 0.15 });
    const atRisk = JSON.parse(
      playloop("queue", "--accounts", SAMPLES, "--at", "2026-12-01", "--segment", "at_risk", "--json").stdout,
    ) as QueueReport;
    expect(atRisk.rows.map((r) => r.account)).toEqual(["globex"]);
  });

  it("exits 2 on bad options, naming what is wrong", () => {
    const band = playloop("queue", ...csv, "--band", "hot");
    expect([band.code, band.stderr]).toEqual([2, "--band hot: one of ready, warming, not_now\n"]);
    const segment = playloop("queue", ...csv, "--segment", "at_rsk");
    expect(segment.code).toBe(2);
    expect(segment.stderr).toMatch(/^no playbook defines the segment "at_rsk"; segments: .*at_risk/);
    expect(playloop("queue", ...csv, "--limit", "0").code).toBe(2);
    expect(playloop("queue", "--at", "2026-12-01").stderr).toMatch(
      /--at, --mapping and --playbooks go with --accounts/,
    );
  });
});
