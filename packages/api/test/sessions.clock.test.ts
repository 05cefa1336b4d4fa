import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, TestClock } from "effect"
import { baseUrl, call, signUp, TestServer, TestServerManualSweep } from "./lib/TestServer.js"

// The rules behind these endpoints (pause maths, sessions, the idle watchdog, moves, budgets) are tested
// as services in packages/domain/test; here the HTTP contract: statuses, bodies, headers and wiring.

const T0 = Date.parse("2026-06-01T09:00:00.000Z")
const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString()

/** The real server built inside the test, so every request and the watchdog read the TestClock. */
const startServer = (server: typeof TestServer) => Effect.gen(function*() {
  yield* TestClock.setTime(T0)
  const context = yield* Layer.build(server)
  const base = yield* Effect.provide(baseUrl, context)
  const { key, user } = yield* Effect.provide(signUp(), context)
  const post = (path: string, body?: unknown, headers?: Record<string, string>) =>
    call(base, "POST", path, { key, body, ...(headers ? { headers } : {}) })
  const get = (path: string) => call(base, "GET", path, { key })
  return { base, key, user, post, get, context }
})
const withServer = startServer(TestServerManualSweep)
const withScheduledWatchdog = startServer(TestServer)

const sessionStart = (project: string, sessionId?: string) => ({
  projectName: project,
  autoCreate: true,
  source: "hook",
  description: "Claude Code session",
  ...(sessionId ? { sessionId } : {})
})

const entriesOf = (get: (path: string) => Effect.Effect<{ body: any }>) =>
  Effect.map(get("/api/entries?limit=100"), (reply) => reply.body.entries as Array<any>)

describe("agent sessions through the HTTP app", () => {
  it.scoped("the server runs the watchdog by itself on its schedule, starting at startup", () =>
    Effect.gen(function*() {
      const s = yield* withScheduledWatchdog
      yield* s.post("/api/timer/start", sessionStart("scheduled"))
      yield* TestClock.adjust("10 minutes")
      const beat = yield* s.post("/api/timer/heartbeat", {})
      expect(beat.status).toBe(200)
      expect(beat.body.touched).toHaveLength(1)
      let entries: Array<any> = []
      for (let i = 0; i < 40 && entries.length === 0; i++) {
        yield* TestClock.adjust("1 minute")
        entries = yield* entriesOf(s.get)
      }
      expect(entries).toHaveLength(1)
      expect(entries[0]).toMatchObject({
        endTime: at(10),
        stopReason: "idle",
        source: "hook",
        heartbeats: 1,
        firstActivityAt: at(0),
        lastActivityAt: at(10)
      })
      expect((yield* s.get("/api/timer/current")).body.timers).toEqual([])
    }))

  it.scoped("heartbeat: touched timers, or with autoStart the started one; named timers must exist", () =>
    Effect.gen(function*() {
      const s = yield* withServer
      expect((yield* s.post("/api/timer/heartbeat", {})).body).toEqual({ touched: [], started: null, extended: null, at: at(0) })
      const beat = yield* s.post("/api/timer/heartbeat", { projectName: "comeback", autoStart: true, autoCreate: true, sessionId: "s1" })
      expect(beat.status).toBe(200)
      expect(beat.body).toMatchObject({ touched: [], started: { projectName: "comeback", source: "hook", state: "running", startedAt: at(0) } })
      expect((yield* s.post("/api/timer/heartbeat", { autoStart: "yes" })).status).toBe(400)
      const none = yield* s.post("/api/timer/heartbeat", { projectName: "ghost" })
      expect(none.status).toBe(404)
      expect(none.body.code).toBe("timer_not_running")
      const readKey = (yield* s.post("/api/keys", { scope: "read", label: "ro" })).body.secret
      for (const path of ["/api/timer/heartbeat", "/api/timer/pause", "/api/timer/resume", "/api/timer/stop"]) {
        const denied = yield* call(s.base, "POST", path, { key: readKey, body: {} })
        expect(denied.status).toBe(403)
        expect(denied.body).toMatchObject({ code: "insufficient_scope", required: "write" })
      }
    }))
})

