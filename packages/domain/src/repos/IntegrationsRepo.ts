import { SqlClient } from "@effect/sql"
import { Effect, Option, Schema } from "effect"
import { DomainEvent, eventNameOf } from "../contract/Events.js"
import type { UserId, WorkspaceId } from "../contract/Ids.js"
import { Connection, ConnectionId, Delivery, DeliveryAttempt, DeliveryId, DeliveryState } from "../contract/Integration.js"

const ConnectionRow = Schema.Struct({
  ...Connection.fields,
  secrets: Schema.NullOr(Schema.String),
  failingSince: Schema.NullOr(Schema.DateTimeUtcFromDate),
  createdAt: Schema.DateTimeUtcFromDate,
  updatedAt: Schema.DateTimeUtcFromDate
})
export type ConnectionRow = typeof ConnectionRow.Type
const decodeConnections = Schema.decodeUnknown(Schema.Array(ConnectionRow))

export const toConnection = (row: ConnectionRow) => {
  const { secrets: _secrets, ...fields } = row
  return new Connection(fields)
}

const AttemptRow = Schema.Struct({
  ...DeliveryAttempt.fields,
  deliveryId: DeliveryId,
  startedAt: Schema.DateTimeUtcFromDate
})
const decodeAttempts = Schema.decodeUnknown(Schema.Array(AttemptRow))

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
  payload: Schema.Unknown
})
const decodeClaimed = Schema.decodeUnknown(Schema.Array(ClaimedRow))
const decodeEvent = Schema.decodeUnknown(DomainEvent)

export interface NewConnection {
  readonly id: ConnectionId
  readonly workspaceId: WorkspaceId
  readonly integration: string
  readonly description: string | null
  readonly config: unknown
  readonly events: ReadonlyArray<string>
  readonly secrets: string | null
  readonly secretFingerprint: string | null
  readonly createdBy: UserId
  readonly now: Date
}

export interface ConnectionChanges {
  readonly description?: string | null | undefined
  readonly config?: unknown
  readonly events?: ReadonlyArray<string> | undefined
  readonly secrets?: { readonly sealed: string | null; readonly fingerprint: string | null } | undefined
  readonly enabled?: boolean | undefined
  readonly disabledReason?: string | null | undefined
  readonly now: Date
}

export interface AttemptRecord {
  readonly deliveryId: DeliveryId
  readonly attempt: number
  readonly startedAt: Date
  readonly durationMs: number
  readonly status: number | null
  readonly outcome: "success" | "failure" | "rejected"
  readonly error: string | null
  readonly response: string | null
}

export interface Settlement {
  readonly id: DeliveryId
  readonly leaseToken: string
  readonly state: "pending" | "delivered" | "dead"
  readonly nextAttemptAt: Date | null
  readonly status: number | null
  readonly error: string | null
  readonly now: Date
}

