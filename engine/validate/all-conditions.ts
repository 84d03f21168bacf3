import type { Expr } from "../ast/expression.js";
import type { PlaybookNode } from "../ast/playbook.js";

/** Every condition a playbook holds outside its segment definitions. */
export function allConditions(playbook: PlaybookNode): Expr[] {
  const steps = playbook.stages.flatMap((stage) => stage.steps);
  return [
    ...playbook.triggers.flatMap((t) => (t.when === undefined ? [] : [t.when])),
    ...playbook.eligibility.require.map((c) => c.condition),
    ...playbook.eligibility.suppress.map((c) => c.condition),
    ...playbook.exit.map((c) => c.condition),
    ...(playbook.goal?.when === undefined ? [] : [playbook.goal.when]),
    ...steps.flatMap((s) => (s.kind === "action" && s.when !== undefined ? [s.when] : [])),
    ...steps.flatMap((s) =>
      s.kind === "wait" && s.for.kind === "event" && s.for.when !== undefined ? [s.for.when] : [],
    ),
    ...steps.flatMap((s) =>
      s.kind === "wait" && s.for.kind === "any"
        ? s.for.paths.flatMap((p) => (p.when === undefined ? [] : [p.when]))
        : [],
    ),
    ...steps.flatMap((s) => (s.kind === "branch" ? s.paths.map((p) => p.when) : [])),
  ];
}

/** Every condition a playbook holds: its segment definitions and all the others. */
export function everyCondition(playbook: PlaybookNode): Expr[] {
  return [...playbook.segments.map((s) => s.condition), ...allConditions(playbook)];
}
