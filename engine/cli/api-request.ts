// Calls on playloop's HTTP API from the command line: where it is (PLAYLOOP_API_URL, else
// PLAYLOOP_API_PORT on localhost), the token it wants (PLAYLOOP_API_TOKEN), and what to do about a
// refusal.

/** The API's answer: its status and its JSON body (undefined when it sent none). */
export interface ApiAnswer {
  readonly status: number;
  readonly ok: boolean;
  readonly json: unknown;
  readonly text: string;
  /** What to do about a 401 or 403, given the token that was sent. */
  readonly hint?: string;
}

/** What to do about a 401 or 403 from the API, given the token the CLI sent (if any). */
export function authHint(status: number, token: string | undefined): string | undefined {
  if (status === 401 && token === undefined)
    return "the API wants a token: set PLAYLOOP_API_TOKEN to the token `playloop dev` printed (or the one `playloop serve` runs with)";
  if (status === 401)
    return "the API refused PLAYLOOP_API_TOKEN: set it to the token `playloop dev` printed at its last start (a new one each run), or the one `playloop serve` runs with";
  if (status === 403)
    return "PLAYLOOP_API_TOKEN holds the read-only token: set it to the read-write one to change anything";
  return undefined;
}

/** Sends one request to the API; throws only when the API cannot be reached. */
export async function requestApi(method: string, path: string, body?: unknown): Promise<ApiAnswer> {
  const base = process.env.PLAYLOOP_API_URL ?? `http://localhost:${process.env.PLAYLOOP_API_PORT ?? 8080}`;
  const token = process.env.PLAYLOOP_API_TOKEN || undefined;
  const response = await fetch(`${base}${path}`, {
    method,
    headers: {
      ...(body === undefined ? {} : { "content-type": "application/json" }),
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  }).catch((error: unknown) => {
    throw new Error(
      `cannot reach the playloop API at ${base} (${error instanceof Error ? error.message : String(error)}); is \`playloop dev\` or \`playloop serve\` running?`,
    );
  });
  const text = await response.text();
  const json: unknown = text.startsWith("{") ? JSON.parse(text) : undefined;
  const hint = authHint(response.status, token);
  return { status: response.status, ok: response.ok, json, text, ...(hint === undefined ? {} : { hint }) };
}
