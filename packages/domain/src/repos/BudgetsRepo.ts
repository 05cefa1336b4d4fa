import { SqlClient } from "@effect/sql"
import { Effect, Option, Schema } from "effect"
import { BudgetAlert } from "../contract/Budget.js"
import type { BudgetMetric, Threshold } from "../contract/Budget.js"
import type { EntryId, EventId, ProjectId, WorkspaceId } from "../contract/Ids.js"
import type { BudgetPeriod } from "../contract/Project.js"

export interface UsageRow {
  readonly projectId: ProjectId
  readonly projectName: string
  readonly budgetHours: number | null
  readonly budgetAmount: number | null
  readonly budgetPeriod: BudgetPeriod
  readonly budgetHardCap: boolean
  readonly budgetIncludesAiCost: boolean
  readonly seconds: number
  readonly amount: number
}

export interface UsageQuery {
  readonly workspaceId: WorkspaceId
  /** One project, or every active project with a budget. */
  readonly projectId: ProjectId | undefined
  /** The month that a monthly budget counts. */
  readonly monthStart: Date
  readonly monthEnd: Date
  /** Decimals of the workspace currency: the spend is rounded once, to this. */
  readonly scale: number
}

export interface NewAlert {
  readonly workspaceId: WorkspaceId
  readonly projectId: ProjectId
  readonly threshold: Threshold
  readonly periodKey: string
  readonly metric: BudgetMetric
  readonly hoursUsed: number
  readonly amountUsed: number
  readonly entryId: EntryId | null
  /** The id of the BudgetThresholdCrossed event that reports it. */
  readonly eventId: EventId
  readonly now: Date
}

const AlertRow = Schema.Struct({
  ...BudgetAlert.fields,
  createdAt: Schema.DateTimeUtcFromDate
})
const decodeAlerts = Schema.decodeUnknown(Schema.Array(AlertRow))

export class BudgetsRepo extends Effect.Service<BudgetsRepo>()("@clockme/domain/BudgetsRepo", {
  effect: Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient

    /** Hours and spend per project over its budget period; rates are task, then project, then workspace. */
    const usage = (query: UsageQuery) =>
      sql<UsageRow>`
        SELECT p.id AS project_id, p.name AS project_name, p.budget_hours, p.budget_amount, p.budget_period,
               p.budget_hard_cap, p.budget_includes_ai_cost,
               coalesce(sum(e.duration_seconds), 0)::bigint AS seconds,
               round(coalesce(sum(CASE WHEN e.billable
                 THEN e.duration_seconds * coalesce(t.hourly_rate, p.hourly_rate, w.default_hourly_rate, 0)
               END), 0) / 3600
                 + CASE WHEN p.budget_includes_ai_cost THEN coalesce(sum(ai.cost), 0) ELSE 0 END,
                 ${query.scale}::int) AS amount
        FROM projects p
        JOIN workspaces w ON w.id = p.workspace_id
        LEFT JOIN entries e ON e.project_id = p.id AND e.workspace_id = p.workspace_id
          AND (p.budget_period = 'none' OR (e.start_time >= ${query.monthStart} AND e.start_time < ${query.monthEnd}))
        LEFT JOIN tasks t ON t.id = e.task_id
        LEFT JOIN LATERAL (SELECT sum(u.cost_usd) AS cost FROM ai_usage u WHERE u.timer_id = e.timer_id) ai ON true
        WHERE p.workspace_id = ${query.workspaceId}
          AND ${
        query.projectId === undefined
          ? sql`NOT p.archived AND (p.budget_hours IS NOT NULL OR p.budget_amount IS NOT NULL)`
          : sql`p.id = ${query.projectId}`
      }
        GROUP BY p.id
        ORDER BY lower(p.name), p.id`.pipe(Effect.orDie)

    const usageOf = (query: UsageQuery & { readonly projectId: ProjectId }) =>
      usage(query).pipe(Effect.map((rows) => Option.fromNullable(rows[0])))

    /** Serialises budget accounting per project, so two entries cannot both miss a threshold. */
    // NO KEY UPDATE serializes usage checks of one project without conflicting with the KEY SHARE lock that
    // inserting an entry (its foreign key) already holds, which FOR UPDATE would turn into a deadlock.
    const lockProject = (projectId: ProjectId) =>
      sql`SELECT id FROM projects WHERE id = ${projectId} FOR NO KEY UPDATE`.pipe(Effect.asVoid, Effect.orDie)

    /**
     * Records a threshold crossing and returns its id; the unique key (project, threshold, period) makes a
     * second crossing in the same period a no-op (None).
     */
    const insertAlert = (alert: NewAlert) =>
      sql<{ id: string }>`
        INSERT INTO budget_alerts (workspace_id, project_id, threshold, period_key, metric, hours_used, amount_used,
                                   entry_id, outbox_id, created_at)
        VALUES (${alert.workspaceId}, ${alert.projectId}, ${alert.threshold}, ${alert.periodKey}, ${alert.metric},
                ${alert.hoursUsed}, ${alert.amountUsed}, ${alert.entryId}, ${alert.eventId}, ${alert.now})
        ON CONFLICT (project_id, threshold, period_key) DO NOTHING
        RETURNING id`.pipe(Effect.map((rows) => Option.fromNullable(rows[0]?.id)), Effect.orDie)

    const listAlerts = (filter: {
      readonly workspaceId: WorkspaceId
      readonly projectId?: ProjectId | undefined
      readonly periodKey?: string | undefined
      readonly limit: number
    }) =>
      sql`
        SELECT a.id, a.workspace_id, a.project_id, p.name AS project_name, a.threshold, a.period_key AS period,
               a.metric, a.hours_used, a.amount_used, a.entry_id, a.created_at
        FROM budget_alerts a JOIN projects p ON p.id = a.project_id
        WHERE ${
        sql.and([
          sql`a.workspace_id = ${filter.workspaceId}`,
          ...(filter.projectId === undefined ? [] : [sql`a.project_id = ${filter.projectId}`]),
          ...(filter.periodKey === undefined ? [] : [sql`a.period_key = ${filter.periodKey}`])
        ])
      }
        ORDER BY a.created_at DESC, a.threshold DESC, a.id
        LIMIT ${filter.limit}`.pipe(
        Effect.flatMap(decodeAlerts),
        Effect.map((rows) => rows.map((row) => new BudgetAlert(row))),
        Effect.orDie
      )

    return { usage, usageOf, lockProject, insertAlert, listAlerts } as const
  })
}) {}
