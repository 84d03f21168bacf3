import { randomBytes } from "node:crypto";
import type { ApiTokens } from "./bearer-auth.js";
import type { RuntimeConfig } from "./config.js";

/** The API's tokens, and whether the read-write one was made up for this run. */
export interface ResolvedApiTokens {
  readonly tokens: ApiTokens;
  readonly generated: boolean;
}

/**
 * The HTTP API's tokens from the configuration. `playloop dev` makes a random read-write token when
 * none is set (it prints it and keeps it nowhere, so each run has its own); `playloop serve`
 * refuses to start without one, since an API without a token would take writes from anyone.
 */
export function resolveApiTokens(
  config: Pick<RuntimeConfig, "apiToken" | "apiReadToken">,
  command: "dev" | "serve",
): ResolvedApiTokens {
  const readOnly = config.apiReadToken;
  if (config.apiToken !== undefined) return { tokens: { readWrite: config.apiToken, readOnly }, generated: false };
  if (command === "dev")
    return { tokens: { readWrite: randomBytes(32).toString("base64url"), readOnly }, generated: true };
  throw new Error(
    `PLAYLOOP_API_TOKEN is not set: \`playloop ${command}\` answers every request but GET /healthz only with ` +
      "Authorization: Bearer <token>. Set it to a long random string (openssl rand -base64 32) and give it to the API's clients.",
  );
}
