import type { CompiledPlan, PlanStep } from "../compile/plan.js";

function escape(text: string): string {
  return text.replace(/"/g, "#quot;").replace(/[<>]/g, (c) => (c === "<" ? "#lt;" : "#gt;"));
}

function describe(step: PlanStep): string {
  switch (step.kind) {
    case "action": {
      const detail =
        step.title ??
        step.template ??
        (step.offer
          ? `${step.offer.sku ?? step.offer.plan ?? step.offer.bundle?.join(" + ") ?? "offer"}, ${Math.round(step.offer.discount * 100)}% off`
          : step.owner);
      return detail === undefined ? step.action : `${step.action}: ${detail}`;
    }
    case "wait": {
      const what =
        step.event ??
        step.triggers?.join(" or ") ??
        (step.untilField ? `until ${step.untilField}` : `${(step.durationMs ?? 0) / 86_400_000}d`);
      const timeout = step.timeoutMs === undefined ? "" : `, up to ${step.timeoutMs / 86_400_000}d`;
      return `wait for ${what}${timeout}`;
    }
    case "loop":
      return `loop to ${step.to}${step.afterMs ? ` after ${step.afterMs / 86_400_000}d` : ""}`;
    case "end":
      return `end: ${step.outcome}`;
  }
}

/** Renders the journey as a Mermaid flowchart: one subgraph per stage, its steps in order. */
export function journeyMermaid(plan: CompiledPlan): string {
  const lines = ["flowchart TD", `  start(["${escape(plan.name)}"])`];
  const first = (stage: string): string => `${stage}_0`;
  const edges: string[] = [`  start --> ${first(plan.start)}`];
  for (const stage of plan.stages) {
    lines.push(`  subgraph ${stage.name}`);
    if (stage.steps.length === 0) lines.push(`    ${first(stage.name)}["(no steps)"]`);
    stage.steps.forEach((step, i) => {
      const node = `${stage.name}_${i}`;
      const shape =
        step.kind === "wait"
          ? `{{"${escape(describe(step))}"}}`
          : step.kind === "end"
            ? `(["${escape(describe(step))}"])`
            : `["${escape(describe(step))}"]`;
      lines.push(`    ${node}${shape}`);
      if (step.kind === "wait" && step.onTimeout !== undefined) {
        edges.push(`  ${node} -. timeout .-> ${step.onTimeout === "end" ? "finish" : first(step.onTimeout)}`);
      }
      if (step.kind === "loop") edges.push(`  ${node} --> ${first(step.to)}`);
      else if (step.kind !== "end") {
        const next =
          i + 1 < stage.steps.length ? `${stage.name}_${i + 1}` : stage.next === null ? "finish" : first(stage.next);
        edges.push(`  ${node} --> ${next}`);
      }
    });
    if (stage.steps.length === 0)
      edges.push(`  ${first(stage.name)} --> ${stage.next === null ? "finish" : first(stage.next)}`);
    lines.push("  end");
  }
  lines.push(`  finish(["end"])`);
  return [...lines, ...edges].join("\n") + "\n";
}
