import { resolve } from "node:path";
import { defaultDataDir, defaultPlaybooksDir, hasLocalPlaybooks } from "./project-root.js";
import { webhookKey } from "./webhook-signature.js";

/** Runtime settings, all from the environment: secrets never come from playbooks. */
export interface RuntimeConfig {
  readonly temporalAddress: string;
  readonly namespace: string;
  readonly taskQueue: string;
  readonly tls?: { readonly certPath?: string; readonly keyPath?: string; readonly serverName?: string };
  readonly apiKey?: string;
  readonly apiPort: number;
  /** Where the HTTP API listens: loopback unless a deployment asks for more. */
  readonly apiHost: string;
  /** The bearer token for every API request but `GET /healthz`; `playloop dev` makes one when unset. */
  readonly apiToken?: string;
  /** A second token that may only read (GET). */
  readonly apiReadToken?: string;
  readonly dataDir: string;
  readonly webhookUrl?: string;
  readonly webhookSecret?: string;
  /** Where the NDJSON action sink writes: a file path, or `-` for stdout. */
  readonly actionsFile: string;
  readonly playbooksDir: string;
  /**
   * True when the playbooks are the samples bundled with the package (no PLAYLOOP_PLAYBOOKS, no
   * ./playbooks): `playloop dev` runs them as a demo, `playloop worker` never deploys them.
   */
  readonly bundledPlaybooks: boolean;
  /** How many workflows the worker keeps in memory between tasks; the SDK sizes it from the heap when unset. */
  readonly maxCachedWorkflows?: number;
  /** The analytics database (DuckDB) the worker stores facts in; undefined when PLAYLOOP_FACTS_DB=off. */
  readonly factsDb?: string;
  /** True when factsDb is the data folder's default file rather than PLAYLOOP_FACTS_DB. */
  readonly factsDbIsDefault?: boolean;
  /** An NDJSON file of the facts as CloudEvents, for a warehouse (PLAYLOOP_FACTS_FILE); none when unset. */
  readonly factsFile?: string;
}

function port(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined || value === "") return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0 || parsed > 65535)
    throw new Error(`${name} must be a port number, got "${value}"`);
  return parsed;
}

function count(value: string | undefined, name: string): number | undefined {
  if (value === undefined || value === "") return undefined;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 2)
    throw new Error(`${name} must be a whole number of at least 2, got "${value}"`);
  return parsed;
}

const TOKEN_CHARACTERS = /^[\x21-\x7e]+$/;
const MIN_TOKEN_LENGTH = 16;

function token(value: string | undefined, name: string): string | undefined {
  if (value === undefined || value === "") return undefined;
  // Visible ASCII is what an Authorization header carries unchanged; a short token can be guessed.
  if (!TOKEN_CHARACTERS.test(value))
    throw new Error(
      `${name} must be visible ASCII characters without spaces (such as the output of openssl rand -base64 32)`,
    );
  if (value.length < MIN_TOKEN_LENGTH)
    throw new Error(
      `${name} must be at least ${MIN_TOKEN_LENGTH} characters, got ${value.length} (try openssl rand -base64 32)`,
    );
  return value;
}

/** Reads the runtime configuration from environment variables (see the README). */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): RuntimeConfig {
  const dataDir = resolve(env.PLAYLOOP_DATA_DIR ?? defaultDataDir());
  const tlsOn = env.TEMPORAL_TLS === "1" || env.TEMPORAL_TLS_CERT !== undefined || env.TEMPORAL_API_KEY !== undefined;
  if ((env.PLAYLOOP_WEBHOOK_URL === undefined) !== (env.PLAYLOOP_WEBHOOK_SECRET === undefined)) {
    throw new Error("set both PLAYLOOP_WEBHOOK_URL and PLAYLOOP_WEBHOOK_SECRET, or neither");
  }
  // Checked now, so a bad secret stops the process at start instead of failing every delivery.
  if (env.PLAYLOOP_WEBHOOK_SECRET !== undefined) webhookKey(env.PLAYLOOP_WEBHOOK_SECRET, "PLAYLOOP_WEBHOOK_SECRET");
  const apiToken = token(env.PLAYLOOP_API_TOKEN, "PLAYLOOP_API_TOKEN");
  const apiReadToken = token(env.PLAYLOOP_API_READ_TOKEN, "PLAYLOOP_API_READ_TOKEN");
  if (apiReadToken !== undefined && apiReadToken === apiToken)
    throw new Error("PLAYLOOP_API_READ_TOKEN must differ from PLAYLOOP_API_TOKEN: the read token may not write");
  return {
    temporalAddress: env.TEMPORAL_ADDRESS ?? "localhost:7233",
    namespace: env.TEMPORAL_NAMESPACE ?? "default",
    taskQueue: env.PLAYLOOP_TASK_QUEUE ?? "playloop",
    tls: tlsOn
      ? { certPath: env.TEMPORAL_TLS_CERT, keyPath: env.TEMPORAL_TLS_KEY, serverName: env.TEMPORAL_TLS_SERVER_NAME }
      : undefined,
    apiKey: env.TEMPORAL_API_KEY,
    apiPort: port(env.PLAYLOOP_API_PORT, 8080, "PLAYLOOP_API_PORT"),
    apiHost: env.PLAYLOOP_API_HOST || "127.0.0.1",
    apiToken,
    apiReadToken,
    dataDir,
    webhookUrl: env.PLAYLOOP_WEBHOOK_URL,
    webhookSecret: env.PLAYLOOP_WEBHOOK_SECRET,
    actionsFile: env.PLAYLOOP_ACTIONS_FILE ?? resolve(dataDir, "actions.ndjson"),
    playbooksDir: resolve(env.PLAYLOOP_PLAYBOOKS ?? defaultPlaybooksDir()),
    bundledPlaybooks: env.PLAYLOOP_PLAYBOOKS === undefined && !hasLocalPlaybooks(),
    maxCachedWorkflows: count(env.PLAYLOOP_MAX_CACHED_WORKFLOWS, "PLAYLOOP_MAX_CACHED_WORKFLOWS"),
    ...(env.PLAYLOOP_FACTS_DB === "off"
      ? {}
      : {
          factsDb: resolve(env.PLAYLOOP_FACTS_DB || resolve(dataDir, "analytics.duckdb")),
          factsDbIsDefault: !env.PLAYLOOP_FACTS_DB,
        }),
    ...(env.PLAYLOOP_FACTS_FILE ? { factsFile: resolve(env.PLAYLOOP_FACTS_FILE) } : {}),
  };
}
