import { SqlClient } from "@effect/sql"
import { Effect, Option, Schema } from "effect"
import { DomainEvent, eventNameOf } from "../contract/Events.js"
import type { WorkspaceId } from "../contract/Ids.js"
import { ConnectionId, Delivery, DeliveryAttempt, DeliveryId, DeliveryState } from "../contract/Integration.js"

const AttemptRow = Schema.Struct({
  ...DeliveryAttempt.fields,
  deliveryId: DeliveryId,
  startedAt: Schema.DateTimeUtcFromDate
})
const decodeAttempts = Schema.decodeUnknown(Schema.Array(AttemptRow))

/** An inbound request as stored: its headers and its body's bytes in base64. */
export const StoredRequest = Schema.Struct({
  method: Schema.String,
  headers: Schema.Record({ key: Schema.String, value: Schema.String }),
  body: Schema.String
})
export type StoredRequest = typeof StoredRequest.Type

const DeliveryRow = Schema.Struct({
  id: DeliveryId,
  connectionId: ConnectionId,
  eventId: Schema.UUID,
  eventType: Schema.String,
  state: DeliveryState,
  attempts: Schema.Number,
  nextAttemptAt: Schema.NullOr(Schema.DateTimeUtcFromDate),
  lastStatus: Schema.NullOr(Schema.Number),
  lastError: Schema.NullOr(Schema.String),
  deliveredAt: Schema.NullOr(Schema.DateTimeUtcFromDate),
  createdAt: Schema.DateTimeUtcFromDate
})
const decodeDeliveries = Schema.decodeUnknown(Schema.Array(DeliveryRow))

const ClaimedRow = Schema.Struct({
  id: DeliveryId,
  connectionId: ConnectionId,
  eventId: Schema.UUID,
  attempts: Schema.Number,
  firstAttemptAt: Schema.DateTimeUtcFromDate,
  leaseToken: Schema.UUID,
  payload: Schema.Unknown,
  route: Schema.NullOr(Schema.String),
  request: Schema.NullOr(StoredRequest)
})
const decodeClaimed = Schema.decodeUnknown(Schema.Array(ClaimedRow))

/** A claimed delivery: a stream event for an outbound handler, or a stored request for an inbound route. */
export type ClaimedWork =
  | { readonly _tag: "Event"; readonly event: DomainEvent }
  | { readonly _tag: "Inbound"; readonly route: string; readonly request: StoredRequest }
const decodeEvent = Schema.decodeUnknown(DomainEvent)

export interface AttemptRecord {
  readonly deliveryId: DeliveryId
  readonly attempt: number
  readonly startedAt: Date
  readonly durationMs: number
  readonly status: number | null
  readonly outcome: "success" | "failure" | "rejected" | "skipped"
  readonly error: string | null
  readonly response: string | null
}

export interface Settlement {
  readonly id: DeliveryId
  readonly leaseToken: string
  readonly state: "pending" | "delivered" | "dead" | "skipped"
  readonly nextAttemptAt: Date | null
  readonly status: number | null
  readonly error: string | null
  readonly now: Date
}

