import { describe, expect, it } from "vitest";
import { DIAGNOSTIC_CODES } from "../../engine/index.js";
import { readRepoFile } from "../helpers.js";

describe("docs", () => {
  it("docs/diagnostics.md lists exactly the codes the engine emits", () => {
    const documented = [...readRepoFile("docs/diagnostics.md").matchAll(/^\| `([EW]_[A-Z_]+)` +\|/gm)].map((m) => m[1]);
    expect(documented).toEqual(Object.keys(DIAGNOSTIC_CODES));
  });

  it("the README quick start has exactly two commands", () => {
    const readme = readRepoFile("README.md");
    const quickStart = readme.split(/^## /m).find((section) => section.startsWith("Quick start")) ?? "";
    const block = /```sh\n([\s\S]*?)```/.exec(quickStart)?.[1] ?? "";
    const commands = block.split("\n").filter((line) => line.trim() !== "" && !line.trim().startsWith("#"));
    expect(commands).toEqual(["npm install && npm start", "npm test"]);
  });
});
