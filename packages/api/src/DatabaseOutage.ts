import { HttpServerResponse } from "@effect/platform"
import { Cause, Chunk } from "effect"

/** How long a client is told to wait before retrying while the database is away (a restart takes seconds). */
export const RETRY_AFTER_SECONDS = 5

/** Node's socket errors for a server that is gone or not reachable right now. */
const socketCodes = new Set(["ECONNREFUSED", "ECONNRESET", "EPIPE", "ETIMEDOUT", "EHOSTUNREACH", "ENETUNREACH", "EAI_AGAIN"])

/**
 * PostgreSQL's own words for "not now": class 08 (connection exception), 57P01–57P03 (shut down by an
 * administrator or a crash, cannot connect now: starting up or shutting down), 53300 (too many connections).
 */
const serverCode = (code: string) => code.startsWith("08") || code === "57P01" || code === "57P02" || code === "57P03" || code === "53300"

/** node-postgres says these in plain text, without a code, when a connection dies under it or never comes. */
const lostConnection = /Connection terminated|Connection timed out|timeout expired|timeout exceeded when trying to connect|not queryable/i

const isOutage = (error: unknown, depth = 0): boolean => {
  if (depth > 4 || typeof error !== "object" || error === null) return false
  const { cause, code, message } = error as { readonly code?: unknown; readonly message?: unknown; readonly cause?: unknown }
  if (typeof code === "string" && (socketCodes.has(code) || serverCode(code))) return true
  if (typeof message === "string" && lostConnection.test(message)) return true
  if (error instanceof AggregateError && error.errors.some((e) => isOutage(e, depth + 1))) return true
  return isOutage(cause, depth + 1)
}

const isSqlError = (value: unknown): boolean =>
  typeof value === "object" && value !== null && (value as { readonly _tag?: unknown })._tag === "SqlError"

/**
 * Whether a request failed because the database could not be reached (restarting, refusing, cut off),
 * rather than because of anything the request or our code did. Repositories turn SqlError into a defect,
 * so it is looked for among both the failures and the defects.
 */
export const isDatabaseOutage = (cause: Cause.Cause<unknown>): boolean => {
  const errors = [...Chunk.toReadonlyArray(Cause.failures(cause)), ...Chunk.toReadonlyArray(Cause.defects(cause))]
  return errors.length > 0 && errors.some((error) => isSqlError(error) && isOutage(error))
}

/**
 * A database outage is temporary: 503 with Retry-After, never a 500. The transaction it broke is rolled back,
 * unless the connection died while its commit was under way, so writes are retried with their Idempotency-Key.
 */
export const databaseUnavailable = () =>
  HttpServerResponse.unsafeJson({
    _tag: "ServiceUnavailable",
    code: "database_unavailable",
    message: `The database is not reachable right now; retry in ${RETRY_AFTER_SECONDS} s (writes with the same Idempotency-Key)`
  }, { status: 503, headers: { "retry-after": String(RETRY_AFTER_SECONDS) } })