/** The delivery queue: one delivery per (event, connection), leased to one server at a time, with its attempt log. */
export class DeliveriesRepo extends Effect.Service<DeliveriesRepo>()("@clockme/domain/DeliveriesRepo", {
  effect: Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient

    /**
     * Fans the next events of the stream out into one delivery per subscribed connection, and moves the
     * cursor past them, in one transaction. The cursor row is locked with SKIP LOCKED: while one server
     * fans out, the others skip this step. Only events whose transaction is older than every running one
     * are read, so a late commit can never land behind the cursor.
     */
    const fanOut = (integrations: ReadonlyArray<string>, limit: number, now: Date) =>
      sql.withTransaction(Effect.gen(function*() {
        const cursor = yield* sql<{ xid: string; seq: number }>`
          SELECT xid::text AS xid, seq FROM integration_cursor WHERE id = 1 FOR UPDATE SKIP LOCKED`
        const at = cursor[0]
        if (at === undefined) return 0
        const events = yield* sql<{ xid: string; seq: number }>`
          SELECT xid::text AS xid, seq FROM outbox
          WHERE (xid, seq) > (${at.xid}::xid8, ${at.seq}) AND xid < pg_snapshot_xmin(pg_current_snapshot())
          ORDER BY xid, seq
          LIMIT ${limit}`
        const last = events[events.length - 1]
        if (last === undefined) return 0
        if (integrations.length > 0) {
          yield* sql`
            INSERT INTO integration_deliveries (connection_id, workspace_id, event_id, event_type, event_xid, event_seq,
                                                state, next_attempt_at, created_at)
            SELECT c.id, o.workspace_id, o.id, o.type, o.xid, o.seq, 'pending', ${now}, ${now}
            FROM outbox o
            JOIN integration_connections c ON c.workspace_id = o.workspace_id AND c.enabled
              AND o.type = ANY (c.events) AND c.created_at <= o.created_at
              AND c.integration IN ${sql.in(integrations)}
            WHERE (o.xid, o.seq) > (${at.xid}::xid8, ${at.seq}) AND (o.xid, o.seq) <= (${last.xid}::xid8, ${last.seq})
            ORDER BY o.xid, o.seq, c.id
            ON CONFLICT (connection_id, event_id) DO NOTHING`
        }
        yield* sql`UPDATE integration_cursor SET xid = ${last.xid}::xid8, seq = ${last.seq} WHERE id = 1`
        return events.length
      })).pipe(Effect.orDie)

    /**
     * Leases the deliveries that are due: for each enabled connection only its oldest pending delivery
     * (in stream order), so every connection sees its events in order and a failing one blocks nobody
     * else. Rows are locked with SKIP LOCKED while the lease is written; after that the lease (not a
     * held transaction) keeps other servers away, and it expires if this server dies mid-delivery.
     */
    const claim = (options: {
      readonly integrations: ReadonlyArray<string>
      readonly limit: number
      readonly now: Date
      readonly leaseUntil: Date
    }) =>
      options.integrations.length === 0 ? Effect.succeed([]) : sql.withTransaction(sql`
        WITH heads AS (
          SELECT DISTINCT ON (d.connection_id) d.id
          FROM integration_deliveries d
          JOIN integration_connections c ON c.id = d.connection_id
          WHERE d.state = 'pending' AND c.enabled AND c.integration IN ${sql.in(options.integrations)}
          ORDER BY d.connection_id, d.event_xid, d.event_seq
        ),
        due AS (
          SELECT d.id FROM integration_deliveries d JOIN heads h ON h.id = d.id
          WHERE d.state = 'pending' AND d.next_attempt_at <= ${options.now}
            AND (d.lease_until IS NULL OR d.lease_until <= ${options.now})
          ORDER BY d.next_attempt_at
          LIMIT ${options.limit}
          FOR UPDATE OF d SKIP LOCKED
        )
        UPDATE integration_deliveries d SET
          lease_token = gen_random_uuid(), lease_until = ${options.leaseUntil}, attempts = d.attempts + 1,
          first_attempt_at = coalesce(d.first_attempt_at, ${options.now})
        FROM due
        WHERE d.id = due.id
        RETURNING d.id, d.connection_id, d.event_id, d.attempts, d.first_attempt_at, d.lease_token, d.route, d.request,
                  (SELECT o.payload FROM outbox o WHERE o.id = d.event_id) AS payload`).pipe(
        Effect.flatMap(decodeClaimed),
        Effect.flatMap(Effect.forEach(({ payload, request, route, ...row }) =>
          route !== null && request !== null
            ? Effect.succeed({ ...row, work: { _tag: "Inbound", route, request } as ClaimedWork })
            : Effect.map(decodeEvent(payload), (event) => ({ ...row, work: { _tag: "Event", event } as ClaimedWork }))
        )),
        Effect.orDie
      )

    /** Records an attempt's end, unless the lease was lost (another server took over after it expired). */
    const settle = (s: Settlement, attempt: AttemptRecord) =>
      sql.withTransaction(Effect.gen(function*() {
        const updated = yield* sql`
          UPDATE integration_deliveries SET
            state = ${s.state}, next_attempt_at = ${s.nextAttemptAt}, last_status = ${s.status}, last_error = ${s.error},
            delivered_at = ${s.state === "delivered" ? sql`${s.now}` : sql`delivered_at`},
            lease_token = NULL, lease_until = NULL
          WHERE id = ${s.id} AND lease_token = ${s.leaseToken}
          RETURNING id`
        if (updated.length > 0) yield* insertAttempt(attempt)
        return updated.length > 0
      })).pipe(Effect.orDie)

    const insertAttempt = (a: AttemptRecord) =>
      sql`
        INSERT INTO integration_attempts (delivery_id, attempt, started_at, duration_ms, status, outcome, error, response)
        VALUES (${a.deliveryId}, ${a.attempt}, ${a.startedAt}, ${a.durationMs}, ${a.status}, ${a.outcome}, ${a.error},
                ${a.response})`

    /** A delivery that is not part of the stream (a test ping), recorded with its one attempt. */
    const recordOneOff = (d: {
      readonly connectionId: ConnectionId
      readonly workspaceId: WorkspaceId
      readonly eventId: string
      readonly eventType: string
      readonly delivered: boolean
      readonly now: Date
      readonly attempt: Omit<AttemptRecord, "deliveryId" | "attempt">
    }) =>
      sql.withTransaction(Effect.gen(function*() {
        const rows = yield* sql<{ id: DeliveryId }>`
          INSERT INTO integration_deliveries (connection_id, workspace_id, event_id, event_type, event_xid, event_seq, state,
                                              attempts, first_attempt_at, last_status, last_error, delivered_at,
                                              created_at)
          VALUES (${d.connectionId}, ${d.workspaceId}, ${d.eventId}, ${d.eventType}, '0'::xid8, 0,
                  ${d.delivered ? "delivered" : "dead"}, 1, ${d.now}, ${d.attempt.status}, ${d.attempt.error},
                  ${d.delivered ? d.now : null}, ${d.now})
          ON CONFLICT (connection_id, event_id) DO UPDATE SET
            state = excluded.state, attempts = integration_deliveries.attempts + 1, last_status = excluded.last_status,
            last_error = excluded.last_error, delivered_at = excluded.delivered_at
          RETURNING id, attempts`
        const row = rows[0] as unknown as { id: DeliveryId; attempts: number }
        yield* insertAttempt({ ...d.attempt, deliveryId: row.id, attempt: row.attempts })
        return row.id
      })).pipe(Effect.orDie)

    const attemptsOf = (ids: ReadonlyArray<string>) =>
      ids.length === 0
        ? Effect.succeed([])
        : sql`SELECT * FROM integration_attempts WHERE delivery_id IN ${sql.in(ids)} ORDER BY attempt`.pipe(
          Effect.flatMap(decodeAttempts),
          Effect.orDie
        )

    const withLogs = (rows: ReadonlyArray<typeof DeliveryRow.Type>) =>
      Effect.map(attemptsOf(rows.map((row) => row.id)), (attempts) =>
        rows.map((row) =>
          new Delivery({
            ...row,
            eventType: eventNameOf(row.eventType) ?? row.eventType,
            log: attempts.filter((a) => a.deliveryId === row.id).map(({ deliveryId: _d, ...a }) => new DeliveryAttempt(a))
          })
        ))

    const listDeliveries = (connectionId: ConnectionId, filter: { readonly state?: DeliveryState | undefined; readonly limit: number }) =>
      sql`
        SELECT * FROM integration_deliveries
        WHERE connection_id = ${connectionId} ${filter.state === undefined ? sql`` : sql`AND state = ${filter.state}`}
        ORDER BY created_at DESC, event_xid DESC, event_seq DESC
        LIMIT ${filter.limit}`.pipe(Effect.flatMap(decodeDeliveries), Effect.orDie, Effect.flatMap(withLogs))

    const findDelivery = (connectionId: ConnectionId, id: DeliveryId) =>
      sql`SELECT * FROM integration_deliveries WHERE connection_id = ${connectionId} AND id = ${id}`.pipe(
        Effect.flatMap(decodeDeliveries),
        Effect.orDie,
        Effect.flatMap(withLogs),
        Effect.map((rows) => Option.fromNullable(rows[0]))
      )

    /** Queues a delivery again at once, with a fresh 24-hour window. */
    const requeue = (connectionId: ConnectionId, id: DeliveryId, now: Date) =>
      sql`
        UPDATE integration_deliveries SET state = 'pending', next_attempt_at = ${now}, first_attempt_at = NULL
        WHERE connection_id = ${connectionId} AND id = ${id} AND state <> 'pending' AND event_seq > 0
        RETURNING id`.pipe(Effect.orDie, Effect.map((rows) => rows.length > 0))

    /** The newest events of some types in a workspace, as stored (for samples). */
    const recentEvents = (workspaceId: WorkspaceId, types: ReadonlyArray<string>, limit: number) =>
      sql<{ payload: unknown }>`
        SELECT payload FROM outbox WHERE workspace_id = ${workspaceId} AND type IN ${sql.in(types)}
        ORDER BY xid DESC, seq DESC LIMIT ${limit}`.pipe(
        Effect.flatMap(Effect.forEach((row) => decodeEvent(row.payload))),
        Effect.orDie
      )

    /**
     * Stores a verified inbound request as a pending delivery of its connection, queued behind the ones before
     * it. `eventId` derives from the provider's delivery id: a redelivery finds its row and stores nothing.
     */
    const storeInbound = (d: {
      readonly connectionId: ConnectionId
      readonly workspaceId: WorkspaceId
      readonly eventId: string
      readonly route: string
      readonly request: StoredRequest
      readonly now: Date
    }) =>
      sql.withTransaction(Effect.gen(function*() {
        const inserted = yield* sql<{ id: DeliveryId }>`
          INSERT INTO integration_deliveries (connection_id, workspace_id, event_id, event_type, event_xid, event_seq,
                                              state, next_attempt_at, created_at, route, request)
          VALUES (${d.connectionId}, ${d.workspaceId}, ${d.eventId}, ${`inbound.${d.route}`}, pg_current_xact_id(),
                  nextval('integration_inbound_seq'), 'pending', ${d.now}, ${d.now}, ${d.route},
                  ${JSON.stringify(d.request)}::jsonb)
          ON CONFLICT (connection_id, event_id) DO NOTHING
          RETURNING id`
        if (inserted[0] !== undefined) return { id: inserted[0].id, duplicate: false }
        const [existing] = yield* sql<{ id: DeliveryId }>`
          SELECT id FROM integration_deliveries WHERE connection_id = ${d.connectionId} AND event_id = ${d.eventId}`
        return { id: existing!.id, duplicate: true }
      })).pipe(Effect.orDie)

    /** Drops the body of a stored inbound request (it carried a secret now kept sealed); its headers stay. */
    const forgetBody = (id: DeliveryId) =>
      sql`
        UPDATE integration_deliveries SET request = jsonb_set(request, '{body}', '""'::jsonb)
        WHERE id = ${id} AND request IS NOT NULL`.pipe(Effect.asVoid, Effect.orDie)

    const onceDone = (connectionId: ConnectionId, key: string) =>
      sql`SELECT 1 FROM integration_once WHERE connection_id = ${connectionId} AND key = ${key}`.pipe(
        Effect.map((rows) => rows.length > 0),
        Effect.orDie
      )

    const markOnce = (connectionId: ConnectionId, key: string, now: Date) =>
      sql`
        INSERT INTO integration_once (connection_id, key, done_at) VALUES (${connectionId}, ${key}, ${now})
        ON CONFLICT DO NOTHING`.pipe(Effect.asVoid, Effect.orDie)

    /** Forgets the side effects done, and the finished inbound deliveries (with their dedupe ids), before `before`. */
    const pruneInbound = (before: Date) =>
      Effect.zipRight(
        sql`DELETE FROM integration_once WHERE done_at < ${before}`,
        sql`DELETE FROM integration_deliveries WHERE route IS NOT NULL AND state <> 'pending' AND created_at < ${before}`
      ).pipe(Effect.asVoid, Effect.orDie)

    return {
      storeInbound,
      forgetBody,
      onceDone,
      markOnce,
      pruneInbound,
      fanOut,
      claim,
      settle,
      recordOneOff,
      listDeliveries,
      findDelivery,
      requeue,
      recentEvents
    } as const
  })
}) {}
