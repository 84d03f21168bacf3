import { appendFileSync, closeSync, existsSync, mkdirSync, openSync, readSync, statSync } from "node:fs";
import { dirname } from "node:path";
import { ApplicationFailure } from "@temporalio/activity";
import { lock } from "proper-lockfile";
import type { ActionEvent } from "../journey/action-event.js";
import { signWebhook, webhookKey } from "./webhook-signature.js";

/** Where actions go. A sink throws to have Temporal retry, or a non-retryable failure to give up. */
export interface ActionSink {
  readonly name: string;
  deliver(event: ActionEvent): Promise<void>;
}

/** Thrown as a non-retryable activity failure when the receiver refuses an action (HTTP 4xx). */
export const DELIVERY_REJECTED = "DeliveryRejected";

/** How long a lock on the action log may go without a refresh before another process takes it. */
const LOCK_STALE_MS = 10_000;

/**
 * Appends each action as one CloudEvents JSON line to a file, or to stdout for `-`. An id already
 * in the file is not written again, whichever process wrote it: each append happens under a lock
 * file (proper-lockfile), after reading what other workers appended since.
 */
export function ndjsonSink(target: string): ActionSink {
  return ndjsonFile<ActionEvent>(target);
}

/**
 * An NDJSON file of CloudEvents (or `-`, stdout), each id written once: the ids already in the file
 * are read first, and processes sharing the file take a lock to append.
 */
export function ndjsonFile<T extends { readonly id: string }>(
  target: string,
): { readonly name: string; deliver(event: T): Promise<void> } {
  const written = new Set<string>();
  if (target === "-") {
    return {
      name: "stdout",
      deliver(event) {
        if (!written.has(event.id)) process.stdout.write(`${JSON.stringify(event)}\n`);
        written.add(event.id);
        return Promise.resolve();
      },
    };
  }
  mkdirSync(dirname(target), { recursive: true });
  let offset = 0;
  /** Reads the lines appended since `offset`; returns whether the file ends mid-line (a crash). */
  const catchUp = (): boolean => {
    if (!existsSync(target)) return false;
    const size = statSync(target).size;
    if (size <= offset) return false;
    const fd = openSync(target, "r");
    try {
      const buffer = Buffer.alloc(size - offset);
      readSync(fd, buffer, 0, buffer.length, offset);
      const text = buffer.toString("utf8");
      const complete = text.lastIndexOf("\n") + 1;
      for (const line of text.slice(0, complete).split("\n")) {
        try {
          const id = (JSON.parse(line) as { id?: unknown }).id;
          if (typeof id === "string") written.add(id);
        } catch {
          // an empty line, or a partial line a crash left: not an action
        }
      }
      offset += Buffer.byteLength(text.slice(0, complete));
      return complete < text.length;
    } finally {
      closeSync(fd);
    }
  };
  catchUp();
  return {
    name: target,
    async deliver(event) {
      if (written.has(event.id)) return;
      const release = await lock(target, {
        realpath: false,
        stale: LOCK_STALE_MS,
        retries: { retries: 200, factor: 1.2, minTimeout: 5, maxTimeout: 200 },
      });
      try {
        const partial = catchUp();
        if (written.has(event.id)) return;
        const line = `${partial ? "\n" : ""}${JSON.stringify(event)}\n`;
        appendFileSync(target, line);
        offset = statSync(target).size;
        written.add(event.id);
      } finally {
        await release();
      }
    },
  };
}

/**
 * POSTs each action to a URL, signed per the Standard Webhooks spec. Network errors, timeouts and
 * 5xx (and 429) throw, so Temporal retries with backoff; any other 4xx fails the action for good.
 * The `webhook-id` is the CloudEvent id, the same on every retry, so receivers can deduplicate.
 */
export function webhookSink(url: string, secret: string, timeoutMs = 10_000, name = url): ActionSink {
  const key = webhookKey(secret);
  return {
    name,
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
      const message = `${name} answered ${response.status} ${response.statusText}`;
      if (response.status >= 400 && response.status < 500 && response.status !== 429 && response.status !== 408) {
        throw ApplicationFailure.nonRetryable(message, DELIVERY_REJECTED);
      }
      throw new Error(message);
    },
  };
}
