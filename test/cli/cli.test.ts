import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { changedRenewalFolder, ROOT } from "../helpers.js";

const CLI = join(ROOT, "dist/engine/cli/main.js");

function playloop(...args: string[]) {
  const result = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: "utf8", timeout: 10_000 });
  expect(result.error).toBeUndefined(); // no hang: the timeout would show here
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function tempFile(name: string, content: string | Uint8Array): string {
  const file = join(mkdtempSync(join(tmpdir(), "playloop-")), name);
  writeFileSync(file, content);
  return file;
}

const BAD_INPUTS: [what: string, content: string | Uint8Array, code: string, line: number][] = [
  [
    "an unknown key",
    "playbook: x\nname: X\nmotion: upsell\nprority: 5\njourney: { detect: [ { wait: { duration: 1d } } ] }\n",
    "E_SCHEMA_UNKNOWN_KEY",
    4,
  ],
  [
    "a wrong type",
    "playbook: x\nname: X\nmotion: upsell\npriority: high\njourney: { detect: [ { wait: { duration: 1d } } ] }\n",
    "E_SCHEMA_TYPE",
    4,
  ],
  [
    "a dangling reference",
    "playbook: x\nname: X\nmotion: upsell\neligibility:\n  suppress: [at_risk]\njourney: { detect: [ { wait: { duration: 1d } } ] }\n",
    "E_UNKNOWN_SEGMENT",
    5,
  ],
  ["a YAML syntax error", "playbook: x\nname: [X\nmotion: upsell\n", "E_YAML_SYNTAX", 3],
  [
    "an alias bomb",
    readFileSync(join(ROOT, "test/fixtures/diagnostics/alias-bomb.yaml"), "utf8"),
    "E_YAML_ALIAS_LIMIT",
    2,
  ],
  ["an empty file", "", "E_FILE_EMPTY", 1],
  ["a binary file", Uint8Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256), "E_FILE_BINARY", 1],
  ["a huge file", `playbook: x\n${"# padding\n".repeat(120_000)}`, "E_FILE_TOO_LARGE", 1],
  ["tabs", "playbook: x\n\tname: X\n", "E_YAML_TAB", 2],
  ["deeply nested YAML", `a: ${"[".repeat(50_000)}${"]".repeat(50_000)}\n`, "E_YAML_SYNTAX", 1],
  [
    "an overlong condition",
    `playbook: x\nname: X\nmotion: upsell\nexit: ["${Array(1000).fill("a > 1").join(" and ")}"]\njourney: { detect: [ { wait: { duration: 1d } } ] }\n`,
    "E_EXPRESSION_UNSUPPORTED",
    4,
  ],
  ["duplicate keys", "playbook: x\nplaybook: y\n", "E_YAML_DUPLICATE_KEY", 2],
];

describe("playloop validate", () => {
  it("accepts the bundled playbooks", () => {
    const { code, stdout, stderr } = playloop("validate", "playbooks");
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(stdout).toMatch(/^6 playbooks valid: at-risk-retention, downsell-save, dsr-engagement-upsell/);
  });

  it.each(BAD_INPUTS)("rejects %s with exit 1 and file:line:col, no stack trace", (_what, content, code, line) => {
    const file = tempFile("playbook.yaml", content);
    const result = playloop("validate", file);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`${file}:${line}:`);
    expect(result.stderr).toContain(`error ${code}`);
    expect(result.stderr).not.toMatch(/\n\s+at .*\(/); // no stack trace
  });

  it("reports a missing file and duplicate playbook ids across files", () => {
    expect(playloop("validate", "no/such/file.yaml").stderr).toContain("no/such/file.yaml:1:1 error E_FILE_READ");
    const copy = tempFile("copy.yaml", readFileSync(join(ROOT, "playbooks/seat-upsell.yaml")));
    const result = playloop("validate", "playbooks/seat-upsell.yaml", copy);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      "E_DUPLICATE_ID playbook id `seat-upsell` is already used by playbooks/seat-upsell.yaml:2",
    );
  });

  it("prints diagnostics as JSON with --json", () => {
    const file = tempFile("p.yaml", "playbook: x\n");
    const result = playloop("validate", "--json", file);
    expect(result.code).toBe(1);
    const parsed = JSON.parse(result.stdout) as { diagnostics: { code: string; line: number }[] };
    expect(parsed.diagnostics.map((d) => d.code)).toContain("E_SCHEMA_REQUIRED");
  });
});

