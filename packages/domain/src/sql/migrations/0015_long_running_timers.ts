import { SqlClient } from "@effect/sql"
import { Effect } from "effect"

/** When the watchdog reported a timer as running 12 hours (TimerRunningLong): each timer is reported once. */
export default Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* sql`ALTER TABLE timers ADD COLUMN long_running_reported_at timestamptz`
})
