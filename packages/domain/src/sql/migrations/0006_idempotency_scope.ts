import { SqlClient } from "@effect/sql"
import { Effect } from "effect"

/**
 * Idempotency keys are scoped to user, workspace and operation, and logged entries use them like every
 * other keyed write: the per-user unique index on entries goes, and the keys entries hold move over
 * (without a stored answer, so a late retry of one is a 409, never a second entry).
 */
export default Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* sql`ALTER TABLE idempotency_keys ADD COLUMN workspace_id uuid REFERENCES workspaces (id) ON DELETE CASCADE`
  yield* sql`UPDATE idempotency_keys k SET workspace_id = u.active_workspace_id FROM users u WHERE u.id = k.user_id`
  yield* sql`DELETE FROM idempotency_keys WHERE workspace_id IS NULL`
  yield* sql`ALTER TABLE idempotency_keys ALTER COLUMN workspace_id SET NOT NULL`
  yield* sql`ALTER TABLE idempotency_keys DROP CONSTRAINT idempotency_keys_pkey`
  yield* sql`ALTER TABLE idempotency_keys ADD PRIMARY KEY (user_id, workspace_id, key)`
  yield* sql`
    INSERT INTO idempotency_keys (user_id, workspace_id, key, operation, response, created_at)
    SELECT user_id, workspace_id, idempotency_key, 'entries.create', NULL, created_at
    FROM entries WHERE idempotency_key IS NOT NULL
    ON CONFLICT DO NOTHING`
  yield* sql`DROP INDEX entries_idempotency_key`
})
