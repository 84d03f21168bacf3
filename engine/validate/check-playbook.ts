// Checks beyond the schema: references, cycles, duplicate ids, discount fences; the journey's
// graph (jumps, reachability, spinning paths) in check-journey-graph.ts; what templates read in
// check-templates.ts.
import type { NameRef, PlaybookNode } from "../ast/playbook.js";
import type { Expr } from "../ast/expression.js";
import { segmentsUsed, walkExpr } from "../ast/walk-expr.js";
import type { DiagnosticCode } from "../diagnostics/codes.js";
import { diagnostic, type Diagnostic } from "../diagnostics/diagnostic.js";
import { didYouMean } from "../diagnostics/suggest.js";
import type { Span } from "../parse/locate.js";
import { FORBIDDEN_SEGMENTS } from "../rules/safe-path.js";
import { allConditions, everyCondition } from "./all-conditions.js";
import { checkJourneyGraph } from "./check-journey-graph.js";
import { checkTemplates } from "./check-templates.js";

const pct = (fraction: number): string => `${Math.round(fraction * 10000) / 100}%`;

class Checker {
  readonly diagnostics: Diagnostic[] = [];
  constructor(private readonly playbook: PlaybookNode) {}

  report(code: DiagnosticCode, message: string, span: Span): void {
    this.diagnostics.push(diagnostic(code, message, this.playbook.file, span));
  }

  reference(ref: NameRef, known: readonly string[], code: DiagnosticCode, what: string): boolean {
    if (known.includes(ref.name)) return true;
    const list = known.length > 0 ? `; defined: ${known.join(", ")}` : `; the playbook defines no ${what}s`;
    this.report(code, `unknown ${what} \`${ref.name}\`${didYouMean(ref.name, known) || list}`, ref.span);
    return false;
  }

  segments(): void {
    const names = this.playbook.segments.map((s) => s.name);
    const edges = new Map(this.playbook.segments.map((s) => [s.name, segmentsUsed(s.condition)]));
    const state = new Map<string, "visiting" | "done">();
    const reported = new Set<string>();
    const visit = (name: string, trail: string[]): void => {
      if (state.get(name) === "done") return;
      if (state.get(name) === "visiting") {
        const cycle = [...trail.slice(trail.indexOf(name)), name];
        const first = this.playbook.segments.find((s) => s.name === name);
        if (first !== undefined && !reported.has(name)) {
          cycle.forEach((n) => reported.add(n));
          this.report("E_SEGMENT_CYCLE", `segments refer to each other in a cycle: ${cycle.join(" -> ")}`, first.span);
        }
        return;
      }
      state.set(name, "visiting");
      for (const next of edges.get(name) ?? []) visit(next, [...trail, name]);
      state.set(name, "done");
    };
    for (const name of names) visit(name, []);
    for (const ref of this.playbook.discounts?.bySegmentRefs ?? [])
      this.reference(ref, names, "E_UNKNOWN_SEGMENT", "segment");
    const used = new Set<string>([
      ...allConditions(this.playbook).flatMap(segmentsUsed),
      ...this.playbook.triggers.flatMap((t) => (t.source.kind === "segment_entry" ? [t.source.segment.name] : [])),
      ...(this.playbook.discounts?.bySegmentRefs ?? []).map((r) => r.name),
    ]);
    for (const segment of this.playbook.segments) {
      if (!used.has(segment.name))
        this.report("W_UNUSED_SEGMENT", `segment \`${segment.name}\` is never used`, segment.span);
    }
  }

