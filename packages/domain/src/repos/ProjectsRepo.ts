import { SqlClient } from "@effect/sql"
import { Effect, Option } from "effect"
import { decodeRows } from "./Rows.js"
import type { ProjectId, WorkspaceId } from "../contract/Ids.js"
import { Project } from "../contract/Project.js"
import type { CreateProject, UpdateProject } from "../contract/Project.js"

const decode = decodeRows(Project)

export class ProjectsRepo extends Effect.Service<ProjectsRepo>()("@clockme/domain/ProjectsRepo", {
  effect: Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient

    const list = (workspaceId: WorkspaceId, includeArchived: boolean) =>
      sql`
        SELECT * FROM projects
        WHERE workspace_id = ${workspaceId} ${includeArchived ? sql`` : sql`AND NOT archived`}
        ORDER BY lower(name), id`.pipe(Effect.flatMap(decode), Effect.orDie)

    const findById = (workspaceId: WorkspaceId, id: ProjectId) =>
      sql`SELECT * FROM projects WHERE id = ${id} AND workspace_id = ${workspaceId}`.pipe(
        Effect.flatMap(decode),
        Effect.map((rows) => Option.fromNullable(rows[0])),
        Effect.orDie
      )

    /** The active project whose name equals `name` ignoring case (the unique index's lookup), if any. */
    const findByName = (workspaceId: WorkspaceId, name: string) =>
      sql`
        SELECT * FROM projects WHERE workspace_id = ${workspaceId} AND lower(name) = lower(${name}) AND NOT archived`.pipe(
        Effect.flatMap(decode),
        Effect.map((rows) => Option.fromNullable(rows[0])),
        Effect.orDie
      )

    /** Inserts, failing with SqlError on a name clash so the caller can name it. */
    const insert = (workspaceId: WorkspaceId, input: CreateProject, now: Date) =>
      sql`
        INSERT INTO projects (workspace_id, name, color, hourly_rate, budget_hours, budget_amount, budget_period,
                              budget_hard_cap, budget_includes_ai_cost, billable, created_at, updated_at)
        VALUES (${workspaceId}, ${input.name}, ${input.color ?? null}, ${input.hourlyRate ?? null},
                ${input.budgetHours ?? null}, ${input.budgetAmount ?? null}, ${input.budgetPeriod ?? "none"},
                ${input.budgetHardCap ?? false}, ${input.budgetIncludesAiCost ?? false}, ${input.billable ?? true}, ${now}, ${now})
        RETURNING *`.pipe(Effect.flatMap((rows) => Effect.orDie(decode(rows))), Effect.map((rows) => rows[0]!))

    /** Inserts unless a live project of that name exists; returns the one that holds the name either way. */
    const insertOrGet = (workspaceId: WorkspaceId, name: string, now: Date) =>
      Effect.gen(function*() {
        const inserted = yield* sql`
          INSERT INTO projects (workspace_id, name, created_at, updated_at)
          VALUES (${workspaceId}, ${name}, ${now}, ${now})
          ON CONFLICT (workspace_id, lower(name)) WHERE NOT archived DO NOTHING
          RETURNING *`.pipe(Effect.flatMap(decode))
        if (inserted[0]) return { project: inserted[0], created: true }
        const existing = yield* sql`
          SELECT * FROM projects WHERE workspace_id = ${workspaceId} AND lower(name) = lower(${name}) AND NOT archived`
          .pipe(Effect.flatMap(decode))
        return { project: existing[0]!, created: false }
      }).pipe(Effect.orDie)

    const update = (workspaceId: WorkspaceId, id: ProjectId, patch: UpdateProject, now: Date) =>
      sql`
        UPDATE projects SET ${sql.update({ ...patch, updatedAt: now })}
        WHERE id = ${id} AND workspace_id = ${workspaceId}
        RETURNING *`.pipe(
        Effect.flatMap((rows) => Effect.orDie(decode(rows))),
        Effect.map((rows) => Option.fromNullable(rows[0]))
      )

    return { list, findById, findByName, insert, insertOrGet, update } as const
  })
}) {}
