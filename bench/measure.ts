// Measuring helpers of the Temporal benchmark: a concurrency pool, percentiles, waiting for every
// account, one account's history by kind of event, and the figures each side produces.
import type { TestWorkflowEnvironment } from "@temporalio/testing";
import type { CpuShares } from "./cpu.js";
import type { WorkerMemory } from "./worker-handle.js";

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
export const mib = (bytes: number): number => bytes / 1024 / 1024;

/** Runs `task` for 0..count-1, `concurrency` at a time; the seconds it took. */
export async function pool(count: number, task: (i: number) => Promise<unknown>, concurrency: number): Promise<number> {
  const started = process.hrtime.bigint();
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) await task(next++);
    }),
  );
  return Number(process.hrtime.bigint() - started) / 1e9;
}

export function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

/** Waits until `done` holds for every id; gives up when none got there for two minutes. */
export async function untilEvery(ids: readonly string[], done: (id: string) => boolean, what: string): Promise<void> {
  const pending = new Set(ids);
  for (let progress = Date.now(); pending.size > 0; await sleep(200)) {
    for (const id of pending) if (done(id) && pending.delete(id)) progress = Date.now();
    if (Date.now() - progress > 120_000)
      throw new Error(`${what}: ${pending.size} of ${ids.length} still not there after two minutes without progress`);
  }
}

export interface EventFigures {
  readonly events: number;
  /** Accounts that reached their wait (their deliveries done) per second over the whole phase. */
  readonly perSecond: number;
  /** Event -> first delivery, over the events that deliver anything. */
  readonly p50: number;
  readonly p99: number;
  readonly measured: number;
  /** Event -> the update's answer (the event applied), over every event. */
  readonly answerP50: number;
  readonly answerP99: number;
}

export interface SideFigures {
  readonly ingestPerSecond: number;
  readonly burst: EventFigures;
  readonly probe: EventFigures;
  readonly cache: number;
  readonly idle: WorkerMemory;
  readonly waiting: WorkerMemory;
  /** Percent of one core the client, the worker and the server used in ingest and in the burst. */
  readonly cpu: { readonly ingest: CpuShares; readonly burst: CpuShares };
  /** One account's history after ingest and the burst, by kind of event. */
  readonly history: HistoryCounts;
}

export type HistoryCounts = Readonly<
  Record<"events" | "workflowTasks" | "activities" | "markers" | "updates" | "payloadBytes", number>
>;

/** The bytes of every payload in a decoded history (the data the server stores for it). */
function payloadBytes(value: unknown): number {
  if (value instanceof Uint8Array) return value.byteLength;
  if (typeof value !== "object" || value === null) return 0;
  return Object.values(value).reduce((sum: number, field) => sum + payloadBytes(field), 0);
}

/** What one account's history holds: what the server stored and dispatched for it. */
export async function historyCounts(env: TestWorkflowEnvironment, workflowId: string): Promise<HistoryCounts> {
  const events = (await env.client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
  const count = (attributes: keyof (typeof events)[number]) => events.filter((event) => event[attributes]).length;
  return {
    events: events.length,
    workflowTasks: count("workflowTaskCompletedEventAttributes"),
    activities: count("activityTaskScheduledEventAttributes"),
    markers: count("markerRecordedEventAttributes"),
    updates: count("workflowExecutionUpdateAcceptedEventAttributes"),
    payloadBytes: payloadBytes(events),
  };
}
