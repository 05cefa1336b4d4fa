import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import type { ProjectId, TaskId, UserId, WorkspaceId } from "../contract/Ids.js"
import { currencyScales } from "../contract/Money.js"
import type { GroupBy } from "../contract/Report.js"

export interface Period {
  readonly from: string
  readonly to: string
  readonly timezone: string
}

/** What a member's report is asked for: the days (in `timezone`, else the user's own) and how lines are formed. */
export interface ReportCall {
  readonly userId: UserId
  readonly workspaceId: WorkspaceId
  readonly from: string
  readonly to: string
  /** A timezone to read the days in instead of the user's (UTC for a stored zone the server does not know). */
  readonly timezone: string | undefined
  readonly groupBy: GroupBy
  readonly projectId: ProjectId | undefined
  readonly taskId: TaskId | undefined
  readonly billable: boolean | undefined
}

export interface BillingRow {
  readonly projectId: string | null
  readonly projectName: string | null
  readonly taskId: string | null
  readonly taskName: string | null
  readonly day: string | null
  readonly seconds: number
  readonly billableSeconds: number
  readonly rate: number | null
  readonly amount: number
  readonly entries: number
  readonly aiCostUsd: number
  readonly unpricedModels: ReadonlyArray<string>
}

export interface HoursRow {
  readonly userId: string | null
  readonly projectId: string | null
  readonly memberName: string | null
  readonly projectName: string | null
  readonly email: string | null
  readonly seconds: number
  readonly billableSeconds: number
  readonly entries: number
  readonly amount: number
  readonly aiCostUsd: number
}

/** What a report of a user in a workspace is read with: their timezone and week, the workspace's currency. */
export interface ReportSettings {
  readonly timezone: string
  readonly weekStart: "monday" | "sunday"
  readonly currency: string
}

/** `clockme_report`'s rows: the settings, then the lines as JSON. */
interface ReportColumns {
  readonly kind: "settings" | "unusable zone" | "line" | "project"
  readonly lines: ReadonlyArray<BillingRow> | string | null
  readonly timezone: string | null
  readonly week_start: "monday" | "sunday" | null
  readonly currency: string | null
}

// PGlite's node-postgres adapter may hand JSON over as text
const linesOf = (row: ReportColumns): ReadonlyArray<BillingRow> =>
  typeof row.lines === "string" ? JSON.parse(row.lines) : row.lines ?? []