describe("playloop compile and graph", () => {
  it("prints one playbook's plan as JSON", () => {
    const result = playloop("compile", "playbooks/seat-upsell.yaml");
    expect(result.code).toBe(0);
    const plan = JSON.parse(result.stdout) as { id: string; version: string };
    expect(plan.id).toBe("seat-upsell");
    expect(playloop("compile", "playbooks/seat-upsell.yaml").stdout).toBe(result.stdout);
  });

  it("writes every plan with --out-dir", () => {
    const dir = mkdtempSync(join(tmpdir(), "plans-"));
    const result = playloop("compile", "playbooks", "--out-dir", dir);
    expect(result.code).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, "renewal-bundle.plan.json"), "utf8")).id).toBe("renewal-bundle");
  });

  it("renders the journey as a Mermaid flowchart", () => {
    const result = playloop("graph", "playbooks/seat-upsell.yaml");
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^flowchart TD\n/);
    expect(result.stdout).toContain("subgraph commit");
    expect(result.stdout).toContain("expand_1 --> detect_0");
    expect(result.stdout).toContain('detect_0 -. "timeout" .-> finish');
    // The capacity_prompt experiment, an edge per variant.
    expect(result.stdout).toContain('orchestrate_0{"experiment capacity_prompt"}');
    expect(result.stdout).toContain('orchestrate_0 -- "insight 50%" --> orchestrate_1');
    expect(result.stdout).toContain('orchestrate_0 -- "roi_first 50%" --> orchestrate_1');
  });

  it.each(["", "validate", "compile", "graph", "dev", "worker", "serve", "event", "status"])(
    "has --help for `playloop %s`",
    (command) => {
      const result = playloop(...(command === "" ? [] : [command]), "--help");
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/Usage: playloop/);
    },
  );

  it("fails clearly on an unknown command", () => {
    const result = playloop("valdate", "playbooks");
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/unknown command 'valdate'/);
  });
});

describe("playloop event and status", () => {
  it("say clearly when no API is running", () => {
    const env = { ...process.env, PLAYLOOP_API_URL: "http://127.0.0.1:1" };
    for (const args of [
      ["status", "acme"],
      ["event", "acme", "usage.updated", "--data", '{"usage": {}}'],
    ]) {
      const result = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: "utf8", timeout: 10_000, env });
      expect(result.status).toBe(1);
      expect(result.stderr).toMatch(/cannot reach the playloop API at http:\/\/127.0.0.1:1/);
    }
  });

  it("rejects --data that is not JSON", () => {
    const result = playloop("event", "acme", "usage.updated", "--data", "{nope");
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/--data is not valid JSON/);
  });
});

describe("the package entry", () => {
  it("is importable by the package's own name after the build", () => {
    const script = `import("playloop").then((m) => console.log(Object.keys(m).sort().join(",")))`;
    const result = spawnSync(process.execPath, ["--input-type=module", "-e", script], { cwd: ROOT, encoding: "utf8" });
    expect(result.stderr).toBe("");
    for (const name of ["parsePlaybook", "validatePlaybook", "compilePlaybook", "compileRule", "evaluate"]) {
      expect(result.stdout.trim().split(",")).toContain(name);
    }
  });
});

describe("validate on a playbook that migrates running plays", () => {
  it("names, against the version committed in git, the stages whose running plays would move and those that would end", () => {
    const dir = mkdtempSync(join(tmpdir(), "playloop-git-"));
    const git = (...args: string[]) =>
      spawnSync("git", ["-C", dir, "-c", "user.email=t@example.com", "-c", "user.name=t", ...args], {
        encoding: "utf8",
      });
    const committed = readFileSync(join(ROOT, "playbooks/seat-upsell.yaml"), "utf8");
    writeFileSync(join(dir, "seat-upsell.yaml"), committed);
    git("init", "-q");
    git("add", ".");
    git("commit", "-qm", "seat-upsell");
    const withoutCommit = committed
      .replace(/ {2}commit:\n(?: {4}-.*\n){2}/, "")
      .replace("on_timeout: commit", "on_timeout: expand");
    writeFileSync(join(dir, "seat-upsell.yaml"), `versioning: { running: at_stage_boundary }\n${withoutCommit}`);
    const { code, stdout } = playloop("validate", dir);
    expect(code).toBe(0);
    expect(stdout.split("\n")).toEqual([
      "1 playbook valid: seat-upsell",
      "seat-upsell: running plays of the committed version (HEAD) migrate at their next stage boundary:",
      "  in orchestrate: move to the new version entering prove",
      "  in prove: end: stage commit removed",
      "  in commit: move to the new version entering expand",
      "  in expand: stay on their version until they end or loop back to detect",
      "",
    ]);
  });
});

describe("test", () => {
  it("exits 0 on the bundled tests, 1 on a failed expectation, 2 on an invalid file, and writes JUnit XML", () => {
    const passed = playloop("test", "playbooks/");
    expect(passed.code).toBe(0);
    expect(passed.stdout).toMatch(/✓ .*renewal-bundle\.test\.yaml/);
    expect(passed.stdout).toMatch(/✓ .*seat-upsell\.test\.yaml/);
    expect(passed.stdout).toMatch(/✓ .*seat-upsell-roi-first\.test\.yaml/);

    const dir = changedRenewalFolder();
    const junit = join(dir, "report.xml");
    const failed = playloop("test", dir, "--reporter", "junit", "--output", junit);
    expect(failed.code).toBe(1);
    expect(failed.stdout).toContain(`${join(dir, "tests/renewal-bundle.test.yaml")}:11:5 expected action crm.task`);
    expect(readFileSync(junit, "utf8")).toMatch(/<testsuite name="[^"]+" tests="8" failures="[1-9]" errors="0"/);

    writeFileSync(join(dir, "tests/broken.test.yaml"), "scenario: broken\naccount: { sample: acme }\nexpect: []\n");
    const invalid = playloop("test", dir);
    expect(invalid.code).toBe(2);
    expect(invalid.stdout).toContain(`${join(dir, "tests/broken.test.yaml")}:3:9 error E_SCHEMA_VALUE`);
  });
});
