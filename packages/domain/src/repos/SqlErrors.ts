import type { SqlError } from "@effect/sql/SqlError"
import { Cause, Chunk } from "effect"

const codeOf = (error: SqlError): unknown =>
  typeof error.cause === "object" && error.cause !== null && "code" in error.cause ? error.cause.code : undefined

export const isUniqueViolation = (error: SqlError): boolean => codeOf(error) === "23505"

export { OUTAGE_RETRY_AFTER_SECONDS } from "../contract/Refusals.js"

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
 * Whether something failed because the database could not be reached (restarting, refusing, cut off),
 * rather than because of anything the request or our code did. Repositories turn SqlError into a defect,
 * so it is looked for among both the failures and the defects. The edges (REST, MCP) answer it with 503.
 */
export const isDatabaseOutage = (cause: Cause.Cause<unknown>): boolean =>
  [...Chunk.toReadonlyArray(Cause.failures(cause)), ...Chunk.toReadonlyArray(Cause.defects(cause))]
    .some((error) => isSqlError(error) && isOutage(error))
