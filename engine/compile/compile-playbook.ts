// Playbook AST -> compiled plan. Deterministic: the same playbook gives byte-identical JSON.
import type { Expr } from "../ast/expression.js";
import type { LabeledCondition, PlaybookNode, StepNode, TriggerNode } from "../ast/playbook.js";
import type { JsonLogicRule } from "../rules/rule-types.js";
import { everyCondition } from "../validate/all-conditions.js";
import { compileCondition } from "./compile-condition.js";
import { countedEvents } from "./counted-events.js";
import { contentHash } from "./content-hash.js";
import { PLAN_FORMAT, type CompiledPlan, type PlanCondition, type PlanStep, type PlanTrigger } from "./plan.js";

const NOW = { var: "now" };

function and(rules: JsonLogicRule[]): JsonLogicRule {
  if (rules.length === 0) return true;
  return rules.length === 1 ? rules[0] : { and: rules };
}

class PlanCompiler {
  private readonly segments: ReadonlyMap<string, Expr>;
  constructor(private readonly playbook: PlaybookNode) {
    this.segments = new Map(playbook.segments.map((s) => [s.name, s.condition]));
  }

  rule(expr: Expr): JsonLogicRule {
    return compileCondition(expr, this.segments);
  }

  conditions(list: readonly LabeledCondition[]): PlanCondition[] {
    return list.map((c) => ({ label: c.label, rule: this.rule(c.condition) }));
  }

  trigger(t: TriggerNode): PlanTrigger {
    const when = t.when === undefined ? [] : [this.rule(t.when)];
    const source = t.source;
    switch (source.kind) {
      case "event":
        return { kind: "event", event: source.event, rule: and(when), description: t.description };
      case "segment_entry":
        return {
          kind: "segment_entry",
          segment: source.segment.name,
          rule: and([this.rule({ kind: "segment", name: source.segment.name, span: t.span }), ...when]),
          description: t.description,
        };
      case "window": {
        const days = { [source.direction === "before" ? "days_until" : "days_since"]: [{ var: source.field }, NOW] };
        const open =
          source.direction === "before"
            ? [{ "<=": [days, source.opensDays] }, { ">=": [days, source.closesDays ?? 0] }]
            : [
                { ">=": [days, source.opensDays] },
                ...(source.closesDays === undefined ? [] : [{ "<=": [days, source.closesDays] }]),
              ];
        return {
          kind: "window",
          field: source.field,
          direction: source.direction,
          opensDays: source.opensDays,
          closesDays: source.closesDays ?? null,
          rule: and([...open, ...when]),
          description: t.description,
        };
      }
    }
  }

  step(step: StepNode): PlanStep {
    switch (step.kind) {
      case "action": {
        const offer = step.offer;
        const listTotal = offer?.bundle?.reduce(
          (sum, ref) => sum + (this.playbook.catalog[ref.name]?.listPrice ?? 0),
          0,
        );
        const discount =
          offer?.discount ??
          (offer?.price !== undefined && listTotal ? Math.round((1 - offer.price / listTotal) * 1e6) / 1e6 : 0);
        return {
          id: step.id,
          kind: "action",
          action: step.action,
          when: step.when === undefined ? undefined : this.rule(step.when),
          owner: step.owner,
          channel: step.channel,
          template: step.template,
          variables: step.variables,
          title: step.title,
          body: step.body,
          slaMs: step.slaMs,
          payload: step.payload,
          approver: step.approver,
          topic: step.topic,
          offer:
            offer === undefined
              ? undefined
              : {
                  sku: offer.sku,
                  quantity: offer.quantity,
                  plan: offer.plan,
                  bundle: offer.bundle?.map((r) => r.name),
                  price: offer.price,
                  listTotal,
                  discount,
                  termMs: offer.termMs,
                },
        };
      }
      case "wait": {
        const f = step.for;
        return {
          id: step.id,
          kind: "wait",
          event: f.kind === "event" ? f.event : undefined,
          triggers: f.kind === "trigger" ? f.triggers.map((r) => r.name) : undefined,
          durationMs: f.kind === "duration" ? f.ms : undefined,
          untilField: f.kind === "until" ? f.field : undefined,
          beforeMs: f.kind === "until" ? f.beforeMs : undefined,
          when: f.kind === "event" && f.when !== undefined ? this.rule(f.when) : undefined,
          any:
            f.kind === "any"
              ? f.paths.map((p) => ({
                  event: p.event,
                  when: p.when === undefined ? undefined : this.rule(p.when),
                  label: p.label,
                  goto: p.goto?.name,
                }))
              : undefined,
          timeoutMs: step.timeoutMs,
          onTimeout: step.onTimeout?.name,
        };
      }
      case "experiment":
        return {
          id: step.id,
          kind: "experiment",
          name: step.name,
          variants: step.variants.map((v) => ({ name: v.name, share: v.share, goto: v.goto?.name })),
        };
      case "branch":
        return {
          id: step.id,
          kind: "branch",
          paths: step.paths.map((p) => ({ label: p.label, rule: this.rule(p.when), goto: p.goto.name })),
          otherwise: step.otherwise?.name,
        };
      case "loop":
        return { id: step.id, kind: "loop", to: this.stageName(step.to.name), afterMs: step.afterMs };
      case "end":
        return { id: step.id, kind: "end", outcome: step.outcome, reason: step.reason };
    }
  }

