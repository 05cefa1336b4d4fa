import { SqlClient } from "@effect/sql"
import { Effect } from "effect"

/**
 * Price tables loaded with `clockme-server prices update`: every version is kept, the newest prices new
 * requests (the pinned table stands in while there is none). A project's budget may count AI spend.
 */
export default Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* sql`
    CREATE TABLE price_tables (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      version text NOT NULL,
      models jsonb NOT NULL,
      loaded_at timestamptz NOT NULL
    )`
  yield* sql`ALTER TABLE projects ADD COLUMN budget_includes_ai_cost boolean NOT NULL DEFAULT false`
})
