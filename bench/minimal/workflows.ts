// The benchmark's yardstick: the smallest entity workflow that does what an account workflow does
// at its core. An `upsert` update sets the entity's snapshot (update-with-start creates it); an
// `event` update queues an event, and the main loop runs ONE activity per event, then waits again.
// No plans, no search attributes, no continue-as-new: whatever playloop costs beyond this is the
// price of its plays.
import * as wf from "@temporalio/workflow";

/** The workflow type, and its workflow id for an account id. */
export const MINIMAL_WORKFLOW = "entity";
export const minimalWorkflowId = (id: string): string => `minimal/${id}`;

export interface MinimalEvent {
  readonly id: string;
  readonly type: string;
  readonly data?: unknown;
}

/** Sets the snapshot; says whether it changed. */
export const upsertUpdate = wf.defineUpdate<{ changed: boolean }, [unknown]>("upsert");
/** Queues an event for the main loop. */
export const eventUpdate = wf.defineUpdate<{ queued: boolean }, [MinimalEvent]>("event");

/** The one activity: the worker records when it ran, as playloop's sink records a delivery. */
export interface MinimalActivities {
  deliver(entityId: string, eventId: string): Promise<void>;
}

const { deliver } = wf.proxyActivities<MinimalActivities>({ startToCloseTimeout: "1 minute" });

/** One entity: holds a snapshot, runs one activity per event. */
export async function entity(id: string): Promise<void> {
  let snapshot = "";
  const queue: MinimalEvent[] = [];
  wf.setHandler(upsertUpdate, (next) => {
    const text = JSON.stringify(next);
    const changed = text !== snapshot;
    snapshot = text;
    return { changed };
  });
  wf.setHandler(eventUpdate, (event) => {
    queue.push(event);
    return { queued: true };
  });
  for (;;) {
    await wf.condition(() => queue.length > 0);
    for (let next = queue.shift(); next !== undefined; next = queue.shift()) await deliver(id, next.id);
  }
}
