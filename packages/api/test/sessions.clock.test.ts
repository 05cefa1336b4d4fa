import { IdleWatchdog } from "@clockme/domain/services/IdleWatchdog"
import { SqlClient } from "@effect/sql"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, TestClock } from "effect"
import { baseUrl, call, signUp, TestServer, TestServerManualSweep } from "./lib/TestServer.js"

const T0 = Date.parse("2026-06-01T09:00:00.000Z")
const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString()

/** The real server built inside the test, so every request and the watchdog read the TestClock. */
const startServer = (server: typeof TestServer) => Effect.gen(function*() {
  yield* TestClock.setTime(T0)
  const context = yield* Layer.build(server)
  const base = yield* Effect.provide(baseUrl, context)
  const { key, user } = yield* Effect.provide(signUp(), context)
  const sweep = Effect.provide(Effect.flatMap(IdleWatchdog, (w) => w.sweep), context)
  const sql = Effect.provide(SqlClient.SqlClient, context)
  const post = (path: string, body?: unknown, headers?: Record<string, string>) =>
    call(base, "POST", path, { key, body, ...(headers ? { headers } : {}) })
  const get = (path: string) => call(base, "GET", path, { key })
  return { base, key, user, sweep, sql, post, get, context }
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

describe("agent sessions driven by TestClock through the HTTP app", () => {
  it.scoped("heartbeats every 5 minutes for an hour, then silence: one entry of 60 minutes ending at the last heartbeat", () =>
    Effect.gen(function*() {
      const s = yield* withServer
      expect((yield* s.post("/api/timer/start", sessionStart("repo-one"))).status).toBe(200)
      for (let minute = 5; minute <= 60; minute += 5) {
        yield* TestClock.adjust("5 minutes")
        const beat = yield* s.post("/api/timer/heartbeat", {})
        expect(beat.status).toBe(200)
        expect(beat.body.touched).toHaveLength(1)
      }
      yield* TestClock.adjust("31 minutes")
      yield* s.sweep
      const entries = yield* entriesOf(s.get)
      expect(entries).toHaveLength(1)
      expect(entries[0]).toMatchObject({
        startTime: at(0),
        endTime: at(60),
        durationSeconds: 3600,
        stopReason: "idle",
        source: "hook",
        heartbeats: 12,
        firstActivityAt: at(0),
        lastActivityAt: at(60)
      })
      expect((yield* s.get("/api/timer/current")).body.timers).toEqual([])
    }))

  it.scoped("two parallel sessions in two repositories yield two entries", () =>
    Effect.gen(function*() {
      const s = yield* withServer
      yield* s.post("/api/timer/start", sessionStart("repo-a", "session-a"))
      yield* TestClock.adjust("10 minutes")
      yield* s.post("/api/timer/start", sessionStart("repo-b", "session-b"))
      for (let i = 0; i < 4; i++) {
        yield* TestClock.adjust("5 minutes")
        yield* s.post("/api/timer/heartbeat", {})
      }
      const end = yield* s.post("/api/timer/stop", { projectName: "repo-a", sessionId: "session-a" })
      expect(end.status).toBe(200)
      expect(end.body).toMatchObject({ durationSeconds: 30 * 60, stopReason: "session_end", sessions: 1 })
      yield* TestClock.adjust("40 minutes")
      yield* s.sweep
      const entries = yield* entriesOf(s.get)
      expect(entries.map((e) => [e.durationSeconds, e.stopReason]).sort()).toEqual([[1200, "idle"], [1800, "session_end"]])
    }))

  it.scoped("a crash with no SessionEnd ends the entry at the last heartbeat, once, however often the watchdog runs", () =>
    Effect.gen(function*() {
      const s = yield* withServer
      yield* s.post("/api/timer/start", sessionStart("crashy"))
      yield* TestClock.adjust("7 minutes")
      yield* s.post("/api/timer/heartbeat", { projectName: "crashy" })
      yield* TestClock.adjust("3 hours")
      const swept = yield* Effect.all([s.sweep, s.sweep, s.sweep], { concurrency: "unbounded" })
      expect(swept.reduce((a, b) => a + b, 0)).toBe(1)
      yield* s.sweep
      const entries = yield* entriesOf(s.get)
      expect(entries).toHaveLength(1)
      expect(entries[0]).toMatchObject({ endTime: at(7), durationSeconds: 420, stopReason: "idle" })
    }))

  it.scoped("a heartbeat with autoStart after the watchdog stopped the timer starts a new one", () =>
    Effect.gen(function*() {
      const s = yield* withServer
      yield* s.post("/api/timer/start", sessionStart("comeback"))
      yield* TestClock.adjust("45 minutes")
      yield* s.sweep
      expect((yield* s.get("/api/timer/current")).body.timers).toEqual([])
      const plain = yield* s.post("/api/timer/heartbeat", {})
      expect(plain.body).toEqual({ touched: [], started: null, extended: null, at: at(45) })
      const beat = yield* s.post("/api/timer/heartbeat", { projectName: "comeback", autoStart: true, sessionId: "s1" })
      expect(beat.status).toBe(200)
      expect(beat.body.started).toMatchObject({ projectName: "comeback", source: "hook", state: "running", startedAt: at(45) })
      expect((yield* s.get("/api/timer/current")).body.timers).toHaveLength(1)
    }))

  it.scoped("timers started by a person through the API are never auto-stopped", () =>
    Effect.gen(function*() {
      const s = yield* withServer
      yield* s.post("/api/timer/start", { projectName: "by-hand", autoCreate: true })
      yield* TestClock.adjust("5 hours")
      expect(yield* s.sweep).toBe(0)
      const current = (yield* s.get("/api/timer/current")).body.timers
      expect(current).toHaveLength(1)
      expect(current[0]).toMatchObject({ source: "api", elapsedSeconds: 5 * 3600 })
    }))

  it.scoped("the workspace's idle timeout applies (5 minutes)", () =>
    Effect.gen(function*() {
      const s = yield* withServer
      const sql = yield* s.sql
      yield* sql`UPDATE workspaces SET idle_timeout_minutes = 5 WHERE id = ${s.user.activeWorkspaceId}`
      yield* s.post("/api/timer/start", { ...sessionStart("quick"), source: "mcp" })
      yield* TestClock.adjust("4 minutes")
      expect(yield* s.sweep).toBe(0)
      yield* TestClock.adjust("2 minutes")
      expect(yield* s.sweep).toBe(1)
      const entries = yield* entriesOf(s.get)
      expect(entries[0]).toMatchObject({ durationSeconds: 0, endTime: at(0), source: "mcp" })
    }))

  it.scoped("the watchdog runs by itself on its schedule, starting at startup", () =>
    Effect.gen(function*() {
      const s = yield* withScheduledWatchdog
      yield* s.post("/api/timer/start", sessionStart("scheduled"))
      yield* TestClock.adjust("10 minutes")
      yield* s.post("/api/timer/heartbeat", {})
      let entries: Array<any> = []
      for (let i = 0; i < 40 && entries.length === 0; i++) {
        yield* TestClock.adjust("1 minute")
        entries = yield* entriesOf(s.get)
      }
      expect(entries).toHaveLength(1)
      expect(entries[0]).toMatchObject({ endTime: at(10), stopReason: "idle" })
    }))
})

describe("pause, resume, sessions, moves and retries", () => {
  it.scoped("paused time never counts; the entry records the pauses", () =>
    Effect.gen(function*() {
      const s = yield* withServer
      yield* s.post("/api/timer/start", { projectName: "pausing", autoCreate: true })
      yield* TestClock.adjust("10 minutes")
      const paused = yield* s.post("/api/timer/pause")
      expect(paused.status).toBe(200)
      expect(paused.body).toMatchObject({ state: "paused", elapsedSeconds: 600 })
      yield* TestClock.adjust("30 minutes")
      expect((yield* s.get("/api/timer/current")).body.timers[0]).toMatchObject({ state: "paused", elapsedSeconds: 600 })
      expect((yield* s.post("/api/timer/pause")).body.code).toBe("timer_not_running")
      const resumed = yield* s.post("/api/timer/resume", { projectName: "pausing" })
      expect(resumed.body).toMatchObject({ state: "running", elapsedSeconds: 600 })
      yield* TestClock.adjust("5 minutes")
      const entry = yield* s.post("/api/timer/stop")
      expect(entry.body).toMatchObject({ durationSeconds: 900, pausedSeconds: 1800, pauses: 1, startTime: at(0), endTime: at(45) })
    }))

  it.scoped("pause and resume with several timers need a project, else 409 lists them", () =>
    Effect.gen(function*() {
      const s = yield* withServer
      yield* s.post("/api/timer/start", { projectName: "one", autoCreate: true })
      yield* s.post("/api/timer/start", { projectName: "two", autoCreate: true })
      const ambiguous = yield* s.post("/api/timer/pause")
      expect(ambiguous.status).toBe(409)
      expect(ambiguous.body.timers.map((t: any) => t.projectName).sort()).toEqual(["one", "two"])
      expect((yield* s.post("/api/timer/pause", { projectName: "two" })).body.state).toBe("paused")
      expect((yield* s.post("/api/timer/resume")).body.projectName).toBe("two")
      expect((yield* s.post("/api/timer/resume")).status).toBe(404)
      expect((yield* s.post("/api/timer/pause", { projectName: "nothing-like-it" })).status).toBe(404)
    }))

  it.scoped("a timer shared by two sessions runs until the last one ends", () =>
    Effect.gen(function*() {
      const s = yield* withServer
      const first = yield* s.post("/api/timer/start", sessionStart("shared", "A"))
      yield* TestClock.adjust("10 minutes")
      const second = yield* s.post("/api/timer/start", sessionStart("shared", "B"))
      expect(second.body).toMatchObject({ id: first.body.id, alreadyRunning: true })
      yield* TestClock.adjust("10 minutes")
      const endA = yield* s.post("/api/timer/stop", { projectName: "shared", sessionId: "A" })
      expect(endA.status).toBe(202)
      expect(endA.body).toMatchObject({ stopped: false, activeSessions: 1 })
      yield* TestClock.adjust("10 minutes")
      const endB = yield* s.post("/api/timer/stop", { projectName: "shared", sessionId: "B" })
      expect(endB.status).toBe(200)
      expect(endB.body).toMatchObject({ durationSeconds: 1800, sessions: 2, stopReason: "session_end" })
    }))

  it.scoped("a stop without sessionId stops a shared timer at once, as in the public docs", () =>
    Effect.gen(function*() {
      const s = yield* withServer
      yield* s.post("/api/timer/start", sessionStart("docs", "A"))
      yield* s.post("/api/timer/start", sessionStart("docs", "B"))
      yield* TestClock.adjust("3 minutes")
      const stop = yield* s.post("/api/timer/stop", { projectName: "docs" })
      expect(stop.status).toBe(200)
      expect(stop.body).toMatchObject({ durationSeconds: 180, stopReason: "manual" })
    }))

  it.scoped("PATCH /api/timer edits, moves, refuses a move onto a running project, and splits", () =>
    Effect.gen(function*() {
      const s = yield* withServer
      const a = yield* s.post("/api/timer/start", { projectName: "alpha", autoCreate: true })
      const b = yield* s.post("/api/timer/start", { projectName: "beta", autoCreate: true })
      const gamma = yield* s.post("/api/projects", { name: "gamma" })
      const patch = (body: unknown) => call(s.base, "PATCH", "/api/timer", { key: s.key, body })
      const edited = yield* patch({ currentProjectId: a.body.projectId, description: "refactor" })
      expect(edited.body).toMatchObject({ description: "refactor", projectName: "alpha" })
      const refused = yield* patch({ currentProjectId: a.body.projectId, projectId: b.body.projectId })
      expect(refused.status).toBe(409)
      expect(refused.body.code).toBe("timer_exists")
      yield* TestClock.adjust("20 minutes")
      const moved = yield* patch({ currentProjectId: a.body.projectId, projectId: gamma.body.id })
      expect(moved.body).toMatchObject({ id: a.body.id, projectName: "gamma", elapsedSeconds: 1200 })
      const split = yield* patch({ currentProjectId: b.body.projectId, projectId: a.body.projectId, split: true })
      expect(split.body).toMatchObject({ projectName: "alpha", elapsedSeconds: 0 })
      const entries = yield* entriesOf(s.get)
      expect(entries).toHaveLength(1)
      expect(entries[0]).toMatchObject({ projectId: b.body.projectId, stopReason: "replaced", durationSeconds: 1200 })
      const missing = yield* patch({ currentProjectId: b.body.projectId, description: "x" })
      expect(missing.status).toBe(404)
      const bad = yield* patch({ projectId: b.body.projectId })
      expect(bad.status).toBe(400)
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

  it.scoped("Idempotency-Keys are forgotten after a day by the watchdog's sweep", () =>
    Effect.gen(function*() {
      const s = yield* withServer
      const first = yield* s.post("/api/timer/start", { projectName: "daily", autoCreate: true }, { "idempotency-key": "k" })
      yield* s.post("/api/timer/stop")
      yield* TestClock.adjust("23 hours")
      yield* s.sweep
      const replay = yield* s.post("/api/timer/start", { projectName: "daily" }, { "idempotency-key": "k" })
      expect(replay.body.id).toBe(first.body.id)
      expect((yield* s.get("/api/timer/current")).body.timers).toEqual([])
      yield* TestClock.adjust("2 hours")
      yield* s.sweep
      const fresh = yield* s.post("/api/timer/start", { projectName: "daily" }, { "idempotency-key": "k" })
      expect(fresh.status).toBe(200)
      expect(fresh.body.id).not.toBe(first.body.id)
      expect((yield* s.get("/api/timer/current")).body.timers).toHaveLength(1)
    }))

  it.scoped("timers count against budgets: a stop crossing 80% emits one event; a spent hard cap refuses new timers", () =>
    Effect.gen(function*() {
      const s = yield* withServer
      const sql = yield* s.sql
      const project = (yield* s.post("/api/projects", { name: "capped", budgetHours: 1, budgetHardCap: true })).body
      yield* s.post("/api/timer/start", { projectId: project.id, source: "hook" })
      yield* TestClock.adjust("50 minutes")
      expect((yield* s.post("/api/timer/stop")).body.durationSeconds).toBe(3000)
      const events = yield* sql<{ type: string }>`SELECT type FROM outbox WHERE payload->>'projectId' = ${project.id}`
      expect(events.map((e) => e.type)).toEqual(["BudgetThresholdCrossed"])
      yield* s.post("/api/timer/start", { projectId: project.id, source: "hook" })
      yield* TestClock.adjust("20 minutes")
      yield* s.post("/api/timer/heartbeat", {})
      yield* TestClock.adjust("1 hour")
      expect(yield* s.sweep).toBe(1)
      const budget = yield* s.get(`/api/projects/${project.id}/budget`)
      expect(budget.body).toMatchObject({ status: "over", exhausted: true })
      expect(budget.body.alerts.map((a: any) => a.threshold)).toEqual([100, 80])
      const refused = yield* s.post("/api/timer/start", { projectId: project.id })
      expect(refused.status).toBe(422)
      expect(refused.body.code).toBe("budget_exhausted")
      const beat = yield* s.post("/api/timer/heartbeat", { projectName: "capped", autoStart: true })
      expect(beat.status).toBe(422)
      expect((yield* s.get("/api/timer/current")).body.timers).toEqual([])
    }))

  it.scoped("a member removed from a shared workspace has their timers there stopped and recorded", () =>
    Effect.gen(function*() {
      const s = yield* withServer
      const member = yield* Effect.provide(signUp(), s.context)
      const ws = (yield* s.post("/api/workspaces", { name: "Agency" })).body.id
      const code = (yield* s.post(`/api/workspaces/${ws}/invites`, {})).body.code
      yield* call(s.base, "POST", "/api/workspaces/join", { key: member.key, body: { code } })
      yield* call(s.base, "POST", `/api/workspaces/${ws}/activate`, { key: member.key })
      yield* s.post(`/api/workspaces/${ws}/activate`)
      yield* call(s.base, "POST", "/api/timer/start", { key: member.key, body: { projectName: "client", autoCreate: true } })
      yield* TestClock.adjust("25 minutes")
      const removed = yield* call(s.base, "DELETE", `/api/workspaces/${ws}/members/${member.user.id}`, { key: s.key })
      expect(removed.status).toBe(204)
      expect((yield* call(s.base, "GET", "/api/timer/current", { key: member.key })).body.timers).toEqual([])
      const history = (yield* s.get("/api/entries?scope=workspace")).body.entries
      expect(history).toHaveLength(1)
      expect(history[0]).toMatchObject({ userId: member.user.id, durationSeconds: 1500, stopReason: "manual" })
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

  it.scoped("heartbeat input is validated and named timers must exist", () =>
    Effect.gen(function*() {
      const s = yield* withServer
      expect((yield* s.post("/api/timer/heartbeat", { autoStart: "yes" })).status).toBe(400)
      const none = yield* s.post("/api/timer/heartbeat", { projectName: "ghost" })
      expect(none.status).toBe(404)
      yield* s.post("/api/projects", { name: "exists" })
      const idle = yield* s.post("/api/timer/heartbeat", { projectName: "exists" })
      expect(idle.status).toBe(404)
      expect(idle.body.message).toContain("autoStart")
      const readKey = (yield* s.post("/api/keys", { scope: "read", label: "ro" })).body.secret
      for (const path of ["/api/timer/heartbeat", "/api/timer/pause", "/api/timer/resume", "/api/timer/stop"]) {
        const denied = yield* call(s.base, "POST", path, { key: readKey, body: {} })
        expect(denied.status).toBe(403)
        expect(denied.body).toMatchObject({ code: "insufficient_scope", required: "write" })
      }
    }))
})
