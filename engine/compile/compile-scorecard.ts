// Scorecard AST -> the compiled scorecard: each signal's condition or value as a JSON Logic rule,
// and the events its signals count, so the core keeps them like a plan's.
import type { ScorecardNode } from "../ast/scorecard.js";
import { compileCondition } from "./compile-condition.js";
import { countedEvents } from "./counted-events.js";
import type { Scorecard, ScorecardSignal } from "./scorecard.js";

/** A scorecard has no segments: a condition names fields, functions and counts only. */
const NO_SEGMENTS = new Map();

/** Compiles a checked scorecard. Deterministic: the same file gives the same JSON. */
export function compileScorecard(node: ScorecardNode): Scorecard {
  const signals = node.signals.map((signal): ScorecardSignal => {
    const common = {
      name: signal.name,
      weight: signal.weight,
      label: signal.label,
      ...(signal.description === undefined ? {} : { description: signal.description }),
    };
    const measure = signal.measure;
    return measure.kind === "when"
      ? { ...common, kind: "when", when: compileCondition(measure.condition, NO_SEGMENTS) }
      : {
          ...common,
          kind: "graded",
          value: compileCondition(measure.value, NO_SEGMENTS),
          from: measure.from,
          to: measure.to,
        };
  });
  const counts = countedEvents(
    node.signals.map((signal) => (signal.measure.kind === "when" ? signal.measure.condition : signal.measure.value)),
  );
  return {
    name: node.name,
    ...(node.description === undefined ? {} : { description: node.description }),
    scale: node.scale,
    bands: node.bands,
    ...(node.normalize ? { normalize: true as const } : {}),
    signals,
    ...(counts === undefined ? {} : { counts }),
  };
}
