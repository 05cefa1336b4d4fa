import { SqlClient } from "@effect/sql"
import { Effect, Option } from "effect"
import type { UserId, WorkspaceId } from "../contract/Ids.js"

/** Whose key it is: a key means something only for one user in one workspace. */
export interface KeyScope {
  readonly userId: UserId
  readonly workspaceId: WorkspaceId
}

export class IdempotencyRepo extends Effect.Service<IdempotencyRepo>()("@clockme/domain/IdempotencyRepo", {
  effect: Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient

    /** Claims the key; a concurrent claim of the same key waits for this transaction, then sees it taken. */
    const claim = (scope: KeyScope, key: string, operation: string, now: Date) =>
      sql`
        INSERT INTO idempotency_keys (user_id, workspace_id, key, operation, created_at)
        VALUES (${scope.userId}, ${scope.workspaceId}, ${key}, ${operation}, ${now})
        ON CONFLICT (user_id, workspace_id, key) DO NOTHING RETURNING key`.pipe(
        Effect.map((rows) => rows.length > 0),
        Effect.orDie
      )

    // The stored answer is read as text and parsed here: as a jsonb value its keys would pass through the
    // client's snake_case-to-camelCase renaming, and a wire format with snake_case fields (Zapier's) would
    // come back changed.
    const find = (scope: KeyScope, key: string) =>
      sql<{ operation: string; response: string | null }>`
        SELECT operation, response::text AS response FROM idempotency_keys
        WHERE user_id = ${scope.userId} AND workspace_id = ${scope.workspaceId} AND key = ${key}`.pipe(
        Effect.map((rows) =>
          Option.map(Option.fromNullable(rows[0]), (row) => ({
            operation: row.operation,
            response: row.response === null ? null : JSON.parse(row.response) as unknown
          }))
        ),
        Effect.orDie
      )

    const complete = (scope: KeyScope, key: string, response: unknown) =>
      sql`
        UPDATE idempotency_keys SET response = ${JSON.stringify(response)}::jsonb
        WHERE user_id = ${scope.userId} AND workspace_id = ${scope.workspaceId} AND key = ${key}`.pipe(
        Effect.asVoid,
        Effect.orDie
      )

    const prune = (before: Date) =>
      sql`DELETE FROM idempotency_keys WHERE created_at < ${before}`.pipe(Effect.asVoid, Effect.orDie)

    return { claim, find, complete, prune } as const
  })
}) {}
