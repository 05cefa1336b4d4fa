import { SqlClient } from "@effect/sql"
import { Effect, Option } from "effect"
import { decodeRows } from "./Rows.js"
import type { ProjectId, TaskId, WorkspaceId } from "../contract/Ids.js"
import { Task } from "../contract/Task.js"
import type { CreateTask, TaskStatus } from "../contract/Task.js"

const decode = decodeRows(Task)

export class TasksRepo extends Effect.Service<TasksRepo>()("@clockme/domain/TasksRepo", {
  effect: Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient

    const insert = (workspaceId: WorkspaceId, input: CreateTask, now: Date) =>
      sql`
        INSERT INTO tasks (workspace_id, project_id, name, estimated_hours, hourly_rate, created_at)
        VALUES (${workspaceId}, ${input.projectId}, ${input.name}, ${input.estimatedHours ?? null},
                ${input.hourlyRate ?? null}, ${now})
        RETURNING *`.pipe(Effect.flatMap(decode), Effect.map((rows) => rows[0]!), Effect.orDie)

    const list = (workspaceId: WorkspaceId, projectId: ProjectId, status: TaskStatus | "all") =>
      sql`
        SELECT * FROM tasks
        WHERE workspace_id = ${workspaceId} AND project_id = ${projectId}
          ${status === "all" ? sql`` : sql`AND status = ${status}`}
        ORDER BY created_at, id`.pipe(Effect.flatMap(decode), Effect.orDie)

    const findById = (workspaceId: WorkspaceId, id: TaskId) =>
      sql`SELECT * FROM tasks WHERE id = ${id} AND workspace_id = ${workspaceId}`.pipe(
        Effect.flatMap(decode),
        Effect.map((rows) => Option.fromNullable(rows[0])),
        Effect.orDie
      )

    /** The completed task, and whether this call completed it (false: it already was). */
    const complete = (workspaceId: WorkspaceId, id: TaskId, now: Date) =>
      Effect.gen(function*() {
        const [done] = yield* sql`
          UPDATE tasks SET status = 'complete', completed_at = coalesce(completed_at, ${now})
          WHERE id = ${id} AND workspace_id = ${workspaceId} AND status <> 'complete' RETURNING *`.pipe(Effect.flatMap(decode))
        if (done !== undefined) return Option.some({ task: done, changed: true })
        return Option.map(yield* findById(workspaceId, id), (task) => ({ task, changed: false }))
      }).pipe(Effect.orDie)

    return { insert, list, findById, complete } as const
  })
}) {}
