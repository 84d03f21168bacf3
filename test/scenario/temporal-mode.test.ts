// `playloop test --temporal`: the same playbook tests on the real account workflow, each on its own
// time-skipping Temporal server. The bundled tests pass there as in process, a changed playbook
// fails there at the same expectation, and a test's dates move with the server's clock.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { shiftDates } from "../../engine/scenario/run-scenario-temporal.js";
import { changedRenewalFolder, ROOT } from "../helpers.js";

const CLI = join(ROOT, "dist/engine/cli/main.js");

function playloop(...args: string[]) {
  const result = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: "utf8", timeout: 120_000 });
  expect(result.error).toBeUndefined(); // no hang: the timeout would show here
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe("playloop test --temporal", () => {
  it("passes the bundled tests on the account workflow, and fails a changed playbook at the same expectation", () => {
    const passed = playloop("test", "--temporal", "playbooks/");
    expect(passed.stdout).toMatch(/\d+ test files, \d+ expectations: (\d+) passed, 0 failed/);
    expect(passed.code).toBe(0);
    expect(passed.stderr).toBe("");

    const dir = changedRenewalFolder();
    const inProcess = playloop("test", dir);
    const onTemporal = playloop("test", "--temporal", dir);
    expect(onTemporal.code).toBe(1);
    expect(onTemporal.stdout).toContain(`${join(dir, "tests/renewal-bundle.test.yaml")}:11:5 expected action crm.task`);
    // The same expectations fail in both modes (what happened instead is read more coarsely on Temporal).
    const failures = (out: string) =>
      out
        .split("\n")
        .filter((line) => /^\s+\S+\.test\.yaml:\d+:\d+ /.test(line))
        .map((l) => l.replace(/; .*/, ""));
    expect(failures(onTemporal.stdout)).toEqual(failures(inProcess.stdout));
  }, 180_000);

  it("moves a test's dates by whole 52-week years, keeping weekdays and times of day", () => {
    const shift = 364 * 86_400_000;
    expect(
      shiftDates(
        {
          renewal_date: "2026-06-01",
          at: "2026-01-05T10:00:00Z",
          nested: [{ when: "2026-02-01T09:30:00.000+01:00" }],
          note: "renews 2026-06-01",
          seats: 50,
        },
        shift,
      ),
    ).toEqual({
      renewal_date: "2027-05-31",
      at: "2027-01-04T10:00:00.000Z",
      nested: [{ when: "2027-01-31T08:30:00.000Z" }],
      note: "renews 2026-06-01",
      seats: 50,
    });
    expect(new Date("2027-05-31").getUTCDay()).toBe(new Date("2026-06-01").getUTCDay());
  });
});
