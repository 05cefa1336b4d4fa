import { SqlClient } from "@effect/sql"
import { Effect } from "effect"

/**
 * Keys the server makes for itself and shares between its processes through the database, such as the one
 * that authenticates event stream cursors. Each is created on first use, never by a migration: a migrated
 * database image (the embedded seed) must not carry one key into every installation.
 */
export default Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* sql`
    CREATE TABLE server_keys (
      name text PRIMARY KEY,
      secret text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    )`
})
