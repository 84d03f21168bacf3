import { ndjsonSink, webhookSink, type ActionSink } from "./action-sinks.js";
import type { RuntimeConfig } from "./config.js";

/** The action sinks the configuration asks for: always the NDJSON log, and the webhook when set. */
export function sinksFromConfig(config: RuntimeConfig): ActionSink[] {
  const sinks = [ndjsonSink(config.actionsFile)];
  if (config.webhookUrl !== undefined && config.webhookSecret !== undefined)
    sinks.push(webhookSink(config.webhookUrl, config.webhookSecret));
  return sinks;
}
