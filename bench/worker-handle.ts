// The benchmark's side of a worker child process (worker-process.ts): start it, collect the times
// its deliveries ran, ask for its memory, stop it.
import { fork, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

export type WorkerKind = "playloop" | "minimal";
/** One delivery: the account it was for, its label (the action's source, or "minimal"), when it ran (epoch ms). */
export type Delivery = [subject: string, label: string, at: number];
export type ToWorker = { type: "memory" } | { type: "stop" };
export type FromWorker =
  | { type: "ready"; cache: number; rss: number; heapUsed: number }
  | { type: "delivered"; records: Delivery[] }
  | { type: "memory"; rss: number; heapUsed: number };

export interface WorkerMemory {
  readonly rss: number;
  readonly heapUsed: number;
}

export interface WorkerProcessOptions {
  readonly kind: WorkerKind;
  readonly address: string;
  readonly taskQueue: string;
  /** The workflow bundle, built by the parent so that no side pays for webpack in its own memory. */
  readonly bundlePath: string;
  readonly cache?: number;
  /** Only deliveries with this label are kept. */
  readonly label: string;
  /** Node options for the child beyond --expose-gc, such as --cpu-prof. */
  readonly nodeOptions?: readonly string[];
}

export class WorkerProcess {
  /** Times the deliveries for each account ran, in the order they arrived. */
  readonly deliveries = new Map<string, number[]>();
  private waiting: ((message: FromWorker) => void)[] = [];
  private stopping = false;

  private constructor(
    private readonly child: ChildProcess,
    private readonly label: string,
  ) {
    child.on("message", (message: FromWorker) => {
      if (message.type === "delivered") this.collect(message.records);
      else for (const waiter of this.waiting.splice(0)) waiter(message);
    });
    // A worker that dies mid-run would leave the benchmark waiting for deliveries: stop here.
    child.on("exit", (code) => {
      if (this.stopping) return;
      console.error(`the ${label} worker process exited (code ${code}) before the benchmark stopped it`);
      process.exit(1);
    });
  }

  /** Starts the child and waits until its worker polls; says its cache size and idle memory. */
  static async start(
    options: WorkerProcessOptions,
  ): Promise<{ worker: WorkerProcess; cache: number; idle: WorkerMemory }> {
    const args = ["--kind", options.kind, "--address", options.address, "--task-queue", options.taskQueue];
    args.push("--bundle", options.bundlePath);
    if (options.cache !== undefined) args.push("--cache", String(options.cache));
    const child = fork(fileURLToPath(new URL("./worker-process.js", import.meta.url)), args, {
      execArgv: ["--expose-gc", ...(options.nodeOptions ?? [])],
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    const worker = new WorkerProcess(child, options.label);
    const ready = await worker.next("ready");
    return { worker, cache: ready.cache, idle: { rss: ready.rss, heapUsed: ready.heapUsed } };
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** The child's RSS and heap after a GC. */
  async memory(): Promise<WorkerMemory> {
    this.child.send({ type: "memory" } satisfies ToWorker);
    const { rss, heapUsed } = await this.next("memory");
    return { rss, heapUsed };
  }

  /** Shuts the worker down and waits for the process to end. */
  async stop(): Promise<void> {
    this.stopping = true;
    const exited = new Promise((resolve) => this.child.once("exit", resolve));
    this.child.send({ type: "stop" } satisfies ToWorker);
    await exited;
  }

  private collect(records: Delivery[]): void {
    for (const [subject, label, at] of records) {
      if (label !== this.label) continue;
      const times = this.deliveries.get(subject);
      if (times === undefined) this.deliveries.set(subject, [at]);
      else times.push(at);
    }
  }

  private next<T extends FromWorker["type"]>(type: T): Promise<Extract<FromWorker, { type: T }>> {
    return new Promise((resolve) => {
      const wait = (message: FromWorker): void => {
        if (message.type === type) resolve(message as Extract<FromWorker, { type: T }>);
        else this.waiting.push(wait);
      };
      this.waiting.push(wait);
    });
  }
}
