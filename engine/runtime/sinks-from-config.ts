import { isAbsolute, relative, resolve } from "node:path";
import type { Destination, Routing } from "../journey/route-action.js";
import { ndjsonSink, webhookSink, type ActionSink } from "./action-sinks.js";
import type { RuntimeConfig } from "./config.js";
import { webhookKey } from "./webhook-signature.js";

/** The `default` destination's sinks: always the NDJSON log, and the webhook when set. */
export function sinksFromConfig(config: RuntimeConfig): ActionSink[] {
  const sinks = [ndjsonSink(config.actionsFile)];
  if (config.webhookUrl !== undefined && config.webhookSecret !== undefined)
    sinks.push(webhookSink(config.webhookUrl, config.webhookSecret));
  return sinks;
}

/** Why a webhook URL cannot be posted to, or undefined when it can. */
function urlProblem(url: string): string | undefined {
  try {
    const protocol = new URL(url).protocol;
    return protocol === "https:" || protocol === "http:" ? undefined : `is a ${protocol} URL, not http(s)`;
  } catch {
    return "is not a URL";
  }
}

/** What keeps one destination from working in this environment: unset or malformed variables. */
export function destinationProblems(destination: Destination, env: NodeJS.ProcessEnv = process.env): string[] {
  if (destination.kind !== "webhook") return [];
  const problems: string[] = [];
  const url = env[destination.urlEnv];
  if (url === undefined || url === "") problems.push(`${destination.urlEnv} is not set`);
  else {
    const problem = urlProblem(url);
    if (problem !== undefined) problems.push(`${destination.urlEnv} ${problem}`);
  }
  const secret = env[destination.secretEnv];
  if (secret === undefined || secret === "") problems.push(`${destination.secretEnv} is not set`);
  else
    try {
      webhookKey(secret, destination.secretEnv);
    } catch (error) {
      problems.push((error as Error).message);
    }
  return problems.map((problem) => `destination ${destination.name}: ${problem}`);
}

/** Every destination of a routing that this environment cannot reach, said plainly (empty when all can). */
export function routingProblems(routing: Routing | undefined, env: NodeJS.ProcessEnv = process.env): string[] {
  return Object.values(routing?.destinations ?? {}).flatMap((destination) => destinationProblems(destination, env));
}

/** Thrown at start when a destination of the folder's routing cannot be reached from this environment. */
export class DestinationConfigError extends Error {
  override readonly name = "DestinationConfigError";
}

/** Stops a worker at start, naming each variable to set, rather than failing every delivery later. */
export function checkRouting(routing: Routing | undefined, env: NodeJS.ProcessEnv = process.env): void {
  const problems = routingProblems(routing, env);
  if (problems.length > 0)
    throw new DestinationConfigError(
      `destinations.yaml names destinations this environment cannot reach:\n  ${problems.join("\n  ")}`,
    );
}

/**
 * Makes the sink of each destination destinations.yaml declares, once per destination: a webhook
 * from the variables it names, or an NDJSON file in the data folder. Throws (so Temporal retries
 * the delivery) while its variables are unset.
 */
export function destinationSinks(
  config: Pick<RuntimeConfig, "dataDir">,
  env: NodeJS.ProcessEnv = process.env,
): (destination: Destination) => ActionSink {
  const made = new Map<string, ActionSink>();
  return (destination) => {
    const key = JSON.stringify(destination);
    const known = made.get(key);
    if (known !== undefined) return known;
    const problems = destinationProblems(destination, env);
    if (problems.length > 0) throw new Error(problems.join("; "));
    let sink: ActionSink;
    if (destination.kind === "webhook")
      sink = webhookSink(
        env[destination.urlEnv] ?? "",
        env[destination.secretEnv] ?? "",
        destination.timeoutMs,
        destination.name,
      );
    else if (destination.kind === "ndjson") {
      const file = resolve(config.dataDir, destination.file);
      const inside = relative(config.dataDir, file);
      if (inside.startsWith("..") || isAbsolute(inside))
        throw new Error(`destination ${destination.name}: ${destination.file} is outside the data folder`);
      sink = ndjsonSink(file);
    } else throw new Error(`destination ${destination.name} is the default one, delivered by the worker's sinks`);
    made.set(key, sink);
    return sink;
  };
}
