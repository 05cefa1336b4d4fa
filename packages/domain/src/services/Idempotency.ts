import { SqlClient } from "@effect/sql"
import { DateTime, Effect, Schema } from "effect"
import { CurrentActor } from "../contract/Actor.js"
import { Conflict } from "../contract/Errors.js"
import { IdempotencyRepo } from "../repos/IdempotencyRepo.js"
import { transactional } from "../sql/Transactional.js"

/**
 * Runs an operation at most once per key (the Idempotency-Key header or a body's `idempotencyKey`) of a
 * user in a workspace: a retry gets the first success back and changes nothing; the key reused for another
 * operation is a 409. A failure releases the key (the transaction rolls back), so a retry runs again.
 */
export class Idempotency extends Effect.Service<Idempotency>()("@clockme/domain/Idempotency", {
  effect: Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const repo = yield* IdempotencyRepo

    const once = <A, I, E, R>(
      key: string | undefined,
      operation: string,
      schema: Schema.Schema<A, I>,
      effect: Effect.Effect<A, E, R>
    ): Effect.Effect<A, E | Conflict, R | CurrentActor> => {
      if (key === undefined) return effect
      return Effect.gen(function*() {
        const actor = yield* CurrentActor
        const now = yield* DateTime.now
        const claimed = yield* repo.claim(actor, key, operation, DateTime.toDate(now))
        if (!claimed) {
          const stored = yield* repo.find(actor, key).pipe(Effect.flatMap(Effect.orDie))
          if (stored.operation !== operation || stored.response === null) {
            return yield* new Conflict({
              message: `Idempotency-Key "${key}" was already used for ${stored.operation}; use a new key for a new request`
            })
          }
          return yield* Schema.decodeUnknown(schema)(stored.response).pipe(Effect.orDie)
        }
        const result = yield* effect
        yield* repo.complete(actor, key, yield* Schema.encode(schema)(result).pipe(Effect.orDie))
        return result
      }).pipe(transactional(sql)) as Effect.Effect<A, E | Conflict, R | CurrentActor>
    }

    /** Keys are remembered for a day: long enough for any client's retries. */
    const prune = Effect.gen(function*() {
      const now = yield* DateTime.now
      yield* repo.prune(DateTime.toDate(DateTime.subtract(now, { hours: 24 })))
    }).pipe(Effect.withSpan("Idempotency.prune"))

    return { once, prune } as const
  }),
  dependencies: [IdempotencyRepo.Default]
}) {}
