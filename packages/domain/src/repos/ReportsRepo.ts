import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import type { UserId, WorkspaceId } from "../Ids.js"

export interface Period {
  readonly from: string
  readonly to: string
  readonly timezone: string
}

export interface BillingRow {
  readonly projectId: string
  readonly projectName: string
  readonly seconds: number
  readonly billableSeconds: number
  readonly rate: number | null
  readonly amount: number
  readonly entries: number
}

export interface HoursRow {
  readonly userId: string | null
  readonly projectId: string | null
  readonly name: string | null
  readonly email: string | null
  readonly seconds: number
  readonly billableSeconds: number
  readonly entries: number
}

export class ReportsRepo extends Effect.Service<ReportsRepo>()("@clockme/domain/ReportsRepo", {
  effect: Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient

    const inPeriod = (period: Period) =>
      sql`e.start_time >= (${period.from}::date::timestamp AT TIME ZONE ${period.timezone})
          AND e.start_time < ((${period.to}::date + 1)::timestamp AT TIME ZONE ${period.timezone})`

    /** Amounts are summed and rounded in SQL numeric: the rate of each entry is task, then project, then workspace. */
    const billing = (userId: UserId, workspaceId: WorkspaceId, period: Period, scale: number) =>
      sql<BillingRow>`
        SELECT p.id AS project_id, p.name AS project_name,
               sum(e.duration_seconds)::bigint AS seconds,
               sum(CASE WHEN e.billable THEN e.duration_seconds ELSE 0 END)::bigint AS billable_seconds,
               coalesce(p.hourly_rate, w.default_hourly_rate) AS rate,
               round(coalesce(sum(CASE WHEN e.billable
                 THEN e.duration_seconds * coalesce(t.hourly_rate, p.hourly_rate, w.default_hourly_rate, 0) / 3600.0
               END), 0), ${scale}::int) AS amount,
               count(*)::int AS entries
        FROM entries e
        JOIN projects p ON p.id = e.project_id
        JOIN workspaces w ON w.id = e.workspace_id
        LEFT JOIN tasks t ON t.id = e.task_id
        WHERE e.user_id = ${userId} AND e.workspace_id = ${workspaceId} AND ${inPeriod(period)}
        GROUP BY p.id, p.name, p.hourly_rate, w.default_hourly_rate
        ORDER BY lower(p.name), p.id`.pipe(Effect.orDie)

    /** Hours of every member by member, by project and by both, with GROUPING SETS in one pass. */
    const teamHours = (workspaceId: WorkspaceId, period: Period) =>
      sql<HoursRow & { readonly byMember: boolean; readonly byProject: boolean }>`
        SELECT e.user_id, e.project_id,
               CASE WHEN GROUPING(e.project_id) = 1 THEN max(u.name) ELSE max(p.name) END AS name,
               max(u.email) AS email,
               sum(e.duration_seconds)::bigint AS seconds,
               sum(CASE WHEN e.billable THEN e.duration_seconds ELSE 0 END)::bigint AS billable_seconds,
               count(*)::int AS entries,
               GROUPING(e.user_id) = 0 AS by_member,
               GROUPING(e.project_id) = 0 AS by_project
        FROM entries e
        JOIN users u ON u.id = e.user_id
        JOIN projects p ON p.id = e.project_id
        WHERE e.workspace_id = ${workspaceId} AND ${inPeriod(period)}
        GROUP BY GROUPING SETS ((e.user_id), (e.project_id), (e.user_id, e.project_id))
        ORDER BY 3, 1, 2`.pipe(Effect.orDie)

    return { billing, teamHours } as const
  })
}) {}