  triggers(): void {
    const segmentNames = this.playbook.segments.map((s) => s.name);
    const triggerNames = this.playbook.triggers.map((t) => t.name);
    for (const trigger of this.playbook.triggers) {
      if (trigger.source.kind === "segment_entry")
        this.reference(trigger.source.segment, segmentNames, "E_UNKNOWN_SEGMENT", "segment");
      if (trigger.source.kind === "window") this.path(trigger.source.field, trigger.span);
    }
    const waited = new Set<string>();
    for (const stage of this.playbook.stages) {
      for (const step of stage.steps) {
        if (step.kind !== "wait") continue;
        if (step.for.kind === "trigger") {
          for (const ref of step.for.triggers)
            if (this.reference(ref, triggerNames, "E_UNKNOWN_TRIGGER", "trigger")) waited.add(ref.name);
        }
        if (step.for.kind === "until") this.path(step.for.field, step.span);
      }
    }
    for (const trigger of this.playbook.triggers) {
      if (!waited.has(trigger.name))
        this.report(
          "W_UNUSED_TRIGGER",
          `trigger \`${trigger.name}\` is never waited for; add it to a \`wait: { trigger: ... }\` step`,
          trigger.span,
        );
    }
  }

  path(field: string, span: Span): void {
    const bad = field.split(".").find((segment) => FORBIDDEN_SEGMENTS.has(segment));
    if (bad !== undefined) this.report("E_UNSAFE_PATH", `\`${bad}\` may not appear in a field path`, span);
  }

  steps(): void {
    const stageNames = this.playbook.stages.map((s) => s.name);
    const ids = new Map<string, Span>();
    for (const stage of this.playbook.stages) {
      for (const step of stage.steps) {
        const previous = ids.get(step.id);
        if (previous !== undefined)
          this.report("E_DUPLICATE_ID", `step id \`${step.id}\` is already used at line ${previous.line}`, step.span);
        else ids.set(step.id, step.span);
        if (step.kind === "loop") this.reference(step.to, stageNames, "E_UNKNOWN_STAGE", "stage");
      }
    }
  }

  /** Experiments: unique names, shares adding up to 100%, `goto` only for variants they have. */
  experiments(): void {
    const seen = new Map<string, Span>();
    /** Each experiment's variant names (the last definition of a name, when it is defined twice). */
    const variants = new Map<string, string[]>();
    for (const stage of this.playbook.stages)
      for (const step of stage.steps) {
        if (step.kind !== "experiment") continue;
        const first = seen.get(step.name);
        if (first !== undefined)
          this.report(
            "E_DUPLICATE_ID",
            `experiment \`${step.name}\` is already defined at line ${first.line}; an account gets one variant per experiment name`,
            step.span,
          );
        else seen.set(step.name, step.span);
        const total = step.variants.reduce((sum, v) => sum + v.share, 0);
        if (Math.abs(total - 1) > 1e-9)
          this.report(
            "E_EXPERIMENT_SHARES",
            `the variants' shares add up to ${pct(total)} (${step.variants.map((v) => `${v.name} ${pct(v.share)}`).join(", ")}); they must add up to 100%`,
            step.variantsSpan,
          );
        const names = step.variants.map((v) => v.name);
        variants.set(step.name, names);
        for (const ref of step.unknownGotos) this.reference(ref, names, "E_UNKNOWN_VARIANT", "variant");
      }
    this.experimentReferences(variants);
  }

  /** `experiments.<name>` in a condition names a declared experiment, compared with one of its variants. */
  experimentReferences(variants: ReadonlyMap<string, readonly string[]>): void {
    const experimentOf = (expr: Expr): string | undefined =>
      expr.kind === "field" && expr.path[0] === "experiments" && expr.path.length === 2 ? expr.path[1] : undefined;
    for (const condition of everyCondition(this.playbook))
      walkExpr(condition, (node) => {
        const name = experimentOf(node);
        if (name !== undefined && node.kind === "field" && !variants.has(name))
          this.reference({ name, span: node.span }, [...variants.keys()], "E_UNKNOWN_EXPERIMENT", "experiment");
        if (node.kind !== "compare" || (node.op !== "==" && node.op !== "!=")) return;
        for (const [side, other] of [
          [node.left, node.right],
          [node.right, node.left],
        ] as const) {
          const known = variants.get(experimentOf(side) ?? "");
          if (known !== undefined && other.kind === "literal" && typeof other.value === "string")
            this.reference({ name: other.value, span: other.span }, known, "E_UNKNOWN_VARIANT", "variant");
        }
      });
  }

