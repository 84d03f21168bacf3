// Checks on the journey as a graph of steps: every jump (a branch's paths, a wait's paths and
// timeout) names a stage, a step or `end`; every stage and step can be reached; no path goes round
// without a wait or a delay (it would spin); a branch says where it goes when no path matches.
import type { NameRef, PlaybookNode, StepNode } from "../ast/playbook.js";
import type { DiagnosticCode } from "../diagnostics/codes.js";
import { didYouMean } from "../diagnostics/suggest.js";
import type { Span } from "../parse/locate.js";

type Report = (code: DiagnosticCode, message: string, span: Span) => void;

/** A step's place: stage index and step index, as one key. */
type Key = string;
const END = "end";

interface Located {
  readonly key: Key;
  readonly stage: number;
  readonly index: number;
  readonly step: StepNode;
}

class JourneyGraph {
  readonly steps: Located[] = [];
  private readonly byId = new Map<string, Located>();
  private readonly stageIndex: Map<string, number>;
  /** Edges from each step (keys, or END). */
  readonly edges = new Map<Key, Key[]>();
  readonly reachedStages = new Set<number>();
  /** True while building the edges: unknown targets are reported then, once each. */
  private reporting = false;

  constructor(
    private readonly playbook: PlaybookNode,
    private readonly report: Report,
  ) {
    this.stageIndex = new Map(playbook.stages.map((stage, i) => [stage.name, i]));
    playbook.stages.forEach((stage, s) =>
      stage.steps.forEach((step, i) => {
        const located = { key: `${s}:${i}`, stage: s, index: i, step };
        this.steps.push(located);
        if (!this.byId.has(step.id)) this.byId.set(step.id, located);
      }),
    );
  }

  /** The first step reached on entering stage `s` (past empty stages), marking the stages passed. */
  private entry(s: number, mark: boolean): Key {
    for (let i = s; i < this.playbook.stages.length; i++) {
      if (mark) this.reachedStages.add(i);
      if ((this.playbook.stages[i]?.steps.length ?? 0) > 0) return `${i}:0`;
    }
    return END;
  }

  /** The step after `at`: the next in its stage, or the next stage's entry. */
  private next(at: Located, mark: boolean): Key {
    const stage = this.playbook.stages[at.stage];
    if (stage !== undefined && at.index + 1 < stage.steps.length) return `${at.stage}:${at.index + 1}`;
    return this.entry(at.stage + 1, mark);
  }

  /** Where a named jump lands, or undefined (reported) when it names nothing. */
  private target(ref: NameRef, mark: boolean): Key | undefined {
    if (ref.name === END) return END;
    const step = this.byId.get(ref.name);
    if (step !== undefined) return step.key;
    const stage = this.stageIndex.get(ref.name);
    if (stage !== undefined) return this.entry(stage, mark);
    if (this.reporting) {
      const known = [...this.playbook.stages.map((s) => s.name), ...this.byId.keys(), END];
      this.report(
        "E_UNKNOWN_TARGET",
        `unknown target \`${ref.name}\`: not a stage, a step id of this journey or \`end\`${didYouMean(ref.name, known) || `; stages: ${this.playbook.stages.map((s) => s.name).join(", ")}`}`,
        ref.span,
      );
    }
    return undefined;
  }

  /** Every step a step can lead to; `mark` marks the stages entered on the way. */
  successors(at: Located, mark: boolean): Key[] {
    const step = at.step;
    const out: (Key | undefined)[] = [];
    // An unknown target (reported) counts as going on, so it does not also make later steps unreachable.
    const to = (ref: NameRef | undefined): Key =>
      (ref === undefined ? undefined : this.target(ref, mark)) ?? this.next(at, mark);
    switch (step.kind) {
      case "action":
        out.push(this.next(at, mark));
        break;
      case "wait":
        if (step.for.kind === "any") for (const path of step.for.paths) out.push(to(path.goto));
        else out.push(this.next(at, mark));
        if (step.timeoutMs !== undefined || step.onTimeout !== undefined) out.push(to(step.onTimeout));
        break;
      case "branch":
        for (const path of step.paths) out.push(to(path.goto));
        out.push(to(step.otherwise));
        break;
      case "experiment":
        for (const variant of step.variants) out.push(to(variant.goto));
        break;
      case "loop": {
        const stage = this.stageIndex.get(step.to.name);
        if (stage !== undefined) out.push(this.entry(stage, mark));
        break;
      }
      case "end":
        break;
    }
    return [...new Set(out.filter((key): key is Key => key !== undefined))];
  }

  build(): void {
    this.reporting = true;
    for (const at of this.steps) this.edges.set(at.key, this.successors(at, false));
    this.reporting = false;
  }

  /** The steps reachable from the journey's start, marking the stages entered on the way. */
  reachable(): Set<Key> {
    const start = this.stageIndex.get(this.playbook.stages[0]?.name ?? "") ?? 0;
    const seen = new Set<Key>();
    const queue = [this.entry(start, true)];
    const located = new Map(this.steps.map((at) => [at.key, at]));
    while (queue.length > 0) {
      const key = queue.pop() as Key;
      if (key === END || seen.has(key)) continue;
      seen.add(key);
      const at = located.get(key);
      if (at === undefined) continue;
      this.reachedStages.add(at.stage);
      queue.push(...this.successors(at, true));
    }
    return seen;
  }
}

