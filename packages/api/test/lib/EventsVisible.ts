import { SqlClient } from "@effect/sql"
import { Effect } from "effect"

/**
 * Delivery fans out only events older than every running transaction on the whole server (so a late
 * commit is never skipped). On a PostgreSQL shared with other test files, another file's open transaction
 * can hold that horizon back for a moment: wait, on the real clock and for at most 10 s, until every event
 * committed so far is visible, so one delivery round sees what the test just did.
 */
export const eventsVisible = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  for (let i = 0; i < 500; i++) {
    const [row] = yield* sql<{ hidden: number }>`
      SELECT count(*)::int AS hidden FROM outbox WHERE xid >= pg_snapshot_xmin(pg_current_snapshot())`
    if (row?.hidden === 0) return
    yield* Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 20)))
  }
}).pipe(Effect.orDie)
