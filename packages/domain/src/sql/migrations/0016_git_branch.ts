import { SqlClient } from "@effect/sql"
import { Effect } from "effect"

/** The git branch the hook last reported for a timer, kept on the entry it becomes (evidence). */
export default Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* sql`ALTER TABLE timers ADD COLUMN git_branch text`
  yield* sql`ALTER TABLE entries ADD COLUMN git_branch text`
})
