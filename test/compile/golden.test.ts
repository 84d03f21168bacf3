import { describe, expect, it } from "vitest";
import { compilePlaybook, formatJson, journeyMermaid } from "../../engine/index.js";
import { PLAYBOOK_IDS, readRepoFile, yamlFixtures } from "../helpers.js";

const fixtures = yamlFixtures("compile");

function compileFile(file: string) {
  const result = compilePlaybook(readRepoFile(file), file);
  expect(result.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  if (result.plan === undefined) throw new Error(`${file} did not compile`);
  return result.plan;
}

describe("compiler goldens", () => {
  it("finds the fixtures", () => {
    expect(fixtures.map(([name]) => name)).toEqual([
      "branches",
      "conditions",
      "counts",
      "experiments",
      "journey",
      "templates",
      "triggers",
    ]);
  });

  it.each(fixtures)("%s compiles to its golden JSON Logic", async (name, file) => {
    const plan = compileFile(file);
    const logic = {
      segments: plan.segments,
      triggers: plan.triggers,
      eligibility: plan.eligibility,
      goal: plan.goal,
      exit: plan.exit,
      stages: plan.stages,
    };
    await expect(`${formatJson(logic)}\n`).toMatchFileSnapshot(`../fixtures/compile/${name}.logic.json`);
  });

  it.each(PLAYBOOK_IDS)("playbooks/%s.yaml compiles to its golden plan", async (id) => {
    const plan = compileFile(`playbooks/${id}.yaml`);
    expect(plan.id).toBe(id);
    await expect(`${formatJson(plan)}\n`).toMatchFileSnapshot(`../fixtures/plans/${id}.plan.json`);
  });

  it("gives byte-identical output and the same version for the same input", () => {
    const text = readRepoFile("playbooks/seat-upsell.yaml");
    const a = JSON.stringify(compilePlaybook(text, "a.yaml").plan);
    const b = JSON.stringify(compilePlaybook(text, "elsewhere/b.yaml").plan);
    expect(a).toBe(b);
  });

  it("changes the version when the playbook changes", () => {
    const text = readRepoFile("playbooks/seat-upsell.yaml");
    const before = compilePlaybook(text).plan?.version;
    const after = compilePlaybook(text.replace("max: 15%", "max: 14%")).plan?.version;
    expect(before).toMatch(/^sha256:[0-9a-f]{16}$/);
    expect(after).toMatch(/^sha256:[0-9a-f]{16}$/);
    expect(after).not.toBe(before);
  });

  it.each(fixtures)(
    "%s draws as its golden Mermaid graph, every jump an edge labelled with its condition",
    async (name, file) => {
      await expect(journeyMermaid(compileFile(file))).toMatchFileSnapshot(`../fixtures/compile/${name}.mmd`);
    },
  );
});
