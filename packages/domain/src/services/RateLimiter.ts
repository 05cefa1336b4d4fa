import { Context, DateTime, Effect, Layer } from "effect"
import type { Quota } from "../contract/RateLimit.js"
import { RateLimitsRepo } from "../repos/RateLimitsRepo.js"

const WINDOW_MS = 60_000

/** Counts requests per key in fixed one-minute windows: in memory on one node, in the database for several. */
export class RateLimiter extends Context.Tag("@clockme/domain/RateLimiter")<RateLimiter, {
  /** Counts one request and says what is left; `remaining < 0` means over the limit. */
  readonly hit: (key: string, limit: number) => Effect.Effect<Quota>
  /** The same count at `nowMillis` without an effect, where the counts are in memory (the direct path's). */
  readonly hitAt?: (key: string, limit: number, nowMillis: number) => Quota
}>() {
  static readonly memory = Layer.sync(RateLimiter, () => {
    const windows = new Map<string, { start: number; count: number }>()
    const hitAt = (key: string, limit: number, ms: number): Quota => {
      const start = ms - (ms % WINDOW_MS)
      const current = windows.get(key)
      const window = current && current.start === start ? current : { start, count: 0 }
      window.count += 1
      windows.set(key, window)
      if (windows.size > 10_000) {
        for (const [k, w] of windows) if (w.start !== start) windows.delete(k)
      }
      return {
        limit,
        remaining: limit - window.count,
        resetSeconds: Math.max(1, Math.ceil((start + WINDOW_MS - ms) / 1000))
      }
    }
    return {
      hit: (key, limit) => Effect.map(DateTime.now, (now) => hitAt(key, limit, DateTime.toEpochMillis(now))),
      hitAt
    }
  })

  /** Counts in the database, so several servers behind a load balancer share one limit per account. */
  static readonly database = Layer.effect(
    RateLimiter,
    Effect.map(RateLimitsRepo, (repo) => ({
      hit: (key: string, limit: number) =>
        Effect.gen(function*() {
          const ms = DateTime.toEpochMillis(yield* DateTime.now)
          const start = ms - (ms % WINDOW_MS)
          const count = yield* repo.increment(key, DateTime.toDate(DateTime.unsafeMake(start)))
          if (count === 1) yield* repo.forgetBefore(key, DateTime.toDate(DateTime.unsafeMake(start)))
          return {
            limit,
            remaining: limit - count,
            resetSeconds: Math.max(1, Math.ceil((start + WINDOW_MS - ms) / 1000))
          }
        })
    }))
  ).pipe(Layer.provide(RateLimitsRepo.Default))

  /** No limits (self-hosters who do not want them). */
  static readonly unlimited = Layer.succeed(RateLimiter, {
    hit: (_key, limit) => Effect.succeed({ limit, remaining: limit, resetSeconds: 60 }),
    hitAt: (_key, limit) => ({ limit, remaining: limit, resetSeconds: 60 })
  })
}
