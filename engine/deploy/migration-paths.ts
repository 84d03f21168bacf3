import type { CompiledPlan } from "../compile/plan.js";

/** What a migration does to a running play of an older version at its next stage boundary. */
export interface MigrationPath {
  /** The stage the play is in now (on the older version). */
  readonly stage: string;
  /** The stage it enters at its next boundary; absent when its journey ends there. */
  readonly into?: string;
  /** `move`: onto the new version at `into`; `end`: the new version has no `into`; `finish`: no stage follows (the journey ends or loops back to detect). */
  readonly fate: "move" | "end" | "finish";
}

/** For each stage a running play of `old` can be in, what `next`'s `at_stage_boundary` does to it. */
export function migrationPaths(old: CompiledPlan, next: CompiledPlan): MigrationPath[] {
  const stages = new Set(next.stages.map((s) => s.name));
  return old.stages
    .filter((stage) => stage.name !== old.start && stage.steps.length > 0)
    .map((stage): MigrationPath => {
      const into = stage.next;
      if (into === null) return { stage: stage.name, fate: "finish" };
      return { stage: stage.name, into, fate: stages.has(into) ? "move" : "end" };
    });
}

/** A path in words: `move to the new version entering commit`, `end: stage commit removed`. */
export function describeMigrationPath(path: MigrationPath): string {
  if (path.fate === "move") return `move to the new version entering ${path.into ?? ""}`;
  if (path.fate === "end") return `end: stage ${path.into ?? ""} removed`;
  return "stay on their version until they end or loop back to detect";
}
