import { SqlClient } from "@effect/sql"
import { Effect, Option } from "effect"
import type { UserId } from "../contract/Ids.js"

export class IdempotencyRepo extends Effect.Service<IdempotencyRepo>()("@clockme/domain/IdempotencyRepo", {
  effect: Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient

    /** Claims the key; a concurrent claim of the same key waits for this transaction, then sees it taken. */
    const claim = (userId: UserId, key: string, operation: string, now: Date) =>
      sql`
        INSERT INTO idempotency_keys (user_id, key, operation, created_at)
        VALUES (${userId}, ${key}, ${operation}, ${now})
        ON CONFLICT (user_id, key) DO NOTHING RETURNING key`.pipe(Effect.map((rows) => rows.length > 0), Effect.orDie)

    const find = (userId: UserId, key: string) =>
      sql<{ operation: string; response: unknown }>`
        SELECT operation, response FROM idempotency_keys WHERE user_id = ${userId} AND key = ${key}`.pipe(
        Effect.map((rows) => Option.fromNullable(rows[0])),
        Effect.orDie
      )

    const complete = (userId: UserId, key: string, response: unknown) =>
      sql`UPDATE idempotency_keys SET response = ${JSON.stringify(response)}::jsonb WHERE user_id = ${userId} AND key = ${key}`
        .pipe(Effect.asVoid, Effect.orDie)

    const prune = (before: Date) =>
      sql`DELETE FROM idempotency_keys WHERE created_at < ${before}`.pipe(Effect.asVoid, Effect.orDie)

    return { claim, find, complete, prune } as const
  })
}) {}
