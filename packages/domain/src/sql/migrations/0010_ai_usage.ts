import { SqlClient } from "@effect/sql"
import { Effect } from "effect"

export default Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  // timer_id is kept after the stop: the entry made from the timer has the same timer_id.
  yield* sql`
    CREATE TABLE ai_usage (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
      user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      session_id text NOT NULL,
      request_key text NOT NULL,
      timer_id uuid,
      model text NOT NULL,
      input_tokens bigint NOT NULL CHECK (input_tokens >= 0),
      output_tokens bigint NOT NULL CHECK (output_tokens >= 0),
      cache_read_tokens bigint NOT NULL CHECK (cache_read_tokens >= 0),
      cache_creation_tokens bigint NOT NULL CHECK (cache_creation_tokens >= 0),
      cost_usd numeric(24, 12) CHECK (cost_usd >= 0),
      cost_source text NOT NULL CHECK (cost_source IN ('reported', 'computed', 'unpriced')),
      price_version text,
      occurred_at timestamptz NOT NULL,
      received_at timestamptz NOT NULL,
      CHECK ((cost_usd IS NULL) = (cost_source = 'unpriced')),
      CHECK ((price_version IS NOT NULL) = (cost_source = 'computed'))
    )`
  yield* sql`CREATE UNIQUE INDEX ai_usage_request_key ON ai_usage (user_id, request_key)`
  yield* sql`CREATE INDEX ai_usage_session_idx ON ai_usage (user_id, session_id, occurred_at)`
  yield* sql`CREATE INDEX ai_usage_timer_idx ON ai_usage (timer_id) WHERE timer_id IS NOT NULL`
})
