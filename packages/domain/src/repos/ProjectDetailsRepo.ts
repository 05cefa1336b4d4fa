import { SqlClient } from "@effect/sql"
import { Effect, Schema } from "effect"
import type { ProjectId, UserId, WorkspaceId } from "../contract/Ids.js"

const TotalsRow = Schema.Struct({
  seconds: Schema.Number,
  billableSeconds: Schema.Number,
  entries: Schema.Number,
  ownSeconds: Schema.Number
})
const decodeTotals = Schema.decodeUnknown(Schema.Array(TotalsRow))

export class ProjectDetailsRepo extends Effect.Service<ProjectDetailsRepo>()("@clockme/domain/ProjectDetailsRepo", {
  effect: Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient

    /** All-time seconds of a project's completed entries: everyone's, the billable part, and one user's. */
    const allTime = (workspaceId: WorkspaceId, projectId: ProjectId, userId: UserId) =>
      sql`
        SELECT coalesce(sum(duration_seconds), 0)::float8 AS seconds,
               coalesce(sum(CASE WHEN billable THEN duration_seconds ELSE 0 END), 0)::float8 AS billable_seconds,
               count(*)::int AS entries,
               coalesce(sum(CASE WHEN user_id = ${userId} THEN duration_seconds ELSE 0 END), 0)::float8 AS own_seconds
        FROM entries
        WHERE workspace_id = ${workspaceId} AND project_id = ${projectId}`.pipe(
        Effect.flatMap(decodeTotals),
        Effect.map((rows) => rows[0]!),
        Effect.orDie
      )

    return { allTime } as const
  })
}) {}
