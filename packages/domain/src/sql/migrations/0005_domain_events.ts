import { SqlClient } from "@effect/sql"
import { Effect } from "effect"

/**
 * The outbox becomes the domain event stream: one row per event, written in the transaction of its
 * change. Readers order by (xid, seq) and only read rows whose transaction is older than every running
 * one, so a transaction that commits late can never slip in behind a reader's cursor.
 */
export default Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* sql`
    ALTER TABLE outbox
      ADD COLUMN seq bigint GENERATED ALWAYS AS IDENTITY,
      ADD COLUMN xid xid8 NOT NULL DEFAULT pg_current_xact_id(),
      ADD COLUMN workspace_id uuid,
      ADD COLUMN user_id uuid,
      ADD COLUMN version integer NOT NULL DEFAULT 1,
      ADD COLUMN occurred_at timestamptz`
  // Crossings stored before events had an envelope get one, so every payload decodes as a DomainEvent.
  yield* sql`
    UPDATE outbox o SET
      workspace_id = (o.payload->>'workspaceId')::uuid,
      user_id = e.user_id,
      occurred_at = o.created_at,
      payload = o.payload || jsonb_build_object(
        '_tag', o.type, 'id', o.id, 'version', 1, 'userId', e.user_id,
        'occurredAt', to_char(o.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))
    FROM outbox o2 LEFT JOIN entries e ON e.id = (o2.payload->>'entryId')::uuid
    WHERE o2.id = o.id`
  yield* sql`
    ALTER TABLE outbox
      ALTER COLUMN workspace_id SET NOT NULL,
      ALTER COLUMN occurred_at SET NOT NULL,
      ADD CONSTRAINT outbox_seq_key UNIQUE (seq)`
  yield* sql`CREATE INDEX outbox_stream_idx ON outbox (workspace_id, xid, seq)`
})
