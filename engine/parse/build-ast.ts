// Turns the schema-checked playbook document into the typed AST, parsing every condition and
// recording where each part is written. Problems come back as diagnostics; nothing is thrown.
import type { Expr } from "../ast/expression.js";
import type {
  ActionStep,
  BranchStep,
  ExperimentStep,
  LabeledCondition,
  NameRef,
  PlaybookNode,
  SegmentNode,
  StageNode,
  StepNode,
  TemplateSite,
  TriggerNode,
  WaitFor,
} from "../ast/playbook.js";
import { diagnostic, type Diagnostic } from "../diagnostics/diagnostic.js";
import { parseExpression } from "../expression/parse-expression.js";
import { isTemplate, parseTemplate } from "../template/parse-template.js";
import { locateKey, locateValue, type DataPath, type Span } from "./locate.js";
import { locateInScalar } from "./locate-in-scalar.js";
import type { ParsedYaml } from "./parse-yaml.js";
import playbookSchema from "../../schemas/playbook.schema.json" with { type: "json" };
import { conditionSites } from "../validate/condition-sites.js";
import {
  ACTION_KINDS,
  STAGES,
  type ActionDoc,
  type BranchDoc,
  type ConditionDoc,
  type ExperimentDoc,
  type PlaybookDocument,
  type StepDoc,
} from "./playbook-document.js";
import { durationDays, durationMs, percent } from "./units.js";

/** A condition as the playbook writes it: the reason a decision records. */
function conditionLabel(doc: ConditionDoc): string {
  return typeof doc === "string" ? doc : JSON.stringify(doc);
}

class AstBuilder {
  readonly diagnostics: Diagnostic[] = [];
  constructor(
    private readonly parsed: ParsedYaml,
    private readonly segmentNames: ReadonlySet<string>,
  ) {}

  span(path: DataPath): Span {
    return locateValue(this.parsed, path);
  }

  ref(name: string, path: DataPath): NameRef {
    return { name, span: this.span(path) };
  }

  condition(doc: ConditionDoc, path: DataPath): Expr {
    const span = this.span(path);
    if (typeof doc === "boolean") return { kind: "literal", value: doc, span };
    if (typeof doc === "string") {
      const { expr, problem } = parseExpression(doc, {
        segments: this.segmentNames,
        spanAt: locateInScalar(this.parsed, path),
      });
      if (problem !== undefined)
        this.diagnostics.push(diagnostic(problem.code, problem.message, this.parsed.source.file, problem.span));
      return expr ?? { kind: "literal", value: false, span };
    }
    if ("all" in doc)
      return {
        kind: "logical",
        op: "and",
        operands: doc.all.map((c, i) => this.condition(c, [...path, "all", i])),
        span,
      };
    if ("any" in doc)
      return {
        kind: "logical",
        op: "or",
        operands: doc.any.map((c, i) => this.condition(c, [...path, "any", i])),
        span,
      };
    return { kind: "not", operand: this.condition(doc.not, [...path, "not"]), span };
  }

  labeled(docs: readonly ConditionDoc[] | undefined, path: DataPath): LabeledCondition[] {
    return (docs ?? []).map((doc, i) => ({ label: conditionLabel(doc), condition: this.condition(doc, [...path, i]) }));
  }

  experiment(doc: ExperimentDoc, id: string, path: DataPath): ExperimentStep {
    const at: DataPath = [...path, "experiment"];
    const gotos = doc.goto ?? {};
    return {
      kind: "experiment",
      id: doc.id ?? id,
      name: doc.name,
      variants: Object.entries(doc.variants).map(([name, share]) => ({
        name,
        share: percent(share),
        ...(Object.hasOwn(gotos, name) ? { goto: this.ref(gotos[name] as string, [...at, "goto", name]) } : {}),
      })),
      variantsSpan: locateKey(this.parsed, [...at, "variants"]),
      unknownGotos: Object.keys(gotos)
        .filter((name) => !Object.hasOwn(doc.variants, name))
        .map((name) => ({ name, span: locateKey(this.parsed, [...at, "goto", name]) })),
      span: locateKey(this.parsed, at),
    };
  }

