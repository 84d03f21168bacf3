import { createHash, timingSafeEqual } from "node:crypto";

/** The HTTP API's bearer tokens: one that may do everything, and optionally one that may only read. */
export interface ApiTokens {
  readonly readWrite: string;
  readonly readOnly?: string;
}

/** What a request's `Authorization` header grants. */
export type BearerAccess = "read-write" | "read-only" | "missing" | "invalid";

const digest = (text: string): Buffer => createHash("sha256").update(text).digest();

/**
 * Makes the check of a request's `Authorization: Bearer <token>` header against the tokens.
 * Tokens are compared as SHA-256 digests in constant time, so neither their content nor their
 * length leaks through how long an answer takes; both are compared on every request for the same reason.
 */
export function bearerAuth(tokens: ApiTokens): (authorization: string | undefined) => BearerAccess {
  const readWrite = digest(tokens.readWrite);
  const readOnly = tokens.readOnly === undefined ? undefined : digest(tokens.readOnly);
  return (authorization) => {
    if (authorization === undefined || authorization === "") return "missing";
    // RFC 6750: the scheme is case-insensitive, the token one run of visible characters.
    const match = /^Bearer +(\S+) *$/i.exec(authorization);
    if (match?.[1] === undefined) return "invalid";
    const given = digest(match[1]);
    const writes = timingSafeEqual(given, readWrite);
    const reads = readOnly !== undefined && timingSafeEqual(given, readOnly);
    return writes ? "read-write" : reads ? "read-only" : "invalid";
  };
}
