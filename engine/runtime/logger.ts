import { pino, type Logger } from "pino";

/** The runtime's logger: JSON lines on stderr (stdout may carry the NDJSON action log). */
export function createLogger(): Logger {
  return pino({ level: process.env.PLAYLOOP_LOG_LEVEL ?? "info", base: { service: "playloop" } }, pino.destination(2));
}
