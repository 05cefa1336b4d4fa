import { SqlClient } from "@effect/sql"
import { Effect } from "effect"

export default Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* sql`ALTER TABLE timers ADD COLUMN heartbeat_count integer NOT NULL DEFAULT 0`
  yield* sql`ALTER TABLE timers ADD COLUMN pause_count integer NOT NULL DEFAULT 0`
  yield* sql`CREATE INDEX timers_idle_idx ON timers (last_activity_at) WHERE source IN ('hook', 'mcp')`
  yield* sql`
    CREATE TABLE timer_sessions (
      timer_id uuid NOT NULL REFERENCES timers (id) ON DELETE CASCADE,
      session_id text NOT NULL,
      started_at timestamptz NOT NULL,
      last_seen_at timestamptz NOT NULL,
      ended_at timestamptz,
      PRIMARY KEY (timer_id, session_id)
    )`
  yield* sql`ALTER TABLE entries ADD COLUMN heartbeats integer NOT NULL DEFAULT 0`
  yield* sql`ALTER TABLE entries ADD COLUMN sessions integer NOT NULL DEFAULT 0`
  yield* sql`ALTER TABLE entries ADD COLUMN pauses integer NOT NULL DEFAULT 0`
  yield* sql`ALTER TABLE entries ADD COLUMN first_activity_at timestamptz`
  yield* sql`ALTER TABLE entries ADD COLUMN last_activity_at timestamptz`
  yield* sql`
    CREATE TABLE idempotency_keys (
      user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      key text NOT NULL,
      operation text NOT NULL,
      response jsonb,
      created_at timestamptz NOT NULL,
      PRIMARY KEY (user_id, key)
    )`
})
