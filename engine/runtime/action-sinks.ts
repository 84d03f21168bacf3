import { appendFileSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import { dirname } from "node:path";
import { ApplicationFailure } from "@temporalio/activity";
import type { ActionEvent } from "../journey/action-event.js";
import { signWebhook, webhookKey } from "./webhook-signature.js";

/** Where actions go. A sink throws to have Temporal retry, or a non-retryable failure to give up. */
export interface ActionSink {
  readonly name: string;
  deliver(event: ActionEvent): Promise<void>;
}

/** Thrown as a non-retryable activity failure when the receiver refuses an action (HTTP 4xx). */
export const DELIVERY_REJECTED = "DeliveryRejected";

/**
 * Appends each action as one CloudEvents JSON line to a file, or to stdout for `-`. An id already
 * written is not written again, so a retried delivery never duplicates a line.
 */
export function ndjsonSink(target: string): ActionSink {
  const written = new Set<string>();
  if (target !== "-" && existsSync(target)) {
    for (const line of readFileSync(target, "utf8").split("\n")) {
      try {
        const id = (JSON.parse(line) as { id?: unknown }).id;
        if (typeof id === "string") written.add(id);
      } catch {
        // a partial last line from a crash: ignore it
      }
    }
  }
  if (target !== "-") mkdirSync(dirname(target), { recursive: true });
  return {
    name: target === "-" ? "stdout" : target,
    deliver(event) {
      if (written.has(event.id)) return Promise.resolve();
      const line = `${JSON.stringify(event)}\n`;
      if (target === "-") process.stdout.write(line);
      else appendFileSync(target, line);
      written.add(event.id);
      return Promise.resolve();
    },
  };
}

/**
 * POSTs each action to a URL, signed per the Standard Webhooks spec. Network errors, timeouts and
 * 5xx (and 429) throw, so Temporal retries with backoff; any other 4xx fails the action for good.
 * The `webhook-id` is the CloudEvent id, the same on every retry, so receivers can deduplicate.
 */
export function webhookSink(url: string, secret: string, timeoutMs = 10_000): ActionSink {
  const key = webhookKey(secret);
  return {
    name: url,
    async deliver(event) {
      const body = JSON.stringify(event);
      const timestamp = Math.floor(Date.now() / 1000);
      const response = await fetch(url, {
        method: "POST",
        headers: {
          "content-type": "application/cloudevents+json",
          "webhook-id": event.id,
          "webhook-timestamp": String(timestamp),
          "webhook-signature": signWebhook(key, event.id, timestamp, body),
        },
        body,
        signal: AbortSignal.timeout(timeoutMs),
      });
      await response.arrayBuffer().catch(() => undefined);
      if (response.ok) return;
      const message = `${url} answered ${response.status} ${response.statusText}`;
      if (response.status >= 400 && response.status < 500 && response.status !== 429 && response.status !== 408) {
        throw ApplicationFailure.nonRetryable(message, DELIVERY_REJECTED);
      }
      throw new Error(message);
    },
  };
}
