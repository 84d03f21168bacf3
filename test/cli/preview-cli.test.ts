import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "../helpers.js";

const CLI = join(ROOT, "dist/engine/cli/main.js");
const SAMPLES = join(ROOT, "playbooks/samples");

function playloop(...args: string[]) {
  const result = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: "utf8", timeout: 20_000 });
  expect(result.error).toBeUndefined(); // no hang: the timeout would show here
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const csv = ["--accounts", join(SAMPLES, "crm-accounts.csv"), "--mapping", join(SAMPLES, "crm-mapping.yaml")];

describe("playloop preview", () => {
  it("prints per play who would enter and why the others would not, with example accounts", () => {
    const { code, stdout, stderr } = playloop("preview", ...csv, "--at", "2026-12-04");
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(stdout).toMatch(
      /^preview at 2026-12-04T00:00:00\.000Z: 5 accounts from .*crm-accounts\.csv, 6 playbooks, evaluated in [\d.]+ ms/,
    );
    expect(stdout).toMatch(/seat-upsell · Seat upsell at capacity \(priority 50\): 1 of 5 would enter now, 2 eligible/);
    expect(stdout).toMatch(/ 1 {2}not eligible: consent\.marketing +crm-004\n/);
    expect(stdout).toMatch(/ 1 {2}suppressed: at_risk +crm-003\n/);
  });

  it("prints the documented JSON with --json, for one playbook", () => {
    const { code, stdout } = playloop("preview", "renewal-bundle", ...csv, "--at", "2026-12-04", "--json");
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as {
      plays: { playbook: string; accounts: number; eligible: number; reasons: Record<string, number> }[];
    };
    expect(report.plays.map((p) => p.playbook)).toEqual(["renewal-bundle"]);
    const [play] = report.plays;
    expect(play?.accounts).toBe(5);
    expect(Object.values(play?.reasons ?? {}).reduce((a, b) => a + b, 0)).toBe(5);
    expect(play?.reasons["not eligible: consent.marketing"]).toBe(1);
  });

  it("previews the good lines of an export and exits 1 naming the bad ones; exits 2 on bad options", () => {
    const dir = mkdtempSync(join(tmpdir(), "playloop-preview-"));
    const file = join(dir, "accounts.ndjson");
    writeFileSync(file, `{"id":"a1","name":"A","health_score":90}\nnot json\n{"name":"no id"}\n`);
    const partial = playloop("preview", "--accounts", file, "--at", "2026-12-04", "--json");
    expect(partial.code).toBe(1);
    expect(partial.stderr).toMatch(/accounts\.ndjson:2: rejected: not valid JSON/);
    expect(partial.stderr).toMatch(/accounts\.ndjson:3: rejected: .*id/);
    expect(JSON.parse(partial.stdout) as { accounts: number; rejected: number }).toMatchObject({
      accounts: 1,
      rejected: 2,
    });
    expect(playloop("preview", "nope", "--accounts", file).stderr).toMatch(/unknown playbook "nope": the folder has /);
    expect(playloop("preview", "nope", "--accounts", file).code).toBe(2);
    expect(playloop("preview", "--accounts", file, "--at", "soon").code).toBe(2);
    const missing = playloop("preview", "--accounts", join(dir, "missing.csv"));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/missing\.csv: /);
  });
});
