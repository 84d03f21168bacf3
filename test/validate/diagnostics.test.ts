import { describe, expect, it } from "vitest";
import { validatePlaybook } from "../../engine/index.js";
import { printDiagnostics, readRepoFile, yamlFixtures } from "../helpers.js";

const fixtures = yamlFixtures("diagnostics");

describe("diagnostic goldens", () => {
  it("finds the fixtures", () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(12);
  });

  it.each(fixtures)("%s reports every problem at file:line:col", async (name, file) => {
    const text = readRepoFile(file);
    const { playbook, diagnostics } = validatePlaybook(text, file);
    expect(playbook).toBeUndefined();
    expect(diagnostics.some((d) => d.severity === "error")).toBe(true);
    for (const d of diagnostics) {
      expect(d.file).toBe(file);
      expect(d.line).toBeGreaterThanOrEqual(1);
      expect(d.col).toBeGreaterThanOrEqual(1);
    }
    await expect(printDiagnostics(diagnostics, text)).toMatchFileSnapshot(
      `../fixtures/diagnostics/${name}.diagnostics.txt`,
    );
  });
});
