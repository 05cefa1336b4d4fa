import { SqlClient } from "@effect/sql"
import { Effect } from "effect"

/**
 * Reports read a member's entries (billing, budgets) or a workspace's (the team summary) over a period. A
 * member's entries interleave with everyone else's in the table, so a year of them touched thousands of heap
 * pages; these indexes carry every column the aggregates read, so the scans are index-only. The workspace
 * one replaces the plain (workspace_id, start_time) index.
 */
export default Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* sql`
    CREATE INDEX entries_user_report_idx ON entries (user_id, start_time)
      INCLUDE (workspace_id, project_id, task_id, timer_id, duration_seconds, billable)`
  yield* sql`
    CREATE INDEX entries_workspace_report_idx ON entries (workspace_id, start_time)
      INCLUDE (user_id, project_id, task_id, timer_id, duration_seconds, billable)`
  yield* sql`DROP INDEX entries_workspace_start_idx`
})