  /** A versioning map must lead to steps this version has. */
  versioning(): void {
    const ids = this.playbook.stages.flatMap((stage) => stage.steps.map((step) => step.id));
    for (const { to } of this.playbook.versioning.map) this.reference(to, ids, "E_UNKNOWN_STEP", "step");
  }

  offers(): void {
    const fence = this.playbook.discounts;
    if (fence !== undefined) {
      for (const [scope, limits] of [
        ["tier", fence.byTier],
        ["segment", fence.bySegment],
      ] as const) {
        for (const [name, limit] of Object.entries(limits)) {
          if (limit > fence.max)
            this.report(
              "E_DISCOUNT_FENCE",
              `the ${scope} \`${name}\` allows ${pct(limit)}, above the overall maximum of ${pct(fence.max)}`,
              fence.span,
            );
        }
      }
      if (fence.approval !== undefined && fence.approval.above >= fence.max) {
        this.report(
          "W_APPROVAL_UNUSED",
          `approval is needed above ${pct(fence.approval.above)} but no offer may exceed ${pct(fence.max)}`,
          fence.approval.span,
        );
      }
    }
    for (const stage of this.playbook.stages) {
      for (const step of stage.steps) {
        const offer = step.kind === "action" ? step.offer : undefined;
        if (offer === undefined || step.kind !== "action") continue;
        if (offer.discount !== undefined && offer.discount > 0) {
          const at = offer.discountSpan ?? step.span;
          if (fence === undefined)
            this.report(
              "E_DISCOUNT_FENCE",
              `the offer carries a ${pct(offer.discount)} discount but the playbook declares no \`discounts\` fence`,
              at,
            );
          else if (offer.discount > fence.max)
            this.report(
              "E_DISCOUNT_FENCE",
              `the offer's ${pct(offer.discount)} discount is above the fence's maximum of ${pct(fence.max)}`,
              at,
            );
        }
        if (offer.bundle === undefined) continue;
        const catalog = Object.keys(this.playbook.catalog);
        const known = offer.bundle.filter((ref) => this.reference(ref, catalog, "E_UNKNOWN_SKU", "catalog sku"));
        if (known.length !== offer.bundle.length || offer.price === undefined) continue;
        const listTotal = known.reduce((sum, ref) => sum + (this.playbook.catalog[ref.name]?.listPrice ?? 0), 0);
        const at = offer.priceSpan ?? step.span;
        if (offer.price >= listTotal) {
          this.report(
            "E_BUNDLE_PRICE",
            `the bundle costs ${offer.price}, not below the sum of its list prices (${listTotal})`,
            at,
          );
          continue;
        }
        const implied = 1 - offer.price / listTotal;
        if (fence === undefined)
          this.report(
            "E_DISCOUNT_FENCE",
            `the bundle's price is ${pct(implied)} off list but the playbook declares no \`discounts\` fence`,
            at,
          );
        else if (implied > fence.max + 1e-9)
          this.report(
            "E_DISCOUNT_FENCE",
            `the bundle's price is ${pct(implied)} off list (${offer.price} of ${listTotal}), above the fence's maximum of ${pct(fence.max)}`,
            at,
          );
      }
    }
  }
}

/** Runs every check beyond the schema on a playbook's AST. */
export function checkPlaybook(playbook: PlaybookNode): Diagnostic[] {
  const checker = new Checker(playbook);
  checker.segments();
  checker.triggers();
  checker.steps();
  checker.versioning();
  checker.experiments();
  checker.offers();
  checkJourneyGraph(playbook, (code, message, span) => checker.report(code, message, span));
  checkTemplates(playbook, (code, message, span) => checker.report(code, message, span));
  return checker.diagnostics;
}
