import type { CompiledPlan, PlanStep } from "../compile/plan.js";
import type { RenderedFields } from "./render-action.js";

/** A CloudEvents 1.0 event carrying one action to downstream systems. */
export interface ActionEvent {
  readonly specversion: "1.0";
  /** Deterministic: the same action in the same journey always has the same id, so a retried delivery is recognisable. */
  readonly id: string;
  readonly type: string;
  readonly source: string;
  readonly subject: string;
  readonly time: string;
  readonly datacontenttype: "application/json";
  readonly data: Readonly<Record<string, unknown>>;
}

type ActionStep = Extract<PlanStep, { kind: "action" }>;

/** Builds the CloudEvent for one action of one journey iteration. */
export function actionEvent(options: {
  readonly plan: CompiledPlan;
  readonly account: Readonly<Record<string, unknown>> & { readonly id: string };
  readonly stage: string;
  readonly step: ActionStep;
  /** The step's texts rendered for the account (renderAction). */
  readonly rendered: RenderedFields;
  readonly iteration: number;
  /** Which journey run this is for the account (a re-entry starts run 2); part of the id after run 1. */
  readonly run?: number;
  readonly time: string;
  /** Distinguishes several actions one step sends (an approval request and its escalation). */
  readonly variant?: string;
  readonly kind?: string;
  readonly extra?: Readonly<Record<string, unknown>>;
  /** The play's experiment variants, carried so receivers and reports can compare them. */
  readonly experiments?: Readonly<Record<string, string>>;
}): ActionEvent {
  const { plan, account, stage, step, iteration } = options;
  const kind = options.kind ?? step.action;
  const suffix = options.variant === undefined ? "" : `:${options.variant}`;
  const fields = {
    owner: step.owner,
    channel: step.channel,
    template: step.template,
    variables: options.rendered.variables,
    title: options.rendered.title,
    body: options.rendered.body,
    sla_ms: step.slaMs,
    approver: step.approver,
    topic: step.topic,
    payload: options.rendered.payload,
    offer: step.offer,
    ...options.extra,
  };
  return {
    specversion: "1.0",
    id: `${plan.id}:${account.id}:${(options.run ?? 1) > 1 ? `r${options.run}.` : ""}${iteration}:${step.id}${suffix}`,
    type: `playloop.action.${kind}`,
    source: `playloop/playbooks/${plan.id}`,
    subject: account.id,
    time: options.time,
    datacontenttype: "application/json",
    data: JSON.parse(
      JSON.stringify({
        playbook: { id: plan.id, version: plan.version, motion: plan.motion },
        stage,
        step: step.id,
        action: kind,
        account: { id: account.id, name: account.name },
        ...fields,
        ...(options.experiments === undefined ? {} : { experiments: options.experiments }),
      }),
    ) as Record<string, unknown>,
  };
}
