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
        (step.any === undefined ? undefined : [...new Set(step.any.map((path) => path.event))].join(" or ")) ??
        step.event ??
        step.triggers?.join(" or ") ??
        (step.untilField ? `until ${step.untilField}` : `${(step.durationMs ?? 0) / 86_400_000}d`);
      const timeout = step.timeoutMs === undefined ? "" : `, up to ${step.timeoutMs / 86_400_000}d`;
      return `wait for ${what}${timeout}`;
    }
    case "branch":
      return `branch ${step.id}`;
    case "experiment":
      return `experiment ${step.name}`;
    case "loop":
      return `loop to ${step.to}${step.afterMs ? ` after ${step.afterMs / 86_400_000}d` : ""}`;
    case "end":
      return `end: ${step.outcome}`;
  }
}

function shape(step: PlanStep): string {
  const text = escape(describe(step));
  if (step.kind === "wait") return `{{"${text}"}}`;
  if (step.kind === "branch" || step.kind === "experiment") return `{"${text}"}`;
  if (step.kind === "end") return `(["${text}"])`;
  return `["${text}"]`;
}

/**
 * Renders the journey as a Mermaid flowchart: one subgraph per stage, its steps in order; a
 * branch's paths and a wait's paths are edges labelled with their conditions.
 */
export function journeyMermaid(plan: CompiledPlan): string {
  const lines = ["flowchart TD", `  start(["${escape(plan.name)}"])`];
  const first = (stage: string): string => `${stage}_0`;
  const nodeOf = new Map<string, string>();
  for (const stage of plan.stages) stage.steps.forEach((step, i) => nodeOf.set(step.id, `${stage.name}_${i}`));
  /** The node a jump lands on: a step by id, a stage's first node, or the end. */
  const target = (name: string): string => (name === "end" ? "finish" : (nodeOf.get(name) ?? first(name)));
  const edge = (from: string, to: string, label?: string, dotted = false): string =>
    label === undefined
      ? `  ${from} ${dotted ? "-.->" : "-->"} ${to}`
      : `  ${from} ${dotted ? "-." : "--"} "${escape(label)}" ${dotted ? ".->" : "-->"} ${to}`;
  const edges: string[] = [`  start --> ${first(plan.start)}`];
  for (const stage of plan.stages) {
    lines.push(`  subgraph ${stage.name}`);
    if (stage.steps.length === 0) lines.push(`    ${first(stage.name)}["(no steps)"]`);
    stage.steps.forEach((step, i) => {
      const node = `${stage.name}_${i}`;
      const next =
        i + 1 < stage.steps.length ? `${stage.name}_${i + 1}` : stage.next === null ? "finish" : first(stage.next);
      lines.push(`    ${node}${shape(step)}`);
      if (step.kind === "wait" && step.onTimeout !== undefined)
        edges.push(edge(node, target(step.onTimeout), "timeout", true));
      if (step.kind === "loop") edges.push(edge(node, first(step.to)));
      else if (step.kind === "branch") {
        for (const path of step.paths) edges.push(edge(node, target(path.goto), path.label));
        edges.push(edge(node, step.otherwise === undefined ? next : target(step.otherwise), "else"));
      } else if (step.kind === "experiment") {
        for (const variant of step.variants)
          edges.push(
            edge(
              node,
              variant.goto === undefined ? next : target(variant.goto),
              `${variant.name} ${Math.round(variant.share * 1000) / 10}%`,
            ),
          );
      } else if (step.kind === "wait" && step.any !== undefined) {
        for (const path of step.any)
          edges.push(
            edge(
              node,
              path.goto === undefined ? next : target(path.goto),
              path.label === undefined ? path.event : `${path.event}: ${path.label}`,
            ),
          );
      } else if (step.kind !== "end") edges.push(edge(node, next));
    });
    if (stage.steps.length === 0)
      edges.push(`  ${first(stage.name)} --> ${stage.next === null ? "finish" : first(stage.next)}`);
    lines.push("  end");
  }
  lines.push(`  finish(["end"])`);
  return [...lines, ...edges].join("\n") + "\n";
}