export class ReportsRepo extends Effect.Service<ReportsRepo>()("@clockme/domain/ReportsRepo", {
  effect: Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient

    /** An entry belongs to the calendar day, in the user's timezone, on which it started. */
    const inPeriod = (period: Period) =>
      sql`e.start_time >= (${period.from}::date::timestamp AT TIME ZONE ${period.timezone})
          AND e.start_time < ((${period.to}::date + 1)::timestamp AT TIME ZONE ${period.timezone})`

    const raw = sql.withoutTransforms()

    /**
     * The settings and lines of a member's report in one call of `clockme_report` (migration
     * 0023_report_function); no lines when the timezone is one the database cannot use (`usableZone` false).
     * `projects` are the lines by project of a report grouped otherwise. Rows are read without the name
     * transform; the lines' JSON is named as BillingRow is.
     */
    const report = (call: ReportCall) =>
      raw<ReportColumns>`
        SELECT * FROM clockme_report(${call.userId}, ${call.workspaceId}, ${call.from}::date, ${call.to}::date,
          ${call.timezone ?? null}, ${call.groupBy}, ${call.projectId ?? null}, ${call.taskId ?? null},
          ${call.billable ?? null}, ${currencyScales()}::jsonb)`.pipe(
        Effect.flatMap((rows) => {
          const first = rows[0]
          if (first === undefined) return Effect.die(new Error(`user ${call.userId} not found`))
          const settings: ReportSettings = { timezone: first.timezone!, weekStart: first.week_start!, currency: first.currency! }
          const lines = rows.find((row) => row.kind === "line")
          const projects = rows.find((row) => row.kind === "project")
          return Effect.succeed({
            settings,
            usableZone: first.kind === "settings",
            lines: lines === undefined ? [] : linesOf(lines),
            projects: projects === undefined ? [] : linesOf(projects)
          })
        }),
        Effect.orDie
      )

    /**
     * Hours of every member by member, by project and by both, with GROUPING SETS in one pass. The entries are
     * summed per member, project and task first (an index-only scan), so rates, AI cost and names are joined
     * to a few hundred groups rather than to every entry of the period.
     */
    const teamHours = (workspaceId: WorkspaceId, period: Period, scale: number) =>
      // named as the fields are, and read without the name transform: a year's 4,000 rows spent 7 ms in it
      raw<HoursRow & { readonly byMember: boolean; readonly byProject: boolean }>`
        WITH groups AS (
          SELECT e.user_id, e.project_id, e.task_id, sum(e.duration_seconds) AS seconds,
                 coalesce(sum(e.duration_seconds) FILTER (WHERE e.billable), 0) AS billable_seconds, count(*) AS entries
          FROM entries e
          WHERE e.workspace_id = ${workspaceId} AND ${inPeriod(period)}
          GROUP BY e.user_id, e.project_id, e.task_id
        ),
        ai AS (
          SELECT e.user_id, e.project_id, sum(a.cost_usd) AS cost
          FROM ai_usage a JOIN entries e ON e.timer_id = a.timer_id
          WHERE a.workspace_id = ${workspaceId} AND e.workspace_id = ${workspaceId} AND ${inPeriod(period)}
          GROUP BY e.user_id, e.project_id
        ),
        pairs AS (
          SELECT g.user_id, g.project_id, sum(g.seconds) AS seconds, sum(g.billable_seconds) AS billable_seconds,
                 sum(g.entries) AS entries,
                 sum(g.billable_seconds * coalesce(t.hourly_rate, p.hourly_rate, w.default_hourly_rate, 0)) AS money
          FROM groups g
          JOIN projects p ON p.id = g.project_id
          JOIN workspaces w ON w.id = ${workspaceId}
          LEFT JOIN tasks t ON t.id = g.task_id
          GROUP BY g.user_id, g.project_id
        )
        SELECT pairs.user_id AS "userId", pairs.project_id AS "projectId",
               max(u.name) AS "memberName", max(p.name) AS "projectName", max(u.email) AS email,
               sum(pairs.seconds)::bigint AS seconds,
               sum(pairs.billable_seconds)::bigint AS "billableSeconds",
               sum(pairs.entries)::int AS entries,
               round(coalesce(sum(pairs.money), 0) / 3600, ${scale}::int) AS amount,
               round(coalesce(sum(ai.cost), 0), 6)::float8 AS "aiCostUsd",
               GROUPING(pairs.user_id) = 0 AS "byMember",
               GROUPING(pairs.project_id) = 0 AS "byProject"
        FROM pairs
        JOIN users u ON u.id = pairs.user_id
        JOIN projects p ON p.id = pairs.project_id
        LEFT JOIN ai ON ai.user_id = pairs.user_id AND ai.project_id = pairs.project_id
        GROUP BY GROUPING SETS ((pairs.user_id), (pairs.project_id), (pairs.user_id, pairs.project_id))
        ORDER BY CASE WHEN GROUPING(pairs.user_id) = 0 THEN lower(max(u.name)) END NULLS LAST,
                 CASE WHEN GROUPING(pairs.project_id) = 0 THEN lower(max(p.name)) END NULLS LAST, 1, 2`.pipe(Effect.orDie)

    /** One statement for the settings, where the user and the workspace each took one. */
    const settingsOf = (userId: UserId, workspaceId: WorkspaceId) =>
      sql<ReportSettings>`
        SELECT u.timezone, u.week_start, coalesce((SELECT currency FROM workspaces WHERE id = ${workspaceId}), 'USD') AS currency
        FROM users u WHERE u.id = ${userId}`.pipe(
        Effect.flatMap((rows) => rows[0] === undefined ? Effect.die(new Error(`user ${userId} not found`)) : Effect.succeed(rows[0])),
        Effect.orDie
      )

    return { report, teamHours, settingsOf } as const
  })
}) {}
