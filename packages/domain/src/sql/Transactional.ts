import type { SqlClient } from "@effect/sql"
import { Effect } from "effect"

/**
 * Runs an effect in a transaction of `sql` (a savepoint inside the caller's, if there is one); a database
 * failure is a defect, so a service method fails only with its own errors. The postprocessor of a service's
 * `Effect.fn`: `Effect.fn("Svc.method")(function*() { … }, transactional(sql))`.
 */
export const transactional = (sql: SqlClient.SqlClient) => <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  sql.withTransaction(effect).pipe(Effect.catchTag("SqlError", Effect.die))