export class IntegrationsRepo extends Effect.Service<IntegrationsRepo>()("@clockme/domain/IntegrationsRepo", {
  effect: Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient

    // Config is the plugin's own JSON: read as text, so the snake_to_camel result transform leaves its keys alone.
    const connectionRows = (rows: ReadonlyArray<Record<string, unknown>>) =>
      decodeConnections(rows.map(({ configJson, ...row }) => ({ ...row, config: JSON.parse(String(configJson)) }))).pipe(
        Effect.orDie
      )

    const insertConnection = (c: NewConnection) =>
      sql`
        INSERT INTO integration_connections (id, workspace_id, integration, description, config, events, secrets,
                                             secret_fingerprint, created_by, created_at, updated_at)
        VALUES (${c.id}, ${c.workspaceId}, ${c.integration}, ${c.description}, ${JSON.stringify(c.config)}::jsonb,
                ARRAY(SELECT jsonb_array_elements_text(${JSON.stringify(c.events)}::jsonb)), ${c.secrets}, ${c.secretFingerprint}, ${c.createdBy}, ${c.now},
                ${c.now})
        RETURNING *, config::text AS config_json`.pipe(Effect.orDie, Effect.flatMap(connectionRows), Effect.map((rows) => rows[0]!))

    const listConnections = (workspaceId: WorkspaceId, integration?: string) =>
      sql`
        SELECT *, config::text AS config_json FROM integration_connections
        WHERE workspace_id = ${workspaceId} ${integration === undefined ? sql`` : sql`AND integration = ${integration}`}
        ORDER BY created_at, id`.pipe(Effect.orDie, Effect.flatMap(connectionRows))

    const findConnection = (workspaceId: WorkspaceId, id: ConnectionId) =>
      sql`SELECT *, config::text AS config_json FROM integration_connections WHERE workspace_id = ${workspaceId} AND id = ${id}`.pipe(
        Effect.orDie,
        Effect.flatMap(connectionRows),
        Effect.map((rows) => Option.fromNullable(rows[0]))
      )

    const findConnectionById = (id: ConnectionId) =>
      sql`SELECT *, config::text AS config_json FROM integration_connections WHERE id = ${id}`.pipe(
        Effect.orDie,
        Effect.flatMap(connectionRows),
        Effect.map((rows) => Option.fromNullable(rows[0]))
      )

    /** Connections whose fingerprint is the plain hash of their secrets, as servers before the HMAC wrote it. */
    const plainFingerprinted = sql<{ id: ConnectionId; secrets: string }>`
      SELECT id, secrets FROM integration_connections
      WHERE secrets IS NOT NULL AND secret_fingerprint LIKE 'sha256:%'`.pipe(Effect.orDie)

    const setFingerprint = (id: ConnectionId, fingerprint: string) =>
      sql`UPDATE integration_connections SET secret_fingerprint = ${fingerprint} WHERE id = ${id}`.pipe(
        Effect.asVoid,
        Effect.orDie
      )

    const updateConnection = (workspaceId: WorkspaceId, id: ConnectionId, changes: ConnectionChanges) =>
      sql`
        UPDATE integration_connections SET
          description = ${changes.description === undefined ? sql`description` : sql`${changes.description}`},
          config = ${changes.config === undefined ? sql`config` : sql`${JSON.stringify(changes.config)}::jsonb`},
          events = ${changes.events === undefined ? sql`events` : sql`ARRAY(SELECT jsonb_array_elements_text(${JSON.stringify(changes.events)}::jsonb))`},
          secrets = ${changes.secrets === undefined ? sql`secrets` : sql`${changes.secrets.sealed}`},
          secret_fingerprint = ${
        changes.secrets === undefined ? sql`secret_fingerprint` : sql`${changes.secrets.fingerprint}`
      },
          enabled = ${changes.enabled === undefined ? sql`enabled` : sql`${changes.enabled}`},
          disabled_reason = ${
        changes.enabled === true
          ? sql`NULL`
          : changes.disabledReason === undefined
          ? sql`disabled_reason`
          : sql`${changes.disabledReason}`
      },
          failing_since = ${changes.enabled === true ? sql`NULL` : sql`failing_since`},
          updated_at = ${changes.now}
        WHERE workspace_id = ${workspaceId} AND id = ${id}
        RETURNING *, config::text AS config_json`.pipe(Effect.orDie, Effect.flatMap(connectionRows), Effect.map((rows) => Option.fromNullable(rows[0])))

    const deleteConnection = (workspaceId: WorkspaceId, id: ConnectionId) =>
      sql`DELETE FROM integration_connections WHERE workspace_id = ${workspaceId} AND id = ${id} RETURNING id`.pipe(
        Effect.orDie,
        Effect.map((rows) => rows.length > 0)
      )

    /** After a failure: start the failing clock, and disable the connection once it has run for `disableAfter`. */
    const markFailing = (id: ConnectionId, now: Date, disableBefore: Date, reason: string) =>
      sql`
        UPDATE integration_connections SET
          failing_since = coalesce(failing_since, ${now}),
          enabled = CASE WHEN coalesce(failing_since, ${now}) <= ${disableBefore} THEN false ELSE enabled END,
          disabled_reason = CASE WHEN coalesce(failing_since, ${now}) <= ${disableBefore} THEN ${reason}
                            ELSE disabled_reason END
        WHERE id = ${id}`.pipe(Effect.asVoid, Effect.orDie)

    const markHealthy = (id: ConnectionId) =>
      sql`UPDATE integration_connections SET failing_since = NULL WHERE id = ${id} AND failing_since IS NOT NULL`.pipe(
        Effect.asVoid,
        Effect.orDie
      )

    const disableConnection = (id: ConnectionId, reason: string, now: Date) =>
      sql`
        UPDATE integration_connections SET enabled = false, disabled_reason = ${reason}, updated_at = ${now}
        WHERE id = ${id}`.pipe(Effect.asVoid, Effect.orDie)

    const removeConnection = (id: ConnectionId) =>
      sql`DELETE FROM integration_connections WHERE id = ${id}`.pipe(Effect.asVoid, Effect.orDie)

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
        FROM due, outbox o
        WHERE d.id = due.id AND o.id = d.event_id
        RETURNING d.id, d.connection_id, d.event_id, d.attempts, d.first_attempt_at, d.lease_token, o.payload`).pipe(
        Effect.flatMap(decodeClaimed),
        Effect.flatMap(Effect.forEach((row) =>
          Effect.map(decodeEvent(row.payload), (event) => ({ ...row, event }))
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

    return {
      plainFingerprinted,
      setFingerprint,
      insertConnection,
      listConnections,
      findConnection,
      findConnectionById,
      updateConnection,
      deleteConnection,
      markFailing,
      markHealthy,
      disableConnection,
      removeConnection,
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
