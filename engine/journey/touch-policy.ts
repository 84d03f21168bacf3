// The account policy's rules on every touch, across plays: caps per channel and period, and the
// account's quiet hours. A touch is an action delivered on a channel.
import type { SendWindow } from "../ast/playbook.js";
import type { PlanStep } from "../compile/plan.js";
import type { AccountPolicy, TouchCap } from "../validate/validate-policy.js";
import { durationText } from "./duration-text.js";
import { nextSendTime, windowTimeZone } from "./send-window.js";

/** At most this many touches are remembered per account (the longest cap's window bounds them too). */
export const MAX_TOUCHES = 200;

/** A touch as the core remembers it. */
export interface Touch {
  readonly channel: string;
  readonly at: number;
}

const CHANNEL_OF: Readonly<Record<string, string>> = {
  "email.send": "email",
  "inapp.prompt": "in_app",
  "crm.task": "crm",
  webhook: "webhook",
  "offer.propose": "offer",
  "approval.request": "approval",
  "report.roi_snapshot": "report",
};

/** The channel an action step touches the account on: its `channel`, else its kind's. */
export function touchChannel(step: Extract<PlanStep, { kind: "action" }>): string {
  return step.channel ?? CHANNEL_OF[step.action] ?? step.action;
}

/** The cap the account has reached on `channel` at `now`, with a reason, or undefined. */
export function touchCapReached(
  touches: readonly Touch[],
  policy: AccountPolicy,
  channel: string,
  now: number,
): string | undefined {
  const cap: TouchCap | undefined = policy.touches?.find((c) => c.channel === channel);
  if (cap === undefined) return undefined;
  const recent = touches.filter((t) => t.channel === channel && now - t.at < cap.perMs).length;
  if (recent < cap.max) return undefined;
  return `suppressed: account touch cap of ${cap.max} ${channel} per ${durationText(cap.perMs)} reached`;
}

/**
 * Remembers a touch on a capped channel; forgets those older than their cap's window, and the
 * oldest past MAX_TOUCHES.
 */
export function rememberTouch(touches: Touch[], policy: AccountPolicy, channel: string, now: number): void {
  const windows = new Map((policy.touches ?? []).map((cap) => [cap.channel, cap.perMs]));
  if (windows.has(channel)) touches.push({ channel, at: now });
  const kept = touches.filter((t) => now - t.at < (windows.get(t.channel) ?? 0));
  touches.splice(0, touches.length, ...kept.slice(-MAX_TOUCHES));
}

/**
 * When the account's quiet hours end, if `channel` is held by them at `now` (in the policy's or the
 * account's time zone); undefined when the touch may go now.
 */
export function quietUntil(
  policy: AccountPolicy,
  channel: string,
  accountTimeZone: unknown,
  now: number,
): { readonly at: number; readonly zone: string } | undefined {
  const quiet = policy.quietHours;
  if (quiet === undefined || !quiet.channels.includes(channel)) return undefined;
  // The hours outside quiet hours, every day: a send window that wraps past midnight when `to` < `from`.
  const open: SendWindow = {
    days: ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
    hours: { from: quiet.to, to: quiet.from },
    timezone: quiet.timezone,
  };
  const zone = windowTimeZone(open, accountTimeZone);
  const at = nextSendTime(open, zone, now);
  return at === undefined || at <= now ? undefined : { at, zone };
}
