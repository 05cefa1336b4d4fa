import { expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import { createProject, setNow } from "./lib/Fixtures.js"
import { baseUrl, call, signUp, TestServerManualSweep as TestServer } from "./lib/TestServer.js"

const N = 20

layer(TestServer, { timeout: 120_000 })("races over HTTP", (it) => {
  it.effect("20 parallel starts on one project: one timer, 19 answers alreadyRunning", () =>
    Effect.gen(function*() {
      yield* setNow("2026-06-10T12:00:00Z")
      const base = yield* baseUrl
      const { key } = yield* signUp()
      const project = yield* createProject(base, key, { name: "Contended" })
      const replies = yield* Effect.all(
        Array.from({ length: N }, () => call(base, "POST", "/api/timer/start", { key, body: { projectId: project.id } })),
        { concurrency: "unbounded" }
      )
      expect(replies.map((r) => r.status)).toEqual(Array(N).fill(200))
      expect(new Set(replies.map((r) => r.body.id)).size).toBe(1)
      expect(replies.filter((r) => r.body.alreadyRunning === false)).toHaveLength(1)
      expect(replies.filter((r) => r.body.alreadyRunning === true)).toHaveLength(N - 1)
      const current = yield* call(base, "GET", "/api/timer/current", { key })
      expect(current.body.timers).toHaveLength(1)
      expect(current.body.timers[0].id).toBe(replies[0]!.body.id)
    }))

  it.effect("20 parallel starts by name with autoCreate: one project, one timer", () =>
    Effect.gen(function*() {
      yield* setNow("2026-06-10T12:00:00Z")
      const base = yield* baseUrl
      const { key } = yield* signUp()
      const body = { projectName: "fresh-repo", autoCreate: true, source: "hook", description: "Claude Code session" }
      const replies = yield* Effect.all(
        Array.from({ length: N }, () => call(base, "POST", "/api/timer/start", { key, body })),
        { concurrency: "unbounded" }
      )
      expect(replies.map((r) => r.status)).toEqual(Array(N).fill(200))
      expect(new Set(replies.map((r) => r.body.projectId)).size).toBe(1)
      expect(new Set(replies.map((r) => r.body.id)).size).toBe(1)
      expect(replies.filter((r) => r.body.alreadyRunning === false)).toHaveLength(1)
      const projects = yield* call(base, "GET", "/api/projects?includeArchived=true", { key })
      expect(projects.body.map((p: any) => p.name)).toEqual(["fresh-repo"])
      const current = yield* call(base, "GET", "/api/timer/current", { key })
      expect(current.body.timers).toHaveLength(1)
    }))

  it.effect("20 parallel logs with one idempotencyKey: one entry, every answer is that entry", () =>
    Effect.gen(function*() {
      yield* setNow("2026-06-10T12:00:00Z")
      const base = yield* baseUrl
      const { key } = yield* signUp()
      const project = yield* createProject(base, key, { name: "Logged" })
      const body = { projectId: project.id, startTime: "2026-06-09T09:00:00Z", durationMinutes: 25, idempotencyKey: "retry-me" }
      const replies = yield* Effect.all(
        Array.from({ length: N }, () => call(base, "POST", "/api/entries", { key, body })),
        { concurrency: "unbounded" }
      )
      for (const reply of replies) expect(reply.status).toBeGreaterThanOrEqual(200)
      for (const reply of replies) expect(reply.status).toBeLessThan(300)
      expect(new Set(replies.map((r) => r.body.id)).size).toBe(1)
      const list = yield* call(base, "GET", "/api/entries", { key })
      expect(list.body.entries).toHaveLength(1)
      expect(list.body.entries[0]).toMatchObject({ id: replies[0]!.body.id, durationSeconds: 1500, idempotencyKey: "retry-me" })
    }))

  it.effect("20 parallel stops of one timer: one entry; the others find nothing running", () =>
    Effect.gen(function*() {
      yield* setNow("2026-06-10T12:00:00Z")
      const base = yield* baseUrl
      const { key } = yield* signUp()
      const project = yield* createProject(base, key, { name: "Stopped" })
      yield* call(base, "POST", "/api/timer/start", { key, body: { projectId: project.id } })
      const replies = yield* Effect.all(
        Array.from({ length: N }, () => call(base, "POST", "/api/timer/stop", { key, body: { projectId: project.id } })),
        { concurrency: "unbounded" }
      )
      for (const reply of replies) expect([200, 404]).toContain(reply.status)
      const stopped = replies.filter((r) => r.status === 200)
      expect(stopped.length).toBeGreaterThanOrEqual(1)
      expect(new Set(stopped.map((r) => r.body.id)).size).toBe(1)
      for (const reply of replies.filter((r) => r.status === 404)) expect(reply.body.code).toBe("timer_not_running")
      const list = yield* call(base, "GET", "/api/entries", { key })
      expect(list.body.entries).toHaveLength(1)
    }))
})
