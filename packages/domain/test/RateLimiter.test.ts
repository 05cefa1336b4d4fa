import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, TestClock } from "effect"
import { RateLimiter } from "../src/services/RateLimiter.js"
import { WorkerDatabase } from "./lib/ServiceTest.js"

describe("RateLimiter.database", () => {
  it.scoped("two servers on one database share one count per key and window; a new minute starts over", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(Date.parse("2026-06-01T09:00:45.000Z"))
      const database = yield* Layer.build(WorkerDatabase)
      const nodes = [
        yield* Layer.build(Layer.fresh(RateLimiter.database)).pipe(Effect.provide(database)),
        yield* Layer.build(Layer.fresh(RateLimiter.database)).pipe(Effect.provide(database))
      ]
      const hit = (node: number, key: string) =>
        Effect.provide(Effect.flatMap(RateLimiter, (limiter) => limiter.hit(key, 5)), nodes[node]!)
      const remaining: Array<number> = []
      for (let i = 0; i < 6; i++) remaining.push((yield* hit(i % 2, "alice")).remaining)
      expect(remaining).toEqual([4, 3, 2, 1, 0, -1])
      expect(yield* hit(0, "bob")).toEqual({ limit: 5, remaining: 4, resetSeconds: 15 })
      const racing = yield* Effect.all(Array.from({ length: 10 }, (_, i) => hit(i % 2, "carol")), { concurrency: "unbounded" })
      expect(racing.map((q) => q.remaining).sort((a, b) => a - b)).toEqual([-5, -4, -3, -2, -1, 0, 1, 2, 3, 4])
      yield* TestClock.adjust("15 seconds")
      expect((yield* hit(1, "alice")).remaining).toBe(4)
    }))
})
