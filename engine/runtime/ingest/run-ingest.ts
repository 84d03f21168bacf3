import type { Logger } from "pino";
import { AccountClient } from "../account-client.js";
import type { RuntimeConfig } from "../config.js";
import { connectClient } from "../connect.js";
import { DeploymentsClient } from "../deployments-client.js";
import { taskQueueHasPollers } from "../task-queue-ready.js";
import { loadMapping } from "./field-mapping.js";
import { ingest, type IngestSummary } from "./ingest.js";
import { countLines } from "./read-records.js";

function bar(done: number, total: number, summary: IngestSummary): string {
  const share = total === 0 ? 1 : Math.min(1, done / total);
  const width = 24;
  const filled = Math.round(share * width);
  return `\r  ${"#".repeat(filled)}${".".repeat(width - filled)} ${String(Math.round(share * 100)).padStart(3)}%  line ${done}/${total}  accepted ${summary.accepted}  unchanged ${summary.unchanged}  rejected ${summary.rejected.length}`;
}

/** `playloop ingest`: reads the export, shows progress, prints the summary; exit code 1 when a line was rejected. */
export async function runIngest(
  config: RuntimeConfig,
  logger: Logger,
  options: { file: string; mapping?: string; kind?: "accounts" | "events"; concurrency: number },
): Promise<number> {
  const mapping = options.mapping === undefined ? undefined : loadMapping(options.mapping);
  const total = await countLines(options.file);
  const client = await connectClient(config);
  try {
    if (!(await taskQueueHasPollers(client, config.namespace, config.taskQueue).catch(() => false))) {
      throw new Error(
        `no worker polls task queue "${config.taskQueue}" on ${config.temporalAddress}; start \`playloop dev\` or \`playloop worker\` first`,
      );
    }
    // The current deployment rides with every update: an account on an older set loads it first.
    const deployed = await new DeploymentsClient(client, config.taskQueue).current().catch((error: unknown) => {
      logger.warn({ err: error }, "cannot read the current deployment; accounts take it from the workers");
      return undefined;
    });
    const abort = new AbortController();
    const stop = () => abort.abort();
    process.once("SIGINT", stop);
    const tty = process.stderr.isTTY === true;
    let lastDraw = 0;
    const summary = await ingest({
      file: options.file,
      accounts: new AccountClient(client, config.taskQueue, () => deployed?.set),
      mapping,
      kind: options.kind,
      concurrency: options.concurrency,
      signal: abort.signal,
      onProgress: (line, current) => {
        const now = Date.now();
        if (tty && now - lastDraw > 100) {
          lastDraw = now;
          process.stderr.write(bar(line, total, current));
        }
      },
    });
    process.off("SIGINT", stop);
    if (tty) process.stderr.write(`${bar(summary.interruptedAfterLine ?? total, total, summary)}\n`);
    const lines = [
      `${options.file}: accepted ${summary.accepted}, unchanged ${summary.unchanged}, rejected ${summary.rejected.length}`,
      ...summary.rejected.map((r) => `  line ${r.line}: ${r.reason}`),
    ];
    if (summary.interruptedAfterLine !== undefined) {
      lines.push(
        `interrupted after line ${summary.interruptedAfterLine}; run the same command again to finish (lines already ingested report unchanged)`,
      );
    }
    process.stdout.write(`${lines.join("\n")}\n`);
    logger.debug({ summary }, "ingest finished");
    return summary.rejected.length > 0 || summary.interruptedAfterLine !== undefined ? 1 : 0;
  } finally {
    await client.connection.close();
  }
}
