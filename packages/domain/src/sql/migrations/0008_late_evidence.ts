import { SqlClient } from "@effect/sql"
import { Effect } from "effect"

export default Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* sql`ALTER TABLE timers ADD COLUMN late_heartbeats integer NOT NULL DEFAULT 0`
  yield* sql`ALTER TABLE entries ADD COLUMN late_heartbeats integer NOT NULL DEFAULT 0`
  yield* sql`ALTER TABLE entries ADD COLUMN session_ids jsonb NOT NULL DEFAULT '[]'::jsonb`
  yield* sql`
    CREATE INDEX entries_idle_end_idx ON entries (user_id, project_id, end_time DESC) WHERE stop_reason = 'idle'`
})