  branch(doc: BranchDoc, id: string, path: DataPath): BranchStep {
    const at: DataPath = [...path, "branch"];
    return {
      kind: "branch",
      id: doc.id ?? id,
      paths: doc.paths.map((p, i) => ({
        when: this.condition(p.when, [...at, "paths", i, "when"]),
        label: conditionLabel(p.when),
        goto: this.ref(p.goto, [...at, "paths", i, "goto"]),
      })),
      otherwise: doc.else === undefined ? undefined : this.ref(doc.else, [...at, "else"]),
      span: locateKey(this.parsed, at),
    };
  }

  /** Parses one Liquid text at `path`; a problem is a diagnostic at its place in the scalar. */
  template(field: string, text: string, path: DataPath): TemplateSite[] {
    if (!isTemplate(text)) return [];
    const spanAt = locateInScalar(this.parsed, path);
    const { problem, variables } = parseTemplate(text);
    if (problem !== undefined) {
      const span = spanAt(problem.index, problem.length);
      this.diagnostics.push(diagnostic(problem.code, `${field}: ${problem.message}`, this.parsed.source.file, span));
      return [];
    }
    return [{ field, reads: variables.map((v) => ({ path: v.path, text: v.text, span: spanAt(v.index, v.length) })) }];
  }

  /** Every Liquid text of an action: its title, body, variables and the strings anywhere in its payload. */
  templates(doc: ActionDoc, path: DataPath): TemplateSite[] {
    const strings = (field: string, value: unknown, at: DataPath): TemplateSite[] => {
      if (typeof value === "string") return this.template(field, value, at);
      if (Array.isArray(value)) return value.flatMap((item, i) => strings(`${field}[${i}]`, item, [...at, i]));
      if (typeof value !== "object" || value === null) return [];
      return Object.entries(value).flatMap(([key, item]) => strings(`${field}.${key}`, item, [...at, key]));
    };
    return [
      ...(doc.title === undefined ? [] : this.template("title", doc.title, [...path, "title"])),
      ...(doc.body === undefined ? [] : this.template("body", doc.body, [...path, "body"])),
      ...strings("variables", doc.variables, [...path, "variables"]),
      ...strings("payload", doc.payload, [...path, "payload"]),
    ];
  }

  action(kind: (typeof ACTION_KINDS)[number], doc: ActionDoc, id: string, path: DataPath): ActionStep {
    const at = (key: string): DataPath => [...path, kind, key];
    const isOffer = kind === "offer.propose";
    return {
      kind: "action",
      id,
      action: kind,
      when: doc.when === undefined ? undefined : this.condition(doc.when, at("when")),
      owner: doc.owner,
      channel: doc.channel,
      template: doc.template,
      variables: doc.variables,
      title: doc.title,
      body: doc.body,
      slaMs: doc.sla === undefined ? undefined : durationMs(doc.sla),
      payload: doc.payload,
      approver: doc.approver,
      topic: doc.topic,
      offer: isOffer
        ? {
            sku: doc.sku,
            quantity: doc.quantity,
            plan: doc.plan,
            bundle: doc.bundle?.map((sku, i) => this.ref(sku, [...at("bundle"), i])),
            price: doc.price,
            discount: doc.discount === undefined ? undefined : percent(doc.discount),
            termMs: doc.term === undefined ? undefined : durationMs(doc.term),
            discountSpan: doc.discount === undefined ? undefined : this.span(at("discount")),
            priceSpan: doc.price === undefined ? undefined : this.span(at("price")),
          }
        : undefined,
      templates: this.templates(doc, [...path, kind]),
      span: locateKey(this.parsed, [...path, kind]),
    };
  }

