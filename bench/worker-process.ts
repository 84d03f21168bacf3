// One side's Temporal worker in its own process, so that its memory is its own:
//   node --expose-gc dist/bench/worker-process.js --kind playloop|minimal --address HOST:PORT
//     --task-queue Q --bundle FILE [--cache C]
// Started by temporal.bench.ts with an IPC channel (see worker-handle.ts). It reports when each
// action or activity ran, its RSS after a GC when asked, and stops when told to.
import { join } from "node:path";
import { parseArgs } from "node:util";
import { DefaultLogger, NativeConnection, Runtime, Worker, type WorkerOptions } from "@temporalio/worker";
import { PlanRegistry } from "../engine/runtime/plan-registry.js";
import { projectRoot } from "../engine/runtime/project-root.js";
import { createJourneyWorker } from "../engine/runtime/worker.js";
import type { MinimalActivities } from "./minimal/workflows.js";
import type { Delivery, FromWorker, ToWorker } from "./worker-handle.js";

Runtime.install({ logger: new DefaultLogger("ERROR") });

const { values } = parseArgs({
  options: {
    kind: { type: "string" },
    address: { type: "string" },
    "task-queue": { type: "string" },
    bundle: { type: "string" },
    cache: { type: "string" },
  },
});
const { kind, address, bundle } = values;
const taskQueue = values["task-queue"];
if ((kind !== "playloop" && kind !== "minimal") || !address || !taskQueue || !bundle)
  throw new Error("usage: worker-process.js --kind playloop|minimal --address A --task-queue Q --bundle FILE");

const send = (message: FromWorker): void => void process.send?.(message);

// Deliveries go to the parent in batches; each carries the time it ran here.
let pending: Delivery[] = [];
const record = (subject: string, label: string): void => void pending.push([subject, label, Date.now()]);
const flush = (): void => {
  if (pending.length === 0) return;
  send({ type: "delivered", records: pending });
  pending = [];
};
setInterval(flush, 50).unref();

async function memory(): Promise<{ rss: number; heapUsed: number }> {
  globalThis.gc?.();
  await new Promise((resolve) => setTimeout(resolve, 100));
  globalThis.gc?.();
  const { rss, heapUsed } = process.memoryUsage();
  return { rss, heapUsed };
}

async function createWorker(connection: NativeConnection): Promise<Worker> {
  const common = {
    connection,
    namespace: "default",
    taskQueue: taskQueue as string,
    workflowBundle: { codePath: bundle as string },
    ...(values.cache === undefined ? {} : { maxCachedWorkflows: Number(values.cache) }),
  } satisfies Partial<WorkerOptions>;
  if (kind === "playloop")
    return createJourneyWorker({
      ...common,
      plans: PlanRegistry.fromFolder(join(projectRoot(), "playbooks")),
      sinks: [
        {
          name: "bench",
          deliver: (event) => Promise.resolve(record(event.subject, event.source)),
        },
      ],
    });
  const activities: MinimalActivities = {
    deliver: (entityId) => Promise.resolve(record(entityId, "minimal")),
  };
  return Worker.create({ ...common, activities });
}

const connection = await NativeConnection.connect({ address });
const worker = await createWorker(connection);
const running = worker.run();
process.on("disconnect", () => process.exit(1));
process.on("message", (message: ToWorker) => {
  if (message.type === "memory") void memory().then((figures) => send({ type: "memory", ...figures }));
  if (message.type === "stop") {
    flush();
    worker.shutdown();
    void running.then(() => connection.close()).then(() => process.exit(0));
  }
});
send({ type: "ready", cache: worker.options.maxCachedWorkflows, ...(await memory()) });
