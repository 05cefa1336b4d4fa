import { DatabaseUnavailable } from "@clockme/domain/contract/Refusals"
import { refusalResponse } from "./RequestGuard.js"

/**
 * A database outage is temporary: 503 with Retry-After, never a 500. The transaction it broke is rolled back,
 * unless the connection died while its commit was under way, so writes are retried with their Idempotency-Key.
 */
export const databaseUnavailable = () => refusalResponse(DatabaseUnavailable.now())