  step(doc: StepDoc, stage: string, index: number, path: DataPath): StepNode {
    const span = locateKey(this.parsed, path);
    const defaultId = `${stage}.${index + 1}`;
    if (doc.wait !== undefined) {
      const wait = doc.wait;
      const at = (key: string): DataPath => [...path, "wait", key];
      let waitFor: WaitFor;
      if (wait.any !== undefined) {
        waitFor = {
          kind: "any",
          paths: wait.any.map((p, i) => ({
            event: p.event,
            when: p.when === undefined ? undefined : this.condition(p.when, [...at("any"), i, "when"]),
            label: p.when === undefined ? undefined : conditionLabel(p.when),
            goto: p.goto === undefined ? undefined : this.ref(p.goto, [...at("any"), i, "goto"]),
            span: this.span([...at("any"), i]),
          })),
        };
      } else if (wait.event !== undefined) {
        waitFor = {
          kind: "event",
          event: wait.event,
          when: wait.when === undefined ? undefined : this.condition(wait.when, at("when")),
        };
      } else if (wait.trigger !== undefined) {
        const names = Array.isArray(wait.trigger) ? wait.trigger : [wait.trigger];
        waitFor = {
          kind: "trigger",
          triggers: names.map((name, i) =>
            this.ref(name, Array.isArray(wait.trigger) ? [...at("trigger"), i] : at("trigger")),
          ),
        };
      } else if (wait.duration !== undefined) {
        waitFor = { kind: "duration", ms: durationMs(wait.duration) };
      } else {
        waitFor = {
          kind: "until",
          field: wait.until ?? "",
          beforeMs: wait.before === undefined ? 0 : durationMs(wait.before),
        };
      }
      return {
        kind: "wait",
        id: wait.id ?? defaultId,
        for: waitFor,
        timeoutMs: wait.timeout === undefined ? undefined : durationMs(wait.timeout),
        onTimeout: wait.on_timeout === undefined ? undefined : this.ref(wait.on_timeout, at("on_timeout")),
        span: locateKey(this.parsed, [...path, "wait"]),
      };
    }
    if (doc.loop !== undefined) {
      return {
        kind: "loop",
        id: doc.loop.id ?? defaultId,
        to: this.ref(doc.loop.to, [...path, "loop", "to"]),
        afterMs: doc.loop.after === undefined ? undefined : durationMs(doc.loop.after),
        span,
      };
    }
    if (doc.end !== undefined)
      return { kind: "end", id: doc.end.id ?? defaultId, outcome: doc.end.outcome, reason: doc.end.reason, span };
    if (doc.branch !== undefined) return this.branch(doc.branch, defaultId, path);
    if (doc.experiment !== undefined) return this.experiment(doc.experiment, defaultId, path);
    for (const kind of ACTION_KINDS) {
      const action = doc[kind];
      if (action !== undefined) return this.action(kind, action, action.id ?? defaultId, path);
    }
    // The schema guarantees one kind per step; an empty step cannot get here.
    return { kind: "end", id: defaultId, outcome: "invalid", span };
  }

  triggers(doc: PlaybookDocument): TriggerNode[] {
    return Object.entries(doc.triggers ?? {}).map(([name, t]) => {
      const path = ["triggers", name];
      const when = t.when === undefined ? undefined : this.condition(t.when, [...path, "when"]);
      const span = locateKey(this.parsed, path);
      let source: TriggerNode["source"];
      if (t.on !== undefined) source = { kind: "event", event: t.on };
      else if (t.window !== undefined) {
        const w = t.window;
        source = {
          kind: "window",
          field: w.before ?? w.after ?? "",
          direction: w.before !== undefined ? "before" : "after",
          opensDays: durationDays(w.opens),
          closesDays: w.closes === undefined ? undefined : durationDays(w.closes),
        };
      } else source = { kind: "segment_entry", segment: this.ref(t.enters ?? "", [...path, "enters"]) };
      return { kind: "trigger", name, source, when, description: t.description, span };
    });
  }

