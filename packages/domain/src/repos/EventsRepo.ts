import { SqlClient } from "@effect/sql"
import { randomBytes } from "node:crypto"
import { Effect, Schema } from "effect"
import { DomainEvent } from "../contract/Events.js"
import type { EventType } from "../contract/Events.js"
import type { EventId, UserId, WorkspaceId } from "../contract/Ids.js"

export interface NewEvent {
  readonly id: EventId
  readonly workspaceId: WorkspaceId
  readonly userId: UserId | null
  readonly type: EventType
  readonly version: number
  readonly occurredAt: Date
  readonly payload: unknown
  readonly dedupeKey: string | null
}

/** A position in the stream: events are ordered by the transaction that wrote them, then by seq. */
export interface StreamPosition {
  readonly xid: string
  readonly seq: number
}

export interface StreamQuery {
  readonly workspaceId: WorkspaceId
  readonly after: StreamPosition
  readonly types: ReadonlyArray<EventType> | undefined
  /**
   * A reader who is not an owner: `types` are shown only when they are the reader's own, `hidden` never.
   * Undefined: the reader sees every event.
   */
  readonly onlyOwn: {
    readonly userId: UserId
    readonly types: ReadonlyArray<EventType>
    readonly hidden?: ReadonlyArray<EventType> | undefined
  } | undefined
  readonly limit: number
}

const StreamRow = Schema.Struct({ xid: Schema.String, seq: Schema.Number, payload: Schema.Unknown })
const decodeRows = Schema.decodeUnknown(Schema.Array(StreamRow))
const decodeEvent = Schema.decodeUnknown(DomainEvent)

export class EventsRepo extends Effect.Service<EventsRepo>()("@clockme/domain/EventsRepo", {
  effect: Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient

    /** The xid column defaults to the writing transaction's id. */
    const insert = (event: NewEvent) =>
      sql`
        INSERT INTO outbox (id, workspace_id, user_id, type, version, payload, occurred_at, created_at, dedupe_key)
        VALUES (${event.id}, ${event.workspaceId}, ${event.userId}, ${event.type}, ${event.version},
                ${JSON.stringify(event.payload)}::jsonb, ${event.occurredAt}, ${event.occurredAt}, ${event.dedupeKey})`
        .pipe(Effect.asVoid, Effect.orDie)

    /**
     * One page of a workspace's stream after a position. A row is returned only once every transaction
     * that started before it ended (its xid is below the snapshot's xmin): rows of a transaction still
     * running can never later appear before a position already handed out.
     */
    const page = (query: StreamQuery) =>
      sql`
        SELECT xid::text AS xid, seq, payload FROM outbox
        WHERE ${
        sql.and([
          sql`workspace_id = ${query.workspaceId}`,
          sql`(xid, seq) > (${query.after.xid}::xid8, ${query.after.seq})`,
          sql`xid < pg_snapshot_xmin(pg_current_snapshot())`,
          ...(query.types === undefined ? [] : [sql`type IN ${sql.in(query.types)}`]),
          ...(query.onlyOwn === undefined || query.onlyOwn.types.length === 0
            ? []
            : [sql`(user_id = ${query.onlyOwn.userId} OR type NOT IN ${sql.in(query.onlyOwn.types)})`]),
          ...(query.onlyOwn?.hidden === undefined || query.onlyOwn.hidden.length === 0
            ? []
            : [sql`type NOT IN ${sql.in(query.onlyOwn.hidden)}`])
        ])
      }
        ORDER BY xid, seq
        LIMIT ${query.limit}`.pipe(
        Effect.flatMap(decodeRows),
        Effect.flatMap(Effect.forEach((row) =>
          Effect.map(decodeEvent(row.payload), (event) => ({ position: { xid: row.xid, seq: row.seq }, event }))
        )),
        Effect.orDie
      )

    /**
     * A random key of the server's, the same in every process on this database: made by the first that
     * asks (a racing second insert does nothing), then read.
     */
    const serverKey = (name: string) =>
      sql`INSERT INTO server_keys (name, secret) VALUES (${name}, ${randomBytes(32).toString("base64")})
          ON CONFLICT (name) DO NOTHING`.pipe(
        Effect.zipRight(sql<{ secret: string }>`SELECT secret FROM server_keys WHERE name = ${name}`),
        Effect.flatMap((rows) => Effect.fromNullable(rows[0])),
        Effect.map((row) => Buffer.from(row.secret, "base64")),
        Effect.orDie
      )

    return { insert, page, serverKey } as const
  })
}) {}
