import { SqlClient } from "@effect/sql"
import { Effect, Option, Schema } from "effect"
import type { UserId, WorkspaceId } from "../contract/Ids.js"
import { Connection } from "../contract/Integration.js"
import type { ConnectionId } from "../contract/Integration.js"

const ConnectionRow = Schema.Struct({
  ...Connection.fields,
  secrets: Schema.NullOr(Schema.String),
  failingSince: Schema.NullOr(Schema.DateTimeUtcFromDate),
  inboundVerifiedAt: Schema.NullOr(Schema.DateTimeUtcFromDate),
  createdAt: Schema.DateTimeUtcFromDate,
  updatedAt: Schema.DateTimeUtcFromDate
})
export type ConnectionRow = typeof ConnectionRow.Type
const decodeConnections = Schema.decodeUnknown(Schema.Array(ConnectionRow))

export const toConnection = (row: ConnectionRow) => {
  const { secrets: _secrets, ...fields } = row
  return new Connection(fields)
}

export interface IdentityRow {
  readonly externalId: string
  readonly userId: UserId
  readonly email: string
  readonly createdAt: Date
}

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

/** Integration connections: each workspace's settings and sealed secrets per plugin, and their health. */
export class ConnectionsRepo extends Effect.Service<ConnectionsRepo>()("@clockme/domain/ConnectionsRepo", {
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

    /** By id alone; `lock`: the row stays locked until the transaction ends (a read-modify-write of its secrets). */
    const findConnectionById = (id: ConnectionId, lock = false) =>
      sql`SELECT *, config::text AS config_json FROM integration_connections WHERE id = ${id}${lock ? sql` FOR UPDATE` : sql``}`.pipe(
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
          inbound_verified_at = ${changes.secrets === undefined ? sql`inbound_verified_at` : sql`NULL`},
          updated_at = ${changes.now}
        WHERE workspace_id = ${workspaceId} AND id = ${id}
        RETURNING *, config::text AS config_json`.pipe(Effect.orDie, Effect.flatMap(connectionRows), Effect.map((rows) => Option.fromNullable(rows[0])))

    const markInboundVerified = (id: ConnectionId, now: Date) =>
      sql`UPDATE integration_connections SET inbound_verified_at = ${now} WHERE id = ${id} AND inbound_verified_at IS NULL`
        .pipe(Effect.asVoid, Effect.orDie)

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

    const listIdentities = (connectionId: ConnectionId) =>
      sql<IdentityRow>`
        SELECT i.external_id, i.user_id, u.email, i.created_at FROM integration_identities i
        JOIN users u ON u.id = i.user_id
        WHERE i.connection_id = ${connectionId} ORDER BY i.external_id`.pipe(Effect.orDie)

    const findIdentity = (connectionId: ConnectionId, externalId: string) =>
      sql<IdentityRow>`
        SELECT i.external_id, i.user_id, u.email, i.created_at FROM integration_identities i
        JOIN users u ON u.id = i.user_id
        WHERE i.connection_id = ${connectionId} AND i.external_id = ${externalId}`.pipe(
        Effect.map((rows) => Option.fromNullable(rows[0])),
        Effect.orDie
      )

    /** Maps (or re-maps) a provider's user to a member. */
    const upsertIdentity = (i: {
      readonly connectionId: ConnectionId
      readonly externalId: string
      readonly userId: UserId
      readonly createdBy: UserId
      readonly now: Date
    }) =>
      sql`
        INSERT INTO integration_identities (connection_id, external_id, user_id, created_by, created_at)
        VALUES (${i.connectionId}, ${i.externalId}, ${i.userId}, ${i.createdBy}, ${i.now})
        ON CONFLICT (connection_id, external_id) DO UPDATE SET user_id = excluded.user_id,
          created_by = excluded.created_by, created_at = excluded.created_at`.pipe(Effect.asVoid, Effect.orDie)

    const deleteIdentity = (connectionId: ConnectionId, externalId: string) =>
      sql`
        DELETE FROM integration_identities WHERE connection_id = ${connectionId} AND external_id = ${externalId}
        RETURNING external_id`.pipe(Effect.map((rows) => rows.length > 0), Effect.orDie)

    return {
      plainFingerprinted,
      setFingerprint,
      listIdentities,
      findIdentity,
      upsertIdentity,
      deleteIdentity,
      insertConnection,
      listConnections,
      findConnection,
      findConnectionById,
      updateConnection,
      markInboundVerified,
      deleteConnection,
      markFailing,
      markHealthy,
      disableConnection,
      removeConnection
    } as const
  })
}) {}
