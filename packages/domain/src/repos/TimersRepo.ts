import { SqlClient } from "@effect/sql"
import type { Fragment } from "@effect/sql/Statement"
import { Effect, Option, Schema } from "effect"
import type { Source } from "../Actor.js"
import type { ProjectId, TaskId, TimerId, UserId, WorkspaceId } from "../Ids.js"
import { Timer } from "../Timer.js"

export const TimerWithProject = Schema.Struct({ ...Timer.fields, projectName: Schema.String })
const decode = Schema.decodeUnknown(Schema.Array(TimerWithProject))
const decodeTimer = (row: typeof TimerWithProject.Type) => new Timer(row)

export interface TimerRow {
  readonly timer: Timer
  readonly projectName: string
}
const toRows = (rows: ReadonlyArray<typeof TimerWithProject.Type>): ReadonlyArray<TimerRow> =>
  rows.map((row) => ({ timer: decodeTimer(row), projectName: row.projectName }))

export interface NewTimer {
  readonly userId: UserId
  readonly workspaceId: WorkspaceId
  readonly projectId: ProjectId
  readonly taskId: TaskId | null
  readonly description: string | null
  readonly source: Source
  readonly now: Date
}

export class TimersRepo extends Effect.Service<TimersRepo>()("@clockme/domain/TimersRepo", {
  effect: Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient

    const withProject = (where: Fragment) =>
      sql`
        SELECT t.*, p.name AS project_name FROM timers t JOIN projects p ON p.id = t.project_id
        WHERE ${where} ORDER BY t.started_at, t.id`.pipe(Effect.flatMap(decode), Effect.map(toRows), Effect.orDie)

    /** Starts a timer unless the user already has one on the project; the unique index settles races. */
    const insertIfAbsent = (input: NewTimer) =>
      sql<{ id: TimerId }>`
        INSERT INTO timers (user_id, workspace_id, project_id, task_id, description, source, state,
                            started_at, running_since, last_activity_at)
        VALUES (${input.userId}, ${input.workspaceId}, ${input.projectId}, ${input.taskId}, ${input.description},
                ${input.source}, 'running', ${input.now}, ${input.now}, ${input.now})
        ON CONFLICT (user_id, project_id) DO NOTHING
        RETURNING id`.pipe(Effect.map((rows) => rows.length > 0), Effect.orDie)

    const findForProject = (userId: UserId, projectId: ProjectId) =>
      withProject(sql.and([sql`t.user_id = ${userId}`, sql`t.project_id = ${projectId}`])).pipe(
        Effect.map((rows) => Option.fromNullable(rows[0]))
      )

    const listForUser = (userId: UserId, workspaceId: WorkspaceId) =>
      withProject(sql.and([sql`t.user_id = ${userId}`, sql`t.workspace_id = ${workspaceId}`]))

    /** Removes the timer; None when a concurrent request removed it first. */
    const deleteById = (id: TimerId) =>
      sql`DELETE FROM timers WHERE id = ${id} RETURNING id`.pipe(
        Effect.map((rows) => rows.length > 0),
        Effect.orDie
      )

    return { insertIfAbsent, findForProject, listForUser, deleteById } as const
  })
}) {}
