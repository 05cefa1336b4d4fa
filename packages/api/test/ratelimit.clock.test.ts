import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, TestClock } from "effect"
import { baseUrl, call, signUp, TestServerManualSweep } from "./lib/TestServer.js"

describe("rate limits per account by plan", () => {
  it.scoped("a free account gets 60 requests a minute, then 429 with Retry-After, and a new minute resets it", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(Date.parse("2026-06-01T09:00:10.000Z"))
      const context = yield* Layer.build(TestServerManualSweep)
      const base = yield* Effect.provide(baseUrl, context)
      const free = yield* Effect.provide(signUp({ plan: "free" }), context)
      const team = yield* Effect.provide(signUp({ plan: "team" }), context)

      const first = yield* call(base, "GET", "/api/projects", { key: free.key })
      expect(first.headers.get("ratelimit-limit")).toBe("60")
      expect(first.headers.get("x-ratelimit-remaining")).toBe("59")
      expect(first.headers.get("ratelimit-reset")).toBe("50")
      for (let i = 2; i <= 60; i++) {
        const reply = yield* call(base, "GET", "/api/timer/current", { key: free.key })
        expect(reply.status).toBe(200)
      }
      const limited = yield* call(base, "POST", "/api/timer/start", { key: free.key, body: { projectName: "x", autoCreate: true } })
      expect(limited.status).toBe(429)
      expect(limited.body).toMatchObject({ code: "rate_limited", limit: 60, retryAfterSeconds: 50 })
      expect(limited.headers.get("retry-after")).toBe("50")
      expect(limited.headers.get("x-ratelimit-remaining")).toBe("0")
      const projects = yield* call(base, "GET", "/api/projects", { key: team.key })
      expect(projects.status).toBe(200)
      expect(projects.headers.get("ratelimit-limit")).toBe("1000")

      yield* TestClock.adjust("50 seconds")
      const again = yield* call(base, "GET", "/api/projects", { key: free.key })
      expect(again.status).toBe(200)
      expect(again.body).toEqual([])
      expect(again.headers.get("ratelimit-remaining")).toBe("59")
    }))
})
