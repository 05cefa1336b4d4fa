import { SqlClient } from "@effect/sql"
import { Effect, Option, Schema } from "effect"
import type { UserId, WorkspaceId } from "../Ids.js"
import { WorkspaceSummaryItem } from "../Workspace.js"

const decodeItems = Schema.decodeUnknown(Schema.Array(WorkspaceSummaryItem))

const Invite = Schema.Struct({
  id: Schema.String,
  workspaceId: Schema.String,
  expiresAt: Schema.NullOr(Schema.DateFromSelf),
  maxUses: Schema.NullOr(Schema.Number),
  uses: Schema.Number,
  revokedAt: Schema.NullOr(Schema.DateFromSelf)
})
const decodeInvites = Schema.decodeUnknown(Schema.Array(Invite))

export class WorkspacesRepo extends Effect.Service<WorkspacesRepo>()("@clockme/domain/WorkspacesRepo", {
  effect: Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient

    const listForUser = (userId: UserId, workspaceId?: WorkspaceId) =>
      sql`
        SELECT w.id, w.name, w.kind, m.role, w.currency, w.default_hourly_rate, w.idle_timeout_minutes,
               (SELECT count(*) FROM memberships m2 WHERE m2.workspace_id = w.id)::int AS member_count,
               (w.id = u.active_workspace_id) AS active
        FROM memberships m
        JOIN workspaces w ON w.id = m.workspace_id
        JOIN users u ON u.id = m.user_id
        WHERE m.user_id = ${userId} ${workspaceId === undefined ? sql`` : sql`AND w.id = ${workspaceId}`}
        ORDER BY (w.kind = 'personal') DESC, w.created_at, w.id`.pipe(Effect.flatMap(decodeItems), Effect.orDie)

    const findMembership = (userId: UserId, workspaceId: WorkspaceId) =>
      listForUser(userId, workspaceId).pipe(Effect.map((rows) => Option.fromNullable(rows[0])))

    const findInviteForUpdate = (code: string) =>
      sql`SELECT * FROM invites WHERE code = ${code} FOR UPDATE`.pipe(
        Effect.flatMap(decodeInvites),
        Effect.map((rows) => Option.fromNullable(rows[0])),
        Effect.orDie
      )

    const addMember = (workspaceId: string, userId: UserId, inviteId: string) =>
      Effect.gen(function*() {
        const added = yield* sql`
          INSERT INTO memberships (workspace_id, user_id, role) VALUES (${workspaceId}, ${userId}, 'member')
          ON CONFLICT DO NOTHING RETURNING user_id`
        if (added.length > 0) yield* sql`UPDATE invites SET uses = uses + 1 WHERE id = ${inviteId}`
        return added.length > 0
      }).pipe(Effect.orDie)

    const currencyOf = (workspaceId: WorkspaceId) =>
      sql<{ currency: string }>`SELECT currency FROM workspaces WHERE id = ${workspaceId}`.pipe(
        Effect.map((rows) => rows[0]?.currency ?? "USD"),
        Effect.orDie
      )

    return { listForUser, findMembership, findInviteForUpdate, addMember, currencyOf } as const
  })
}) {}