  build(doc: PlaybookDocument): PlaybookNode {
    const segments: SegmentNode[] = Object.entries(doc.segments ?? {}).map(([name, condition]) => ({
      kind: "segment",
      name,
      condition: this.condition(condition, ["segments", name]),
      span: locateKey(this.parsed, ["segments", name]),
    }));
    const stages: StageNode[] = STAGES.flatMap((name) => {
      const steps = doc.journey[name];
      if (steps === undefined) return [];
      return [
        {
          kind: "stage" as const,
          name,
          steps: steps.map((s, i) => this.step(s, name, i, ["journey", name, i])),
          span: locateKey(this.parsed, ["journey", name]),
        },
      ];
    });
    const e = doc.eligibility ?? {};
    const d = doc.discounts;
    const hours = e.send_window?.hours?.split("-");
    return {
      kind: "playbook",
      file: this.parsed.source.file,
      id: doc.playbook,
      idSpan: this.span(["playbook"]),
      name: doc.name,
      description: doc.description?.trim(),
      motion: doc.motion,
      owner: doc.owner,
      priority: doc.priority ?? 50,
      whenPaused: doc.when_paused ?? "hold",
      versioning: {
        running: doc.versioning?.running ?? "pinned",
        map: Object.entries(doc.versioning?.map ?? {}).map(([from, to]) => ({
          from,
          to: this.ref(to, ["versioning", "map", from]),
        })),
      },
      holdout: doc.holdout === undefined ? 0 : percent(doc.holdout),
      enrollment: {
        reentry:
          doc.enrollment?.reentry === undefined || doc.enrollment.reentry === "always"
            ? "always"
            : doc.enrollment.reentry === "never"
              ? "never"
              : durationMs(doc.enrollment.reentry),
        onConflict: doc.enrollment?.on_conflict ?? "wait",
        exitOn: doc.enrollment?.exit_on ?? [],
      },
      catalog: Object.fromEntries(
        Object.entries(doc.catalog ?? {}).map(([sku, p]) => [sku, { name: p.name, listPrice: p.list_price }]),
      ),
      segments,
      triggers: this.triggers(doc),
      eligibility: {
        require: this.labeled(e.require, ["eligibility", "require"]),
        suppress: this.labeled(e.suppress, ["eligibility", "suppress"]),
        consent: e.consent === undefined ? [] : Array.isArray(e.consent) ? e.consent : [e.consent],
        minTenureDays: e.min_tenure === undefined ? undefined : durationDays(e.min_tenure),
        frequency:
          e.frequency === undefined
            ? undefined
            : {
                maxOffers: e.frequency.max_offers,
                perMs: e.frequency.per === undefined ? undefined : durationMs(e.frequency.per),
                cooldownAfterDeclineMs:
                  e.frequency.cooldown_after_decline === undefined
                    ? undefined
                    : durationMs(e.frequency.cooldown_after_decline),
              },
        sendWindow:
          e.send_window === undefined
            ? undefined
            : {
                days: e.send_window.days ?? ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
                hours:
                  hours?.[0] !== undefined && hours[1] !== undefined ? { from: hours[0], to: hours[1] } : undefined,
                timezone: e.send_window.timezone ?? "account",
              },
      },
      discounts:
        d === undefined
          ? undefined
          : {
              max: percent(d.max),
              byTier: Object.fromEntries(Object.entries(d.by_tier ?? {}).map(([k, v]) => [k, percent(v)])),
              bySegment: Object.fromEntries(Object.entries(d.by_segment ?? {}).map(([k, v]) => [k, percent(v)])),
              bySegmentRefs: Object.keys(d.by_segment ?? {}).map((name) => ({
                name,
                span: locateKey(this.parsed, ["discounts", "by_segment", name]),
              })),
              floorPrice: d.floor_price,
              minMargin: d.min_margin === undefined ? undefined : percent(d.min_margin),
              approval:
                d.approval === undefined
                  ? undefined
                  : {
                      above: percent(d.approval.above),
                      approver: d.approval.approver,
                      slaMs: d.approval.sla === undefined ? undefined : durationMs(d.approval.sla),
                      escalateTo: d.approval.escalate_to,
                      span: this.span(["discounts", "approval", "above"]),
                    },
              span: locateKey(this.parsed, ["discounts"]),
            },
      goal:
        doc.goal === undefined
          ? undefined
          : {
              metric: doc.goal.metric,
              description: doc.goal.description,
              when: doc.goal.when === undefined ? undefined : this.condition(doc.goal.when, ["goal", "when"]),
            },
      exit: this.labeled(doc.exit, ["exit"]),
      stages,
      span: this.span([]),
    };
  }
}

/** Builds the typed playbook AST from a schema-valid document. */
export function buildAst(parsed: ParsedYaml, doc: PlaybookDocument): { ast: PlaybookNode; diagnostics: Diagnostic[] } {
  const builder = new AstBuilder(parsed, new Set(Object.keys(doc.segments ?? {})));
  const ast = builder.build(doc);
  return { ast, diagnostics: builder.diagnostics };
}

/**
 * Parses every condition found beside the schema in a document that failed schema validation,
 * so expression problems are reported in the same run as schema problems.
 */
export function checkConditionsLeniently(parsed: ParsedYaml): Diagnostic[] {
  const value = parsed.value;
  const segments = typeof value === "object" && value !== null && "segments" in value ? value.segments : undefined;
  const names = typeof segments === "object" && segments !== null ? Object.keys(segments) : [];
  const builder = new AstBuilder(parsed, new Set(names));
  for (const site of conditionSites(value, playbookSchema)) {
    if (typeof site.condition === "string") builder.condition(site.condition, site.path);
  }
  return builder.diagnostics;
}
