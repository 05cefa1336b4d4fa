import { SqlClient } from "@effect/sql"
import { Effect, Schema } from "effect"
import { decodeRows } from "./Rows.js"
import type { ProjectId, UserId, WorkspaceId } from "../contract/Ids.js"
import type { Period } from "./ReportsRepo.js"
import { Timer } from "../contract/Timer.js"

const TimerWithProject = Schema.Struct({ ...Timer.fields, projectName: Schema.String })
const decodeTimers = decodeRows(TimerWithProject)

export interface WeekRow {
  readonly projectId: ProjectId
  readonly projectName: string
  readonly seconds: number
  readonly billableSeconds: number
  readonly entries: number
  readonly todaySeconds: number
  readonly todayBillableSeconds: number
  readonly todayEntries: number
  readonly aiCostUsd: number
  readonly todayAiCostUsd: number
}

export class DashboardRepo extends Effect.Service<DashboardRepo>()("@clockme/domain/DashboardRepo", {
  effect: Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient

    /** The user's running and paused timers in a workspace, oldest first. */
    const timers = (userId: UserId, workspaceId: WorkspaceId) =>
      sql`
        SELECT t.*, p.name AS project_name FROM timers t JOIN projects p ON p.id = t.project_id
        WHERE t.user_id = ${userId} AND t.workspace_id = ${workspaceId}
        ORDER BY t.started_at, lower(p.name), t.id`.pipe(
        Effect.flatMap(decodeTimers),
        Effect.map((rows) => rows.map(({ projectName, ...timer }) => ({ timer: new Timer(timer), projectName }))),
        Effect.orDie
      )

    /** Per project: the week's seconds and, within them, today's; days are in the period's timezone. */
    const week = (userId: UserId, workspaceId: WorkspaceId, range: Period, today: string) =>
      sql<WeekRow>`
        SELECT e.project_id, max(p.name) AS project_name,
               sum(e.duration_seconds)::bigint AS seconds,
               sum(CASE WHEN e.billable THEN e.duration_seconds ELSE 0 END)::bigint AS billable_seconds,
               count(*)::int AS entries,
               sum(CASE WHEN local_day = ${today}::date THEN e.duration_seconds ELSE 0 END)::bigint AS today_seconds,
               sum(CASE WHEN local_day = ${today}::date AND e.billable THEN e.duration_seconds ELSE 0 END)::bigint
                 AS today_billable_seconds,
               count(*) FILTER (WHERE local_day = ${today}::date)::int AS today_entries,
               round(coalesce(sum(ai.cost), 0), 6)::float8 AS ai_cost_usd,
               round(coalesce(sum(ai.cost) FILTER (WHERE local_day = ${today}::date), 0), 6)::float8 AS today_ai_cost_usd
        FROM entries e
        JOIN projects p ON p.id = e.project_id
        CROSS JOIN LATERAL (SELECT (e.start_time AT TIME ZONE ${range.timezone})::date AS local_day) d
        LEFT JOIN LATERAL (SELECT sum(u.cost_usd) AS cost FROM ai_usage u WHERE u.timer_id = e.timer_id) ai ON true
        WHERE e.user_id = ${userId} AND e.workspace_id = ${workspaceId}
          AND e.start_time >= (${range.from}::date::timestamp AT TIME ZONE ${range.timezone})
          AND e.start_time < ((${range.to}::date + 1)::timestamp AT TIME ZONE ${range.timezone})
        GROUP BY e.project_id
        ORDER BY sum(e.duration_seconds) DESC, lower(max(p.name)), e.project_id`.pipe(Effect.orDie)

    return { timers, week } as const
  })
}) {}
