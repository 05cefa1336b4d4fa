import { SqlClient } from "@effect/sql"
import { Effect } from "effect"

/**
 * What a connection's provider calls each entry it was sent (a Notion page id), so an edit or a deletion reaches
 * the same record there. No foreign key to entries: a deleted entry's row is still needed to trash the page.
 */
export default Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* sql`
    CREATE TABLE integration_external_ids (
      connection_id uuid NOT NULL REFERENCES integration_connections (id) ON DELETE CASCADE,
      entry_id uuid NOT NULL,
      external_id text NOT NULL,
      created_at timestamptz NOT NULL,
      PRIMARY KEY (connection_id, entry_id)
    )`
})
