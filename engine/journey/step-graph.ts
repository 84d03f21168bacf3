// A plan's journey as a graph of steps with explicit edges. Stages are named regions of it: a
// stage's steps follow each other, its last step leads to the next stage's entry. Waits that time
// out and loops jump to a stage's entry. Branches add edges; the core only follows them.
import type { CompiledPlan, PlanStep, PlanTarget } from "../compile/plan.js";

/** One step with the stage it belongs to and where it leads when it is done. */
export interface StepNode {
  readonly step: PlanStep;
  readonly stage: string;
  /** The step that follows, or null when the journey ends after this one. */
  readonly next: string | null;
}

/** Every step of a plan by id, and the first step of each stage. */
export interface StepGraph {
  readonly nodes: ReadonlyMap<string, StepNode>;
  /** A stage's first step, following the stage order past empty stages; null when nothing follows. */
  readonly entries: ReadonlyMap<string, string | null>;
  /** The first step of the journey. */
  readonly start: string | null;
}

const graphs = new WeakMap<CompiledPlan, StepGraph>();

/** Builds (once per plan object) the step graph of a compiled plan. */
export function stepGraph(plan: CompiledPlan): StepGraph {
  const cached = graphs.get(plan);
  if (cached !== undefined) return cached;
  const stages = new Map(plan.stages.map((stage) => [stage.name as string, stage]));
  const entries = new Map<string, string | null>();
  const entryOf = (name: string | null, seen: Set<string>): string | null => {
    if (name === null || seen.has(name)) return null;
    const known = entries.get(name);
    if (known !== undefined) return known;
    const stage = stages.get(name);
    if (stage === undefined) return null;
    seen.add(name);
    return stage.steps[0]?.id ?? entryOf(stage.next, seen);
  };
  for (const stage of plan.stages) entries.set(stage.name, entryOf(stage.name, new Set()));
  const nodes = new Map<string, StepNode>();
  for (const stage of plan.stages) {
    stage.steps.forEach((step, index) => {
      const following = stage.steps[index + 1]?.id ?? entryOf(stage.next, new Set());
      nodes.set(step.id, { step, stage: stage.name, next: following });
    });
  }
  const graph: StepGraph = { nodes, entries, start: entries.get(plan.start) ?? null };
  graphs.set(plan, graph);
  return graph;
}

/** Where a jump leads: the step it names, else the entry of the stage it names; null ends the journey. */
export function targetStep(graph: StepGraph, target: PlanTarget): string | null {
  if (graph.nodes.has(target)) return target;
  return graph.entries.get(target) ?? null;
}
