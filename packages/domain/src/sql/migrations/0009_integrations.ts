import { SqlClient } from "@effect/sql"
import { Effect } from "effect"

/**
 * Integrations: per-workspace connections to plugins (settings, sealed secrets), and one delivery per
 * (event, connection) with its attempt log. `integration_cursor` is how far the stream has been fanned
 * out; it starts after every event already written, so turning integrations on replays nothing.
 */
export default Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* sql`
    CREATE TABLE integration_connections (
      id uuid PRIMARY KEY,
      workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
      integration text NOT NULL,
      description text,
      config jsonb NOT NULL DEFAULT '{}',
      events text[] NOT NULL,
      secrets text,
      secret_fingerprint text,
      enabled boolean NOT NULL DEFAULT true,
      disabled_reason text,
      failing_since timestamptz,
      created_by uuid REFERENCES users (id) ON DELETE SET NULL,
      created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL
    )`
  yield* sql`CREATE INDEX integration_connections_workspace_idx ON integration_connections (workspace_id, integration)`
  yield* sql`
    CREATE TABLE integration_cursor (
      id integer PRIMARY KEY CHECK (id = 1),
      xid xid8 NOT NULL,
      seq bigint NOT NULL
    )`
  yield* sql`INSERT INTO integration_cursor (id, xid, seq) VALUES (1, pg_current_xact_id(), 0)`
  yield* sql`
    CREATE TABLE integration_deliveries (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      connection_id uuid NOT NULL REFERENCES integration_connections (id) ON DELETE CASCADE,
      workspace_id uuid NOT NULL,
      event_id uuid NOT NULL,
      event_type text NOT NULL,
      event_xid xid8 NOT NULL,
      event_seq bigint NOT NULL,
      state text NOT NULL CHECK (state IN ('pending', 'delivered', 'dead')),
      attempts integer NOT NULL DEFAULT 0,
      next_attempt_at timestamptz,
      lease_token uuid,
      lease_until timestamptz,
      first_attempt_at timestamptz,
      last_status integer,
      last_error text,
      delivered_at timestamptz,
      created_at timestamptz NOT NULL,
      UNIQUE (connection_id, event_id)
    )`
  yield* sql`
    CREATE INDEX integration_deliveries_pending_idx ON integration_deliveries (connection_id, event_xid, event_seq)
    WHERE state = 'pending'`
  yield* sql`CREATE INDEX integration_deliveries_log_idx ON integration_deliveries (connection_id, created_at DESC)`
  yield* sql`
    CREATE TABLE integration_attempts (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      delivery_id uuid NOT NULL REFERENCES integration_deliveries (id) ON DELETE CASCADE,
      attempt integer NOT NULL,
      started_at timestamptz NOT NULL,
      duration_ms integer NOT NULL,
      status integer,
      outcome text NOT NULL CHECK (outcome IN ('success', 'failure', 'rejected')),
      error text,
      response text
    )`
  yield* sql`CREATE INDEX integration_attempts_delivery_idx ON integration_attempts (delivery_id, attempt)`
})
