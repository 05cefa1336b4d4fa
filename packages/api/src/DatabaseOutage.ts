import { OUTAGE_RETRY_AFTER_SECONDS } from "@clockme/domain/repos/SqlErrors"
import { HttpServerResponse } from "@effect/platform"

/**
 * A database outage is temporary: 503 with Retry-After, never a 500. The transaction it broke is rolled back,
 * unless the connection died while its commit was under way, so writes are retried with their Idempotency-Key.
 */
export const databaseUnavailable = () =>
  HttpServerResponse.unsafeJson({
    _tag: "ServiceUnavailable",
    code: "database_unavailable",
    message: `The database is not reachable right now; retry in ${OUTAGE_RETRY_AFTER_SECONDS} s (writes with the same Idempotency-Key)`
  }, { status: 503, headers: { "retry-after": String(OUTAGE_RETRY_AFTER_SECONDS) } })
