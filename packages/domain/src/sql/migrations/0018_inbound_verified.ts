import { SqlClient } from "@effect/sql"
import { Effect } from "effect"

/**
 * When a connection's provider first signed a request with the verification token it handed over (Notion's
 * handshake): until then an owner may reveal the token to paste it back; never after. New secrets clear it.
 */
export default Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* sql`ALTER TABLE integration_connections ADD COLUMN inbound_verified_at timestamptz`
})