  stageName(name: string): CompiledPlan["start"] {
    return this.playbook.stages.find((s) => s.name === name)?.name ?? "detect";
  }

  compile(): CompiledPlan {
    const p = this.playbook;
    const e = p.eligibility;
    const require = [
      ...this.conditions(e.require),
      ...e.consent.map((name) => ({ label: `consent.${name}`, rule: { "===": [{ var: `consent.${name}` }, true] } })),
      ...(e.minTenureDays === undefined
        ? []
        : [
            {
              label: `tenure >= ${e.minTenureDays}d`,
              rule: { ">=": [{ days_since: [{ var: "onboarded_at" }, NOW] }, e.minTenureDays] },
            },
          ]),
    ];
    const suppress = this.conditions(e.suppress);
    const eligibility = and([...require.map((c) => c.rule), ...suppress.map((c) => ({ "!": [c.rule] }))]);
    const d = p.discounts;
    const body = {
      format: PLAN_FORMAT,
      id: p.id,
      name: p.name,
      description: p.description,
      motion: p.motion,
      owner: p.owner,
      priority: p.priority,
      // Only `skip` is written: `hold` is the default, and plans without the field keep their version.
      ...(p.whenPaused === "skip" ? { whenPaused: "skip" as const } : {}),
      // Only a migration is written: pinned is the default, and plans without it keep their version.
      ...(p.versioning.running === "at_stage_boundary"
        ? {
            versioning: {
              running: "at_stage_boundary" as const,
              map: Object.fromEntries(p.versioning.map.map((entry) => [entry.from, entry.to.name])),
            },
          }
        : {}),
      holdout: p.holdout,
      enrollment: p.enrollment,
      catalog: p.catalog,
      segments: Object.fromEntries(p.segments.map((s) => [s.name, this.rule(s.condition)])),
      triggers: Object.fromEntries(p.triggers.map((t) => [t.name, this.trigger(t)])),
      eligibility: { rule: eligibility, require, suppress, frequency: e.frequency, sendWindow: e.sendWindow },
      discounts:
        d === undefined
          ? undefined
          : {
              max: d.max,
              byTier: d.byTier,
              bySegment: d.bySegment,
              floorPrice: d.floorPrice,
              minMargin: d.minMargin,
              approval:
                d.approval === undefined
                  ? undefined
                  : {
                      above: d.approval.above,
                      approver: d.approval.approver,
                      slaMs: d.approval.slaMs,
                      escalateTo: d.approval.escalateTo,
                    },
            },
      goal:
        p.goal === undefined
          ? undefined
          : {
              metric: p.goal.metric,
              description: p.goal.description,
              rule: p.goal.when === undefined ? undefined : this.rule(p.goal.when),
            },
      exit: this.conditions(p.exit),
      counts: countedEvents(everyCondition(p)),
      start: p.stages[0]?.name ?? "detect",
      stages: p.stages.map((stage, i) => ({
        name: stage.name,
        steps: stage.steps.map((s) => this.step(s)),
        next: p.stages[i + 1]?.name ?? null,
      })),
    } as const;
    // Dropping undefined fields first makes the hash and the printed JSON see the same data.
    const plain = JSON.parse(JSON.stringify(body)) as Omit<CompiledPlan, "version">;
    const { format, id, ...rest } = plain;
    return { format, id, version: contentHash(plain), ...rest };
  }
}

/** Compiles a checked playbook AST into its plan, versioned by content hash. */
export function compilePlan(playbook: PlaybookNode): CompiledPlan {
  return new PlanCompiler(playbook).compile();
}
