import { SqlClient } from "@effect/sql"
import { Effect } from "effect"

/**
 * Inbound deliveries share the outbound queue: a verified request is stored as a delivery with its route and
 * request (its event id derived from the provider's delivery id, so a redelivery is the same row), leased and
 * settled like any other, and may end `skipped` (an unmapped user) with the reason. External identities map a
 * provider's user to a member per connection; `integration_once` remembers the side effects a handler did.
 */
export default Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* sql`ALTER TABLE integration_deliveries ADD COLUMN route text, ADD COLUMN request jsonb`
  yield* sql`ALTER TABLE integration_deliveries DROP CONSTRAINT integration_deliveries_state_check`
  yield* sql`
    ALTER TABLE integration_deliveries ADD CONSTRAINT integration_deliveries_state_check
    CHECK (state IN ('pending', 'delivered', 'dead', 'skipped'))`
  yield* sql`ALTER TABLE integration_attempts DROP CONSTRAINT integration_attempts_outcome_check`
  yield* sql`
    ALTER TABLE integration_attempts ADD CONSTRAINT integration_attempts_outcome_check
    CHECK (outcome IN ('success', 'failure', 'rejected', 'skipped'))`
  yield* sql`CREATE SEQUENCE integration_inbound_seq`
  yield* sql`
    CREATE TABLE integration_identities (
      connection_id uuid NOT NULL REFERENCES integration_connections (id) ON DELETE CASCADE,
      external_id text NOT NULL,
      user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      created_by uuid REFERENCES users (id) ON DELETE SET NULL,
      created_at timestamptz NOT NULL,
      PRIMARY KEY (connection_id, external_id)
    )`
  yield* sql`
    CREATE TABLE integration_once (
      connection_id uuid NOT NULL REFERENCES integration_connections (id) ON DELETE CASCADE,
      key text NOT NULL,
      done_at timestamptz NOT NULL,
      PRIMARY KEY (connection_id, key)
    )`
  yield* sql`CREATE INDEX integration_once_done_idx ON integration_once (done_at)`
})
