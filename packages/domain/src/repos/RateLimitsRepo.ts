import { SqlClient } from "@effect/sql"
import { Effect } from "effect"

export class RateLimitsRepo extends Effect.Service<RateLimitsRepo>()("@clockme/domain/RateLimitsRepo", {
  effect: Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient

    /** Counts one request in the key's window, atomically across every server; returns the new count. */
    const increment = (key: string, windowStart: Date) =>
      sql<{ count: number }>`
        INSERT INTO rate_limits (key, window_start, count) VALUES (${key}, ${windowStart}, 1)
        ON CONFLICT (key, window_start) DO UPDATE SET count = rate_limits.count + 1
        RETURNING count`.pipe(Effect.map((rows) => rows[0]?.count ?? 1), Effect.orDie)

    const forgetBefore = (key: string, windowStart: Date) =>
      sql`DELETE FROM rate_limits WHERE key = ${key} AND window_start < ${windowStart}`.pipe(Effect.asVoid, Effect.orDie)

    return { increment, forgetBefore } as const
  })
}) {}
