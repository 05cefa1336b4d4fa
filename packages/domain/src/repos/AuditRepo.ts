import { SqlClient } from "@effect/sql"
import type { Fragment } from "@effect/sql/Statement"
import { Effect, Schema } from "effect"
import { AuditEvent } from "../contract/Audit.js"
import type { AuditEventType } from "../contract/Audit.js"
import type { ApiKeyId, UserId, WorkspaceId } from "../contract/Ids.js"

const AuditRow = Schema.Struct({ ...AuditEvent.fields, createdAt: Schema.DateTimeUtcFromDate })
const decode = Schema.decodeUnknown(Schema.Array(AuditRow))

export interface NewAuditEvent {
  readonly type: AuditEventType
  readonly actorUserId: UserId | null
  readonly actorKeyId: ApiKeyId | null
  readonly userId: UserId | null
  readonly workspaceId: WorkspaceId | null
  readonly targetId: string | null
  readonly details: Record<string, unknown>
  /** Events with the same key are recorded once (a key's expiry is seen on every refused request). */
  readonly dedupeKey?: string | undefined
  readonly now: Date
}

export interface AuditFilter {
  readonly viewer: UserId
  /** A key restricted to a workspace sees only that workspace's events. */
  readonly workspaceId: WorkspaceId | undefined
  readonly type: AuditEventType | undefined
  readonly limit: number
}

export class AuditRepo extends Effect.Service<AuditRepo>()("@clockme/domain/AuditRepo", {
  effect: Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient

    const insert = (event: NewAuditEvent) =>
      sql`
        INSERT INTO audit_events (type, actor_user_id, actor_key_id, user_id, workspace_id, target_id, details,
                                  dedupe_key, created_at)
        VALUES (${event.type}, ${event.actorUserId}, ${event.actorKeyId}, ${event.userId}, ${event.workspaceId},
                ${event.targetId}, ${JSON.stringify(event.details)}::jsonb, ${event.dedupeKey ?? null}, ${event.now})
        ON CONFLICT (dedupe_key) DO NOTHING`.pipe(Effect.asVoid, Effect.orDie)

    /** What the viewer may read: events about or by their account, and every event of a workspace they own. */
    const list = (filter: AuditFilter) => {
      const conditions: Array<Fragment> = [sql`(
        e.user_id = ${filter.viewer} OR e.actor_user_id = ${filter.viewer}
        OR e.workspace_id IN (SELECT workspace_id FROM memberships WHERE user_id = ${filter.viewer} AND role = 'owner'))`]
      if (filter.workspaceId !== undefined) conditions.push(sql`e.workspace_id = ${filter.workspaceId}`)
      if (filter.type !== undefined) conditions.push(sql`e.type = ${filter.type}`)
      return sql`
        SELECT e.id, e.type, e.actor_user_id, e.actor_key_id, e.user_id, e.workspace_id, e.target_id, e.details,
               e.created_at
        FROM audit_events e WHERE ${sql.and(conditions)}
        ORDER BY e.created_at DESC, e.seq DESC LIMIT ${filter.limit}`.pipe(
        Effect.flatMap(decode),
        Effect.map((rows) => rows.map((row) => new AuditEvent(row))),
        Effect.orDie
      )
    }

    return { insert, list } as const
  })
}) {}