/** Whether a step waits before going on: a wait, or a loop with a pause. */
function waits(step: StepNode): boolean {
  return step.kind === "wait" || (step.kind === "loop" && step.afterMs !== undefined);
}

/** Why the step before `at` never goes on to it, in words. */
function notFallingThrough(before: StepNode | undefined): string {
  if (before?.kind === "loop" || before?.kind === "end")
    return `the \`${before.kind}\` before it always leaves the stage`;
  if (before?.kind === "branch") return "the branch before it always jumps elsewhere";
  if (before?.kind === "experiment") return "every variant of the experiment before it jumps elsewhere";
  if (before?.kind === "wait") return "every way out of the wait before it jumps elsewhere";
  return "nothing leads to it";
}

/** The groups of steps that lead to each other without waiting (Tarjan's strongly connected components). */
function spinningGroups(graph: JourneyGraph): Located[][] {
  const located = new Map(graph.steps.map((at) => [at.key, at]));
  const eager = (key: Key): boolean => {
    const at = located.get(key);
    return at !== undefined && !waits(at.step);
  };
  const index = new Map<Key, number>();
  const low = new Map<Key, number>();
  const stack: Key[] = [];
  const onStack = new Set<Key>();
  const groups: Located[][] = [];
  let counter = 0;
  const visit = (key: Key): void => {
    index.set(key, counter);
    low.set(key, counter++);
    stack.push(key);
    onStack.add(key);
    for (const next of (graph.edges.get(key) ?? []).filter(eager)) {
      if (!index.has(next)) {
        visit(next);
        low.set(key, Math.min(low.get(key) ?? 0, low.get(next) ?? 0));
      } else if (onStack.has(next)) low.set(key, Math.min(low.get(key) ?? 0, index.get(next) ?? 0));
    }
    if (low.get(key) !== index.get(key)) return;
    const group: Key[] = [];
    for (let member = stack.pop(); member !== undefined; member = stack.pop()) {
      onStack.delete(member);
      group.push(member);
      if (member === key) break;
    }
    const selfLoop = (graph.edges.get(key) ?? []).includes(key);
    if (group.length > 1 || selfLoop)
      groups.push(group.map((k) => located.get(k) as Located).sort((a, b) => a.stage - b.stage || a.index - b.index));
  };
  for (const at of graph.steps) if (!waits(at.step) && !index.has(at.key)) visit(at.key);
  return groups;
}

/** Runs the graph checks on a playbook's journey. */
export function checkJourneyGraph(playbook: PlaybookNode, report: Report): void {
  const stageNames = new Set<string>(playbook.stages.map((s) => s.name));
  for (const stage of playbook.stages)
    for (const step of stage.steps)
      if (stageNames.has(step.id) || step.id === END)
        report(
          "E_DUPLICATE_ID",
          `step id \`${step.id}\` is ${step.id === END ? "reserved (a jump to `end` ends the journey)" : "also a stage's name"}; a jump to it would be ambiguous`,
          step.span,
        );
  if (playbook.stages.every((s) => s.steps.length === 0)) {
    report("E_EMPTY_JOURNEY", "the journey has no steps; give at least one stage a step", playbook.span);
    return;
  }
  const graph = new JourneyGraph(playbook, report);
  graph.build();
  const reached = graph.reachable();

  playbook.stages.forEach((stage, s) => {
    if (!graph.reachedStages.has(s)) {
      report(
        "E_UNREACHABLE_STAGE",
        `stage \`${stage.name}\` can never be entered: the stage before it never goes on to it, and nothing jumps to it`,
        stage.span,
      );
      return;
    }
    stage.steps.forEach((step, i) => {
      const previousReached = i > 0 && reached.has(`${s}:${i - 1}`);
      if (reached.has(`${s}:${i}`) || (i > 0 && !previousReached)) return;
      report(
        "E_UNREACHABLE_STEP",
        `this step never runs: ${notFallingThrough(stage.steps[i - 1])}, and nothing jumps to it`,
        step.span,
      );
    });
  });

  for (const group of spinningGroups(graph)) {
    const first = group[0] as Located;
    const ids = group.map((at) => at.step.id);
    report(
      "E_JOURNEY_SPINS",
      `these steps lead to each other without a wait or a delay, so a journey could go round forever: ${[...ids, ids[0]].join(" -> ")}; put a \`wait\` (or a loop's \`after\`) on the way`,
      first.step.span,
    );
  }

  for (const at of graph.steps) {
    const step = at.step;
    if (step.kind !== "branch" || step.otherwise !== undefined) continue;
    if (step.paths.some((path) => path.when.kind === "literal" && path.when.value === true)) continue;
    report(
      "W_BRANCH_NO_DEFAULT",
      "when no path's condition holds, the journey goes on with the next step; add `else:` to say where it goes",
      step.span,
    );
  }
}
