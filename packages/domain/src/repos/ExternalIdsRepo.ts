import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import type { ConnectionId } from "../contract/Integration.js"

/** Per connection, the provider's id of each entry sent to it (`integration_external_ids`). */
export class ExternalIdsRepo extends Effect.Service<ExternalIdsRepo>()("@clockme/domain/ExternalIdsRepo", {
  effect: Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient

    const find = (connectionId: ConnectionId, entryId: string) =>
      sql<{ externalId: string }>`
        SELECT external_id FROM integration_external_ids WHERE connection_id = ${connectionId} AND entry_id = ${entryId}`.pipe(
        Effect.map((rows) => rows[0]?.externalId),
        Effect.orDie
      )

    const save = (connectionId: ConnectionId, entryId: string, externalId: string, now: Date) =>
      sql`
        INSERT INTO integration_external_ids (connection_id, entry_id, external_id, created_at)
        VALUES (${connectionId}, ${entryId}, ${externalId}, ${now})
        ON CONFLICT (connection_id, entry_id) DO UPDATE SET external_id = EXCLUDED.external_id`.pipe(Effect.asVoid, Effect.orDie)

    const remove = (connectionId: ConnectionId, entryId: string) =>
      sql`DELETE FROM integration_external_ids WHERE connection_id = ${connectionId} AND entry_id = ${entryId}`.pipe(
        Effect.asVoid,
        Effect.orDie
      )

    return { find, save, remove } as const
  })
}) {}
