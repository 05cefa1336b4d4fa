import { Context, DateTime, Effect, Layer } from "effect"
import type { Quota } from "../RateLimit.js"

const WINDOW_MS = 60_000

/** Counts requests per key in fixed one-minute windows. A port: one node counts in memory. */
export class RateLimiter extends Context.Tag("@clockme/domain/RateLimiter")<RateLimiter, {
  /** Counts one request and says what is left; `remaining < 0` means over the limit. */
  readonly hit: (key: string, limit: number) => Effect.Effect<Quota>
}>() {
  static readonly memory = Layer.sync(RateLimiter, () => {
    const windows = new Map<string, { start: number; count: number }>()
    return {
      hit: (key, limit) =>
        Effect.map(DateTime.now, (now) => {
          const ms = DateTime.toEpochMillis(now)
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
        })
    }
  })

  /** No limits (self-hosters who do not want them). */
  static readonly unlimited = Layer.succeed(RateLimiter, {
    hit: (_key, limit) => Effect.succeed({ limit, remaining: limit, resetSeconds: 60 })
  })
}
