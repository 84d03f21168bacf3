import { describe, expect, it } from "vitest";
import { DIAGNOSTIC_CODES } from "../../engine/index.js";
import { validateScorecard } from "../../engine/validate/validate-scorecard.js";
import { readRepoFile } from "../helpers.js";

describe("docs", () => {
  it("docs/diagnostics.md lists exactly the codes the engine emits", () => {
    const documented = [...readRepoFile("docs/diagnostics.md").matchAll(/^\| `([EW]_[A-Z_]+)` +\|/gm)].map((m) => m[1]);
    expect(documented).toEqual(Object.keys(DIAGNOSTIC_CODES));
  });

  it("docs/language.md's scorecard example validates, with the bundled scorecard's signals and weights", () => {
    const section = readRepoFile("docs/language.md")
      .split(/^## /m)
      .find((s) => s.startsWith("Scorecard and queue"));
    const example = /```yaml\n([\s\S]*?)```/.exec(section ?? "")?.[1] ?? "";
    const documented = validateScorecard(example, "docs/language.md");
    expect(documented.diagnostics).toEqual([]);
    const bundled = validateScorecard(readRepoFile("playbooks/scorecard.yaml"));
    const weights = (card: typeof documented) =>
      card.scorecard?.signals.map((signal) => [signal.name, signal.weight, signal.label]);
    expect(weights(documented)).toEqual(weights(bundled));
    expect(documented.scorecard?.bands).toEqual(bundled.scorecard?.bands);
  });

  it("the README quick start has exactly two commands", () => {
    const readme = readRepoFile("README.md");
    const quickStart = readme.split(/^## /m).find((section) => section.startsWith("Quick start")) ?? "";
    const block = /```sh\n([\s\S]*?)```/.exec(quickStart)?.[1] ?? "";
    const commands = block.split("\n").filter((line) => line.trim() !== "" && !line.trim().startsWith("#"));
    expect(commands).toEqual(["npm install && npm start", "npm test"]);
  });
});