describe("pause, resume, sessions, moves and retries over HTTP", () => {
  it.scoped("pause and resume answer the timer; a wrong or missing one is 404; several without a project is 409 listing them", () =>
    Effect.gen(function*() {
      const s = yield* withServer
      yield* s.post("/api/timer/start", { projectName: "one", autoCreate: true })
      yield* TestClock.adjust("10 minutes")
      const paused = yield* s.post("/api/timer/pause")
      expect(paused.status).toBe(200)
      expect(paused.body).toMatchObject({ state: "paused", elapsedSeconds: 600, projectName: "one" })
      expect((yield* s.post("/api/timer/pause")).body.code).toBe("timer_not_running")
      yield* TestClock.adjust("30 minutes")
      const resumed = yield* s.post("/api/timer/resume", { projectName: "one" })
      expect(resumed.body).toMatchObject({ state: "running", elapsedSeconds: 600 })
      yield* s.post("/api/timer/start", { projectName: "two", autoCreate: true })
      const ambiguous = yield* s.post("/api/timer/pause")
      expect(ambiguous.status).toBe(409)
      expect(ambiguous.body.timers.map((t: any) => t.projectName).sort()).toEqual(["one", "two"])
      expect((yield* s.post("/api/timer/pause", { projectName: "nothing-like-it" })).status).toBe(404)
      yield* TestClock.adjust("5 minutes")
      const entry = yield* s.post("/api/timer/stop", { projectName: "one" })
      expect(entry.body).toMatchObject({ durationSeconds: 900, pausedSeconds: 1800, pauses: 1, startTime: at(0), endTime: at(45) })
    }))

  it.scoped("a session's stop while another session works on the timer is a 202 saying so; the last one a 200 entry", () =>
    Effect.gen(function*() {
      const s = yield* withServer
      const first = yield* s.post("/api/timer/start", sessionStart("shared", "A"))
      const second = yield* s.post("/api/timer/start", sessionStart("shared", "B"))
      expect(second.body).toMatchObject({ id: first.body.id, alreadyRunning: true })
      yield* TestClock.adjust("10 minutes")
      const endA = yield* s.post("/api/timer/stop", { projectName: "shared", sessionId: "A" })
      expect(endA.status).toBe(202)
      expect(endA.body).toMatchObject({ stopped: false, activeSessions: 1, timer: { id: first.body.id } })
      expect(typeof endA.body.message).toBe("string")
      const endB = yield* s.post("/api/timer/stop", { projectName: "shared", sessionId: "B" })
      expect(endB.status).toBe(200)
      expect(endB.body).toMatchObject({ durationSeconds: 600, sessions: 2, stopReason: "session_end" })
    }))

  it.scoped("PATCH /api/timer edits and moves; onto a running project is 409, a missing timer 404, bad input 400", () =>
    Effect.gen(function*() {
      const s = yield* withServer
      const a = yield* s.post("/api/timer/start", { projectName: "alpha", autoCreate: true })
      const b = yield* s.post("/api/timer/start", { projectName: "beta", autoCreate: true })
      const patch = (body: unknown) => call(s.base, "PATCH", "/api/timer", { key: s.key, body })
      const edited = yield* patch({ currentProjectId: a.body.projectId, description: "refactor" })
      expect(edited.status).toBe(200)
      expect(edited.body).toMatchObject({ description: "refactor", projectName: "alpha" })
      const refused = yield* patch({ currentProjectId: a.body.projectId, projectId: b.body.projectId })
      expect(refused.status).toBe(409)
      expect(refused.body.code).toBe("timer_exists")
      yield* TestClock.adjust("20 minutes")
      const split = yield* patch({ currentProjectId: b.body.projectId, projectId: a.body.projectId, split: true })
      expect(split.status).toBe(409)
      const gamma = (yield* s.post("/api/projects", { name: "gamma" })).body
      const moved = yield* patch({ currentProjectId: b.body.projectId, projectId: gamma.id, split: true })
      expect(moved.body).toMatchObject({ projectName: "gamma", elapsedSeconds: 0 })
      expect((yield* entriesOf(s.get)).map((e) => [e.projectId, e.stopReason])).toEqual([[b.body.projectId, "replaced"]])
      const missing = yield* patch({ currentProjectId: b.body.projectId, description: "x" })
      expect(missing.status).toBe(404)
      expect((yield* patch({ projectId: b.body.projectId })).status).toBe(400)
    }))

  it.scoped("Idempotency-Key: a retried start, pause or stop returns the first response and changes nothing", () =>
    Effect.gen(function*() {
      const s = yield* withServer
      const start1 = yield* s.post("/api/timer/start", sessionStart("retry"), { "idempotency-key": "start-1" })
      const start2 = yield* s.post("/api/timer/start", sessionStart("retry"), { "idempotency-key": "start-1" })
      expect(start2.body).toEqual(start1.body)
      expect(start2.body.alreadyRunning).toBe(false)
      yield* TestClock.adjust("2 minutes")
      const stop1 = yield* s.post("/api/timer/stop", undefined, { "idempotency-key": "stop-1" })
      const stop2 = yield* s.post("/api/timer/stop", undefined, { "idempotency-key": "stop-1" })
      expect(stop1.status).toBe(200)
      expect(stop2.status).toBe(200)
      expect(stop2.body).toEqual(stop1.body)
      expect(yield* entriesOf(s.get)).toHaveLength(1)
      const log = { projectId: start1.body.projectId, startTime: at(-60), durationMinutes: 30 }
      const log1 = yield* s.post("/api/entries", log, { "idempotency-key": "log-1" })
      const log2 = yield* s.post("/api/entries", log, { "idempotency-key": "log-1" })
      expect(log1.status).toBe(201)
      expect(log2.body.id).toBe(log1.body.id)
      expect(yield* entriesOf(s.get)).toHaveLength(2)
      const reused = yield* s.post("/api/timer/pause", undefined, { "idempotency-key": "stop-1" })
      expect(reused.status).toBe(409)
      expect(reused.body.message).toContain("stop-1")
    }))

  it.scoped("timer endpoints refuse a spent hard-capped budget with 422 budget_exhausted", () =>
    Effect.gen(function*() {
      const s = yield* withServer
      const project = (yield* s.post("/api/projects", { name: "capped", budgetHours: 1, budgetHardCap: true })).body
      yield* s.post("/api/timer/start", { projectId: project.id, source: "hook" })
      yield* TestClock.adjust("1 hour")
      expect((yield* s.post("/api/timer/stop")).body.durationSeconds).toBe(3600)
      const refused = yield* s.post("/api/timer/start", { projectId: project.id })
      expect(refused.status).toBe(422)
      expect(refused.body.code).toBe("budget_exhausted")
      const beat = yield* s.post("/api/timer/heartbeat", { projectName: "capped", autoStart: true })
      expect(beat.status).toBe(422)
      expect(beat.body.code).toBe("budget_exhausted")
    }))

  it.scoped("racing stops write one entry and never fail with a 500", () =>
    Effect.gen(function*() {
      const s = yield* withServer
      yield* s.post("/api/timer/start", sessionStart("race"))
      yield* TestClock.adjust("1 minute")
      const replies = yield* Effect.all(
        Array.from({ length: 10 }, () => s.post("/api/timer/stop", { projectName: "race" })),
        { concurrency: "unbounded" }
      )
      const ok = replies.filter((r) => r.status === 200)
      expect(ok.length).toBeGreaterThanOrEqual(1)
      expect(new Set(ok.map((r) => r.body.id)).size).toBe(1)
      expect(replies.every((r) => r.status === 200 || r.body.code === "timer_not_running")).toBe(true)
      expect(yield* entriesOf(s.get)).toHaveLength(1)
    }))
})
