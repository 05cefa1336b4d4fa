import { SqlClient } from "@effect/sql"
import type { Fragment } from "@effect/sql/Statement"
import { Effect } from "effect"
import type { ProjectId, TaskId, UserId, WorkspaceId } from "../contract/Ids.js"
import type { GroupBy } from "../contract/Report.js"

export interface Period {
  readonly from: string
  readonly to: string
  readonly timezone: string
}

export interface BillingFilter {
  readonly userId: UserId
  readonly workspaceId: WorkspaceId
  readonly period: Period
  readonly projectId: ProjectId | undefined
  readonly taskId: TaskId | undefined
  readonly billable: boolean | undefined
  readonly groupBy: GroupBy
  readonly weekStart: "monday" | "sunday"
  /** Decimals of the currency: each line's amount is rounded once, to this. */
  readonly scale: number
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

export class ReportsRepo extends Effect.Service<ReportsRepo>()("@clockme/domain/ReportsRepo", {
  effect: Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient

    /** An entry belongs to the calendar day, in the user's timezone, on which it started. */
    const inPeriod = (period: Period) =>
      sql`e.start_time >= (${period.from}::date::timestamp AT TIME ZONE ${period.timezone})
          AND e.start_time < ((${period.to}::date + 1)::timestamp AT TIME ZONE ${period.timezone})`

    /**
     * How entries fall into the report's lines: `line` is the key of an entry's line (an expression over the
     * entry `e`), `select` the line's columns over its groups `g` with projects `p` and tasks `t`, `group` and
     * `order` how lines are formed and sorted.
     */
    const grouping = (filter: BillingFilter) => {
      const localDay = sql`(e.start_time AT TIME ZONE ${filter.period.timezone})::date`
      switch (filter.groupBy) {
        case "project":
          return {
            line: sql`e.project_id`,
            select: sql`g.project_id, max(p.name) AS project_name, NULL::uuid AS task_id, NULL::text AS task_name,
                        NULL::text AS day`,
            group: sql`g.line, g.project_id`,
            order: sql`lower(lines.project_name), lines.project_id`
          }
        case "task":
          return {
            line: sql`e.project_id::text || '/' || coalesce(e.task_id::text, '')`,
            select: sql`g.project_id, max(p.name) AS project_name, g.task_id, max(t.name) AS task_name, NULL::text AS day`,
            group: sql`g.line, g.project_id, g.task_id`,
            order: sql`lower(lines.project_name), lines.project_id, lower(lines.task_name) NULLS FIRST, lines.task_id`
          }
        case "day":
        case "week": {
          const start = filter.groupBy === "day"
            ? localDay
            : filter.weekStart === "monday"
            ? sql`${localDay} - (extract(isodow FROM ${localDay})::int - 1)`
            : sql`${localDay} - extract(dow FROM ${localDay})::int`
          return {
            line: start,
            select: sql`NULL::uuid AS project_id, NULL::text AS project_name, NULL::uuid AS task_id,
                        NULL::text AS task_name, to_char(g.line, 'YYYY-MM-DD') AS day`,
            group: sql`g.line`,
            order: sql`lines.day`
          }
        }
      }
    }

    /**
     * The user's entries grouped as asked. Amounts are exact SQL numeric: each entry's seconds times its
     * rate (task, then project, then workspace), summed, divided once and rounded once per line. The entries
     * are summed per project, task and line first (an index-only scan), so rates are joined to those groups
     * and AI cost to the entries that have usage, rather than both to every entry of the period.
     */
    const billing = (filter: BillingFilter) => {
      const conditions: Array<Fragment> = [
        sql`e.user_id = ${filter.userId}`,
        sql`e.workspace_id = ${filter.workspaceId}`,
        inPeriod(filter.period)
      ]
      if (filter.projectId !== undefined) conditions.push(sql`e.project_id = ${filter.projectId}`)
      if (filter.taskId !== undefined) conditions.push(sql`e.task_id = ${filter.taskId}`)
      if (filter.billable !== undefined) conditions.push(sql`e.billable = ${filter.billable}`)
      const { group, line, order, select } = grouping(filter)
      const rate = sql`coalesce(t.hourly_rate, p.hourly_rate, w.default_hourly_rate)`
      return sql<BillingRow>`
        WITH groups AS (
          SELECT e.project_id, e.task_id, ${line} AS line, sum(e.duration_seconds) AS seconds,
                 coalesce(sum(e.duration_seconds) FILTER (WHERE e.billable), 0) AS billable_seconds, count(*) AS entries
          FROM entries e
          WHERE ${sql.and(conditions)}
          GROUP BY 1, 2, 3
        ),
        ai AS (
          SELECT ${line} AS line, sum(u.cost_usd) AS cost,
                 jsonb_agg(DISTINCT u.model ORDER BY u.model) FILTER (WHERE u.cost_source = 'unpriced') AS models
          FROM ai_usage u JOIN entries e ON e.timer_id = u.timer_id
          WHERE ${sql.and(conditions)}
          GROUP BY 1
        ),
        lines AS (
          SELECT g.line, ${select},
                 sum(g.seconds)::bigint AS seconds,
                 sum(g.billable_seconds)::bigint AS billable_seconds,
                 CASE WHEN count(DISTINCT ${rate}) = 1 AND bool_and(${rate} IS NOT NULL) THEN min(${rate}) END AS rate,
                 round(coalesce(sum(g.billable_seconds * coalesce(${rate}, 0)), 0) / 3600, ${filter.scale}::int) AS amount,
                 sum(g.entries)::int AS entries
          FROM groups g
          JOIN projects p ON p.id = g.project_id
          JOIN workspaces w ON w.id = ${filter.workspaceId}
          LEFT JOIN tasks t ON t.id = g.task_id
          GROUP BY ${group}
        )
        SELECT lines.project_id, lines.project_name, lines.task_id, lines.task_name, lines.day, lines.seconds,
               lines.billable_seconds, lines.rate, lines.amount, lines.entries,
               round(coalesce(ai.cost, 0), 6)::float8 AS ai_cost_usd, coalesce(ai.models, '[]'::jsonb) AS unpriced_models
        FROM lines LEFT JOIN ai ON ai.line = lines.line
        ORDER BY ${order}`.pipe(Effect.orDie)
    }

    /**
     * Hours of every member by member, by project and by both, with GROUPING SETS in one pass. The entries are
     * summed per member, project and task first (an index-only scan), so rates, AI cost and names are joined
     * to a few hundred groups rather than to every entry of the period.
     */
    const teamHours = (workspaceId: WorkspaceId, period: Period, scale: number) =>
      sql<HoursRow & { readonly byMember: boolean; readonly byProject: boolean }>`
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
        SELECT pairs.user_id, pairs.project_id,
               max(u.name) AS member_name, max(p.name) AS project_name, max(u.email) AS email,
               sum(pairs.seconds)::bigint AS seconds,
               sum(pairs.billable_seconds)::bigint AS billable_seconds,
               sum(pairs.entries)::int AS entries,
               round(coalesce(sum(pairs.money), 0) / 3600, ${scale}::int) AS amount,
               round(coalesce(sum(ai.cost), 0), 6)::float8 AS ai_cost_usd,
               GROUPING(pairs.user_id) = 0 AS by_member,
               GROUPING(pairs.project_id) = 0 AS by_project
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

    return { billing, teamHours, settingsOf } as const
  })
}) {}
