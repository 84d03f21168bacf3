// The HTTP API: JSON in and out, every body validated against schemas/, a 4xx with a message for
// bad input and never a 500 for it. Every request but GET /healthz carries a bearer token.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Logger } from "pino";
import eventSchema from "../../schemas/event.schema.json" with { type: "json" };
import type { JourneyEvent } from "../journey/journey-types.js";
import { validateAccount } from "../validate/validate-account.js";
import { createSchemaValidator } from "../validate/schema-issues.js";
import { UnknownAccountError, type AccountClient } from "./account-client.js";
import { DeploymentRefused, type DeploymentsClient } from "./deployments-client.js";
import { bearerAuth, type ApiTokens, type BearerAccess } from "./bearer-auth.js";
import type { FactStore } from "../analytics/fact-store.js";
import { parsePeriod } from "../analytics/report-period.js";
import { revenueReport, type ReportOptions } from "../analytics/revenue-report.js";
import { isScoreBand, SCORE_BANDS } from "../ast/scorecard.js";
import {
  MAX_QUEUE_LIMIT,
  QUEUE_LIMIT,
  QueueRefused,
  type QueueFilters,
  type QueueReport,
} from "../queue/rank-queue.js";

const MAX_BODY_BYTES = 1024 * 1024;
const validateEvent = createSchemaValidator<JourneyEvent>(eventSchema);

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly details?: unknown,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }
}

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Readonly<Record<string, string>> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...headers,
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(text),
  });
  res.end(text);
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const type = req.headers["content-type"] ?? "";
  if (!/^application\/(.+\+)?json\b/.test(type))
    throw new HttpError(415, "send JSON with content-type: application/json");
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, "request body is larger than 1 MiB");
    chunks.push(buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch (error) {
    throw new HttpError(
      400,
      `request body is not valid JSON: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

function issues(
  list: readonly { path: readonly (string | number)[]; message: string }[],
): { path: string; message: string }[] {
  return list.map((issue) => ({ path: `/${issue.path.join("/")}`, message: issue.message }));
}

export interface ApiOptions {
  readonly accounts: AccountClient;
  readonly logger: Logger;
  /** True once the worker is polling: /healthz answers 200 only then. */
  readonly ready: () => Promise<boolean>;
  /** The bearer tokens requests must carry (all but GET /healthz). */
  readonly tokens: ApiTokens;
  /** The deployments record: GET /v1/deployments, POST /v1/playbooks/{id}/pause|resume|stop. */
  readonly deployments?: DeploymentsClient;
  /** The analytics database: GET /v1/reports. */
  readonly facts?: FactStore;
  /** The accounts to work next, by score: GET /v1/queue. */
  readonly queue?: (filters: QueueFilters) => Promise<QueueReport>;
}

const QUEUE_PARAMETERS = new Set(["owner", "segment", "band", "limit"]);

/** The filters of GET /v1/queue (`owner`, `segment`, `band`, `limit`), or what is wrong with them. */
function queueFilters(query: URLSearchParams): QueueFilters | string {
  const unknown = [...query.keys()].find((key) => !QUEUE_PARAMETERS.has(key));
  if (unknown !== undefined) return `unknown parameter "${unknown.slice(0, 40)}": use owner, segment, band and limit`;
  const owner = query.get("owner");
  const segment = query.get("segment");
  const band = query.get("band");
  const limitText = query.get("limit");
  const limit = limitText === null ? QUEUE_LIMIT : Number(limitText);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_QUEUE_LIMIT)
    return `limit must be a whole number from 1 to ${MAX_QUEUE_LIMIT}`;
  if (owner !== null && (owner.length === 0 || owner.length > 200)) return "owner must be 1 to 200 characters";
  if (segment !== null && !/^[a-z][a-z0-9_]{0,62}$/.test(segment))
    return "segment must be a segment name such as at_risk";
  if (band !== null && !isScoreBand(band)) return `band must be one of ${SCORE_BANDS.join(", ")}`;
  return {
    ...(owner === null ? {} : { owner }),
    ...(segment === null ? {} : { segment }),
    ...(band === null || !isScoreBand(band) ? {} : { band }),
    limit,
  };
}

/** The period of GET /v1/reports: `from`, `to` (dates or ISO times) and `playbook`, or what is wrong with them. */
function reportPeriod(query: URLSearchParams): ReportOptions | string {
  const period = parsePeriod(query.get("from") ?? undefined, query.get("to") ?? undefined, Date.now());
  if (typeof period === "string") return period;
  const playbook = query.get("playbook");
  if (playbook !== null && !PLAYBOOK_ID.test(playbook))
    return `playbook "${playbook.slice(0, 80)}" is not a playbook id`;
  return { ...period, ...(playbook === null ? {} : { playbook }) };
}

const ACCOUNT_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,199}$/;
const READS = new Set(["GET", "HEAD"]);

/** The RFC 6750 challenge: the scheme, and why a token that was sent is refused. */
function challenge(error?: "invalid_token" | "insufficient_scope"): Record<string, string> {
  return { "www-authenticate": `Bearer realm="playloop"${error === undefined ? "" : `, error="${error}"`}` };
}

/** Refuses a request whose token is missing or wrong (401), or a write with the read-only token (403). */
function authorize(access: BearerAccess, method: string): void {
  if (access === "missing")
    throw new HttpError(401, "send Authorization: Bearer <token> (PLAYLOOP_API_TOKEN)", undefined, challenge());
  if (access === "invalid")
    throw new HttpError(401, "the bearer token is not one of the API's tokens", undefined, challenge("invalid_token"));
  if (access === "read-only" && !READS.has(method)) {
    const message = `the read-only token (PLAYLOOP_API_READ_TOKEN) may not ${method}; use PLAYLOOP_API_TOKEN`;
    throw new HttpError(403, message, undefined, challenge("insufficient_scope"));
  }
}

const PLAYBOOK_ID = /^[a-z][a-z0-9-]{0,62}$/;

/** GET /v1/deployments; POST /v1/playbooks/{id}/pause, /resume, /stop (body: optional `{ "actor" }`). */
async function deploymentRoutes(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  method: string,
  deployments: DeploymentsClient | undefined,
): Promise<void> {
  if (deployments === undefined) throw new HttpError(404, `no route for ${url.pathname}`);
  if (url.pathname === "/v1/deployments") {
    if (method !== "GET") throw new HttpError(405, "use GET");
    return send(res, 200, await deployments.list());
  }
  const match = /^\/v1\/playbooks\/([^/]+)\/(pause|resume|stop)$/.exec(url.pathname);
  if (match === null) throw new HttpError(404, `no route for ${url.pathname}`);
  if (method !== "POST") throw new HttpError(405, `use POST to ${match[2]} a playbook`);
  const playbook = decodeURIComponent(match[1] ?? "");
  if (!PLAYBOOK_ID.test(playbook)) throw new HttpError(400, "playbook ids are lowercase letters, digits and -");
  const body =
    req.headers["content-length"] === "0" || req.headers["content-type"] === undefined ? {} : await readJson(req);
  const actor =
    typeof body === "object" && body !== null && "actor" in body ? (body as { actor: unknown }).actor : "api";
  if (typeof actor !== "string" || actor.length === 0 || actor.length > 100)
    throw new HttpError(400, "actor must be a string of 1 to 100 characters");
  try {
    const outcome = await deployments.control({ playbook, action: match[2] as "pause" | "resume" | "stop", actor });
    // Answered once every worker applies it (or after 30 s, naming those that do not yet).
    const rollout = await deployments.waitForWorkers(outcome.deployment, 30_000);
    return send(res, 200, { ...outcome, rollout });
  } catch (error) {
    if (error instanceof DeploymentRefused) throw new HttpError(error.reason === "unknown" ? 404 : 409, error.message);
    throw error;
  }
}

/** Creates the HTTP API server (call `listen` on it). */
export function createApiServer(options: ApiOptions): Server {
  const { accounts, logger } = options;
  const access = bearerAuth(options.tokens);
  const route = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? "/", "http://localhost");
    const method = req.method ?? "GET";
    // Load balancers probe /healthz without credentials; everything else, even a 404, needs a token.
    if (url.pathname !== "/healthz" || method !== "GET") authorize(access(req.headers.authorization), method);
    if (url.pathname === "/healthz") {
      if (method !== "GET") throw new HttpError(405, "use GET");
      return (await options.ready()) ? send(res, 200, { status: "ok" }) : send(res, 503, { status: "starting" });
    }
    if (url.pathname === "/v1/reports") {
      if (method !== "GET") throw new HttpError(405, "use GET");
      if (options.facts === undefined)
        throw new HttpError(
          404,
          "this process keeps no analytics database: ask the `playloop dev` or `playloop worker` that writes it",
        );
      const period = reportPeriod(url.searchParams);
      if (typeof period === "string") throw new HttpError(400, period);
      return send(res, 200, await revenueReport(options.facts, period));
    }
    if (url.pathname === "/v1/queue") {
      if (method !== "GET") throw new HttpError(405, "use GET");
      if (options.queue === undefined) throw new HttpError(404, "this process ranks no queue");
      const filters = queueFilters(url.searchParams);
      if (typeof filters === "string") throw new HttpError(400, filters);
      try {
        return send(res, 200, await options.queue(filters));
      } catch (error) {
        if (error instanceof QueueRefused)
          throw new HttpError(
            error.reason === "bad_filter" ? 400 : error.reason === "not_ready" ? 503 : 409,
            error.message,
          );
        throw error;
      }
    }
    if (url.pathname === "/v1/deployments" || url.pathname.startsWith("/v1/playbooks/"))
      return deploymentRoutes(req, res, url, method, options.deployments);
    const match = /^\/v1\/accounts\/([^/]+)(\/events)?$/.exec(url.pathname);
    if (match === null) throw new HttpError(404, `no route for ${url.pathname}`);
    const id = decodeURIComponent(match[1] ?? "");
    if (!ACCOUNT_ID.test(id))
      throw new HttpError(400, "account ids are 1-200 letters, digits and . _ : -, starting with a letter or digit");
    if (match[2] === "/events") {
      if (method !== "POST") throw new HttpError(405, "use POST to send an event");
      const { value, issues: problems } = validateEvent(await readJson(req));
      if (value === undefined) throw new HttpError(400, "invalid event", issues(problems));
      const { duplicate } = await accounts.sendEvent(id, value);
      return send(res, 202, { accepted: value.id, duplicate });
    }
    if (method === "PUT") {
      const body = await readJson(req);
      const { account, issues: problems } = validateAccount(body);
      if (account === undefined) throw new HttpError(400, "invalid account", issues(problems));
      if (account.id !== id) throw new HttpError(400, `the body's id "${account.id}" does not match the URL's "${id}"`);
      const { changed } = await accounts.upsertAccount(account);
      return send(res, 200, { id, changed });
    }
    if (method === "GET") {
      return send(res, 200, await accounts.status(id));
    }
    throw new HttpError(405, "use GET or PUT");
  };
  return createServer((req, res) => {
    route(req, res).catch((error: unknown) => {
      if (error instanceof HttpError)
        return send(res, error.status, { error: error.message, details: error.details }, error.headers);
      if (error instanceof UnknownAccountError) return send(res, 404, { error: error.message });
      logger.error({ err: error }, "request failed");
      send(res, 503, { error: "the engine could not take the request; try again" });
    });
  });
}
