import { SqlClient } from "@effect/sql"
import type { Fragment } from "@effect/sql/Statement"
import { Effect, Option, Schema, Struct } from "effect"
import type { InviteId, UserId, WorkspaceId } from "../contract/Ids.js"
import { Invite, inviteLink, Member, WorkspaceSummaryItem } from "../contract/Workspace.js"
import type { CreateWorkspace, Role, UpdateWorkspace } from "../contract/Workspace.js"

const decodeItems = Schema.decodeUnknown(Schema.Array(WorkspaceSummaryItem))

const InviteForJoin = Schema.Struct({
  id: Schema.String,
  workspaceId: Schema.String,
  expiresAt: Schema.NullOr(Schema.DateFromSelf),
  maxUses: Schema.NullOr(Schema.Number),
  uses: Schema.Number,
  revokedAt: Schema.NullOr(Schema.DateFromSelf)
})
const decodeInvites = Schema.decodeUnknown(Schema.Array(InviteForJoin))

const InviteRow = Schema.Struct({
  ...Struct.omit(Invite.fields, "link"),
  expiresAt: Schema.NullOr(Schema.DateTimeUtcFromDate),
  revokedAt: Schema.NullOr(Schema.DateTimeUtcFromDate),
  createdAt: Schema.DateTimeUtcFromDate
})
const decodeInviteRows = Schema.decodeUnknown(Schema.Array(InviteRow))
const MemberRow = Schema.Struct({ ...Member.fields, joinedAt: Schema.DateTimeUtcFromDate })
const decodeMembers = Schema.decodeUnknown(Schema.Array(MemberRow))

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

    const create = (userId: UserId, input: CreateWorkspace, now: Date) =>
      Effect.gen(function*() {
        const [row] = yield* sql<{ id: WorkspaceId }>`
          INSERT INTO workspaces (name, kind, currency, default_hourly_rate, idle_timeout_minutes, created_at)
          VALUES (${input.name}, 'shared', ${input.currency ?? "USD"}, ${input.defaultHourlyRate ?? null},
                  ${input.idleTimeoutMinutes ?? 30}, ${now})
          RETURNING id`
        yield* sql`
          INSERT INTO memberships (workspace_id, user_id, role, created_at) VALUES (${row!.id}, ${userId}, 'owner', ${now})`
        return row!.id
      }).pipe(Effect.orDie)

    const update = (id: WorkspaceId, patch: UpdateWorkspace) =>
      (Object.keys(patch).length === 0
        ? Effect.void
        : sql`UPDATE workspaces SET ${sql.update(patch)} WHERE id = ${id}`.pipe(Effect.asVoid)).pipe(Effect.orDie)

    /** Every membership row of a workspace, locked, so role changes and removals see a stable owner count. */
    const lockMembers = (workspaceId: WorkspaceId) =>
      sql<{ userId: UserId; role: Role }>`
        SELECT user_id, role FROM memberships WHERE workspace_id = ${workspaceId}
        ORDER BY user_id FOR UPDATE`.pipe(Effect.orDie)

    const listMembers = (workspaceId: WorkspaceId) =>
      sql`
        SELECT m.user_id, u.name, u.email, m.role, m.created_at AS joined_at
        FROM memberships m JOIN users u ON u.id = m.user_id
        WHERE m.workspace_id = ${workspaceId}
        ORDER BY (m.role = 'owner') DESC, m.created_at, u.id`.pipe(
        Effect.flatMap(decodeMembers),
        Effect.map((rows) => rows.map((row) => new Member(row))),
        Effect.orDie
      )

    const setRole = (workspaceId: WorkspaceId, userId: UserId, role: Role) =>
      sql`UPDATE memberships SET role = ${role} WHERE workspace_id = ${workspaceId} AND user_id = ${userId}`.pipe(
        Effect.asVoid,
        Effect.orDie
      )

    /** Ends a membership; entries stay. A user whose active workspace it was falls back to their personal one. */
    const removeMember = (workspaceId: WorkspaceId, userId: UserId) =>
      Effect.gen(function*() {
        yield* sql`DELETE FROM memberships WHERE workspace_id = ${workspaceId} AND user_id = ${userId}`
        yield* sql`
          UPDATE users u SET active_workspace_id = (
            SELECT w.id FROM workspaces w JOIN memberships m ON m.workspace_id = w.id
            WHERE m.user_id = u.id AND w.kind = 'personal' ORDER BY w.created_at LIMIT 1)
          WHERE u.id = ${userId} AND u.active_workspace_id = ${workspaceId}`
      }).pipe(Effect.orDie)

    const setActive = (userId: UserId, workspaceId: WorkspaceId) =>
      sql`UPDATE users SET active_workspace_id = ${workspaceId} WHERE id = ${userId}`.pipe(Effect.asVoid, Effect.orDie)

    const selectInvites = (where: Fragment, now: Date) =>
      sql`
        SELECT id, workspace_id, code, created_by, expires_at, max_uses, uses, revoked_at, created_at,
               CASE WHEN revoked_at IS NOT NULL THEN 'revoked'
                    WHEN expires_at IS NOT NULL AND expires_at <= ${now} THEN 'expired'
                    WHEN max_uses IS NOT NULL AND uses >= max_uses THEN 'used_up'
                    ELSE 'active' END AS status
        FROM invites WHERE ${where}
        ORDER BY created_at DESC, id`.pipe(
        Effect.flatMap(decodeInviteRows),
        Effect.map((rows) => rows.map((row) => new Invite({ ...row, link: inviteLink(row.code) }))),
        Effect.orDie
      )

    const insertInvite = (input: {
      readonly workspaceId: WorkspaceId
      readonly code: string
      readonly createdBy: UserId
      readonly expiresAt: Date | null
      readonly maxUses: number | null
      readonly now: Date
    }) =>
      Effect.gen(function*() {
        const [row] = yield* sql<{ id: InviteId }>`
          INSERT INTO invites (workspace_id, code, created_by, expires_at, max_uses, created_at)
          VALUES (${input.workspaceId}, ${input.code}, ${input.createdBy}, ${input.expiresAt}, ${input.maxUses}, ${input.now})
          RETURNING id`.pipe(Effect.orDie)
        const [invite] = yield* selectInvites(sql.and([sql`id = ${row!.id}`]), input.now)
        return invite!
      })

    const listInvites = (workspaceId: WorkspaceId, now: Date) =>
      selectInvites(sql.and([sql`workspace_id = ${workspaceId}`]), now)

    /** Revokes an invite once: `changed` is false when it was already revoked (by this call's race too). */
    const revokeInvite = (workspaceId: WorkspaceId, id: InviteId, now: Date) =>
      Effect.gen(function*() {
        const updated = yield* sql<{ changed: boolean }>`
          WITH target AS (SELECT id, revoked_at FROM invites WHERE id = ${id} AND workspace_id = ${workspaceId} FOR UPDATE)
          UPDATE invites i SET revoked_at = coalesce(i.revoked_at, ${now}) FROM target WHERE i.id = target.id
          RETURNING target.revoked_at IS NULL AS changed`.pipe(Effect.orDie)
        if (updated.length === 0) return Option.none<{ readonly changed: boolean; readonly invite: Invite }>()
        const [invite] = yield* selectInvites(sql.and([sql`id = ${id}`]), now)
        return Option.map(Option.fromNullable(invite), (invite) => ({ changed: updated[0]!.changed, invite }))
      })

    return {
      listForUser,
      findMembership,
      findInviteForUpdate,
      addMember,
      currencyOf,
      create,
      update,
      lockMembers,
      listMembers,
      setRole,
      removeMember,
      setActive,
      insertInvite,
      listInvites,
      revokeInvite
    } as const
  })
}) {}
