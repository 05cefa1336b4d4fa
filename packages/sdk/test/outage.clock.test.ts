import { IdleWatchdog } from "@clockme/domain/services/IdleWatchdog"
import { Timers } from "@clockme/domain/services/Timers"
import { describe, expect, it } from "@effect/vitest"
import { Clock, DateTime, Effect, Layer, TestClock } from "effect"
import type { HookActivity, Stretches } from "../src/cli/Stretches.js"
import { add, empty, plan } from "../src/cli/Stretches.js"
import { baseUrl, call, signUp, TestServerManualSweep } from "../../api/test/lib/TestServer.js"

const T0 = Date.parse("2026-06-01T09:00:00.000Z")
const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString()

/** The real server inside the test: requests, the watchdog and the client queue all read the TestClock. */
const withServer = Effect.gen(function*() {
  yield* TestClock.setTime(T0)
  const context = yield* Layer.build(TestServerManualSweep)
  const base = yield* Effect.provide(baseUrl, context)
  const { key, user } = yield* Effect.provide(signUp(), context)
  const sweep = Effect.provide(Effect.flatMap(IdleWatchdog, (w) => w.sweep), context)
  const post = (path: string, body?: unknown, headers?: Record<string, string>, as = key) =>
    call(base, "POST", path, { key: as, body, ...(headers ? { headers } : {}) })
  const get = (path: string) => call(base, "GET", path, { key })
  const entries = Effect.map(get("/api/entries?limit=100"), (reply) => reply.body.entries as Array<any>)
  const timers = Effect.map(get("/api/timer/current"), (reply) => reply.body.timers as Array<any>)
  return { base, key, user, sweep, post, get, entries, timers, context }
})
type Server = Effect.Effect.Success<typeof withServer>

let ids = 0
const hookEvent = (minutes: number, projectName: string, sessionId: string, event: HookActivity["event"] = "prompt") => ({
  id: `ev-${++ids}`,
  event,
  tool: "claude-code",
  at: at(minutes),
  projectName,
  sessionId,
  autoCreate: true,
  description: "Claude Code session"
})

/** A live prompt, as the hook sends it while the server is up. */
const prompt = (s: Server, projectName: string, sessionId: string) =>
  s.post("/api/timer/heartbeat", { projectName, sessionId, source: "hook", autoStart: true, autoCreate: true })

/** What the hook's queue sends once the server answers again, request by request. */
const flush = (s: Server, queue: Stretches) =>
  Effect.gen(function*() {
    const now = yield* Clock.currentTimeMillis
    const replies: Array<{ status: number; body: any }> = []
    for (const request of plan(queue, now)) {
      replies.push(
        request.kind === "heartbeat"
          ? yield* s.post("/api/timer/heartbeat", request.body)
          : yield* s.post("/api/timer/stop", request.body, { "idempotency-key": request.idempotencyKey })
      )
    }
    return replies
  })

const queued = (events: ReadonlyArray<HookActivity>) => events.reduce((q, e) => add(q, e), empty)

describe("no tracked time lost across outages (TestClock)", () => {
  it.scoped("45 minutes of prompts while the server is down: after the flush one entry covers the session to the last prompt", () =>
    Effect.gen(function*() {
      const s = yield* withServer
      expect((yield* prompt(s, "repo-one", "S")).body.started).toMatchObject({ startedAt: at(0) })
      const events = Array.from({ length: 15 }, (_, i) => hookEvent(3 * (i + 1), "repo-one", "S"))
      yield* TestClock.adjust("46 minutes")
      expect(yield* s.sweep).toBe(1)
      expect((yield* s.entries)[0]).toMatchObject({ endTime: at(0), stopReason: "idle" })

      const replies = yield* flush(s, queued(events))
      expect(replies).toHaveLength(1)
      expect(replies[0]!.status).toBe(200)
      expect(replies[0]!.body).toMatchObject({ at: at(45), extended: null, started: { startedAt: at(0), lastActivityAt: at(45) } })
      expect(yield* s.entries).toEqual([])
      expect((yield* s.timers)[0]).toMatchObject({ projectName: "repo-one", startedAt: at(0), elapsedSeconds: 46 * 60 })

      yield* TestClock.adjust("31 minutes")
      expect(yield* s.sweep).toBe(1)
      const entries = yield* s.entries
      expect(entries).toHaveLength(1)
      expect(entries[0]).toMatchObject({
        startTime: at(0),
        endTime: at(45),
        durationSeconds: 45 * 60,
        stopReason: "idle",
        lateHeartbeats: 15,
        heartbeats: 15,
        sessions: 1,
        lastActivityAt: at(45)
      })
    }))

  it.scoped("a flush within the restarted server's grace simply continues the running timer", () =>
    Effect.gen(function*() {
      const s = yield* withServer
      yield* prompt(s, "graceful", "S")
      const events = Array.from({ length: 15 }, (_, i) => hookEvent(3 * (i + 1), "graceful", "S"))
      yield* TestClock.adjust("46 minutes")
      const timers = yield* Effect.provide(Timers, s.context)
      expect(yield* timers.stopIdle(100, DateTime.unsafeMake(at(46)))).toEqual([])
      const [reply] = yield* flush(s, queued(events))
      expect(reply!.body.touched).toMatchObject([{ startedAt: at(0), lastActivityAt: at(45) }])
      yield* TestClock.adjust("40 minutes")
      yield* s.sweep
      expect((yield* s.entries).map((e) => [e.startTime, e.endTime, e.durationSeconds])).toEqual([[at(0), at(45), 2700]])
    }))

  it.scoped("two repositories and two sessions through the same outage: one continuous entry each", () =>
    Effect.gen(function*() {
      const s = yield* withServer
      yield* prompt(s, "alpha-service", "A")
      yield* prompt(s, "beta-web", "B")
      const events: Array<HookActivity> = []
      for (let m = 2; m <= 48; m += 2) {
        events.push(hookEvent(m, "alpha-service", "A"))
        if (m <= 40) events.push(hookEvent(m + 1, "beta-web", "B"))
      }
      yield* TestClock.adjust("50 minutes")
      expect(yield* s.sweep).toBe(2)
      const replies = yield* flush(s, queued(events))
      expect(replies.map((r) => r.status)).toEqual([200, 200])
      expect((yield* s.timers).map((t) => [t.projectName, t.startedAt, t.lastActivityAt]).sort()).toEqual([
        ["alpha-service", at(0), at(48)],
        ["beta-web", at(0), at(41)]
      ])
      yield* TestClock.adjust("2 minutes")
      const end = yield* s.post("/api/timer/stop", { projectName: "alpha-service", sessionId: "A" })
      expect(end.body).toMatchObject({ startTime: at(0), endTime: at(52), stopReason: "session_end" })
      yield* TestClock.adjust("30 minutes")
      yield* s.sweep
      const entries = (yield* s.entries).map((e) => [e.stopReason, e.startTime, e.endTime]).sort()
      expect(entries).toEqual([["idle", at(0), at(41)], ["session_end", at(0), at(52)]])
    }))

  it.scoped("a SessionEnd queued during the outage ends the entry then, whether the queue is flushed soon or late", () =>
    Effect.gen(function*() {
      const s = yield* withServer
      yield* prompt(s, "soon-end", "E")
      yield* prompt(s, "late-end", "L")
      yield* TestClock.adjust("35 minutes")
      expect(yield* s.sweep).toBe(2)
      const soon = yield* flush(s, queued([
        hookEvent(2, "soon-end", "E"),
        hookEvent(5, "soon-end", "E"),
        hookEvent(8, "soon-end", "E"),
        hookEvent(10, "soon-end", "E", "session-end")
      ]))
      expect(soon.map((r) => r.status)).toEqual([200, 200])
      expect(soon[0]!.body.started).toMatchObject({ startedAt: at(0), lastActivityAt: at(8) })
      expect(soon[1]!.body).toMatchObject({ startTime: at(0), endTime: at(10), stopReason: "session_end", durationSeconds: 600 })

      yield* TestClock.adjust("25 minutes")
      const late = yield* flush(s, queued([
        ...Array.from({ length: 6 }, (_, i) => hookEvent(3 * (i + 1), "late-end", "L")),
        hookEvent(22, "late-end", "L", "session-end")
      ]))
      expect(late.map((r) => r.status)).toEqual([200, 200])
      expect(late[0]!.body.extended).toMatchObject({ endTime: at(18), stopReason: "idle", lateHeartbeats: 6 })
      expect(late[1]!.body).toMatchObject({ startTime: at(0), endTime: at(22), stopReason: "session_end", durationSeconds: 22 * 60 })
      const entries = (yield* s.entries).map((e) => [e.startTime, e.endTime, e.stopReason]).sort()
      expect(entries).toEqual([[at(0), at(10), "session_end"], [at(0), at(22), "session_end"]])
      expect(yield* s.timers).toEqual([])
    }))

  it.scoped("late evidence too old, from the future, out of order, before the timer, or from another user is refused", () =>
    Effect.gen(function*() {
      const s = yield* withServer
      yield* TestClock.adjust("25 hours")
      const now = 25 * 60
      const expectField = (reply: { status: number; body: any }, field: string) => {
        expect([reply.status, reply.body]).toMatchObject([400, { field }])
        expect(reply.body).toMatchObject({ code: "invalid_input", field })
        expect(reply.body.message).toContain(field)
      }
      const beat = (body: Record<string, unknown>) =>
        s.post("/api/timer/heartbeat", { projectName: "bounds", sessionId: "S", autoStart: true, autoCreate: true, ...body })
      expectField(yield* beat({ at: at(now - 24 * 60 - 1) }), "at")
      expectField(yield* beat({ at: at(now + 3) }), "at")
      expectField(yield* beat({ at: at(now - 5), since: at(now - 4) }), "since")
      expectField(yield* beat({ since: at(now - 4) }), "since")
      const noOffset = yield* s.post("/api/timer/start", { projectName: "bounds", autoCreate: true, at: "2026-06-02T10:00:00" })
      expect(noOffset.status).toBe(400)
      expect(noOffset.body.field).toBe("at")
      const skewed = yield* beat({ at: at(now + 1) })
      expect(skewed.body).toMatchObject({ at: at(now), started: { startedAt: at(now) } })
      expectField(yield* s.post("/api/timer/stop", { projectName: "bounds", at: at(now - 1) }), "at")
      expectField(yield* beat({ at: at(now - 1) }), "at")
      expectField(yield* s.post("/api/timer/stop", { projectName: "bounds", at: at(now + 5) }), "at")

      yield* TestClock.adjust("40 minutes")
      yield* s.sweep
      const [entry] = yield* s.entries
      expect(entry).toMatchObject({ stopReason: "idle", endTime: at(now) })
      const other = yield* Effect.provide(signUp(), s.context)
      const foreign = yield* s.post(
        "/api/timer/heartbeat",
        { projectId: entry.projectId, sessionId: "S", at: at(now + 20), autoStart: true },
        undefined,
        other.key
      )
      expect(foreign.status).toBe(404)
      expect(foreign.body.message).toContain(entry.projectId)
      expect((yield* s.entries)[0]).toEqual(entry)
    }))

  it.scoped("entries stopped by a person or by a session end are never extended", () =>
    Effect.gen(function*() {
      const s = yield* withServer
      yield* prompt(s, "by-hand", "M")
      yield* prompt(s, "ended", "E")
      yield* TestClock.adjust("10 minutes")
      expect((yield* s.post("/api/timer/stop", { projectName: "by-hand", reason: "manual" })).body.stopReason).toBe("manual")
      expect((yield* s.post("/api/timer/stop", { projectName: "ended", sessionId: "E" })).body.stopReason).toBe("session_end")
      const before = yield* s.entries
      yield* TestClock.adjust("5 minutes")
      for (const [projectName, sessionId] of [["by-hand", "M"], ["ended", "E"]]) {
        const late = yield* s.post("/api/timer/heartbeat", { projectName, sessionId, at: at(12), since: at(11) })
        expect(late.status).toBe(404)
        expect(late.body.code).toBe("timer_not_running")
        const stop = yield* s.post("/api/timer/stop", { projectName, sessionId, at: at(13) })
        expect(stop.status).toBe(404)
      }
      expect(yield* s.entries).toEqual(before)
      const resumed = yield* s.post("/api/timer/heartbeat", { projectName: "by-hand", sessionId: "M", at: at(12), autoStart: true })
      expect(resumed.body.started).toMatchObject({ startedAt: at(12) })
      expect(yield* s.entries).toEqual(before)
      expect((yield* s.timers).map((t) => t.projectName)).toEqual(["by-hand"])
    }))

  it.scoped("late evidence after a real idle gap stops the stale timer at its last activity and starts anew", () =>
    Effect.gen(function*() {
      const s = yield* withServer
      yield* prompt(s, "gappy", "G")
      yield* TestClock.adjust("80 minutes")
      const [reply] = yield* flush(s, queued([hookEvent(40, "gappy", "G"), hookEvent(44, "gappy", "G")]))
      expect(reply!.body.started).toMatchObject({ startedAt: at(40), lastActivityAt: at(44) })
      expect((yield* s.entries).map((e) => [e.startTime, e.endTime, e.stopReason])).toEqual([[at(0), at(0), "idle"]])
    }))

  it.scoped("a restarted server's watchdog stops nothing for its first 2 minutes, then sweeps as before", () =>
    Effect.gen(function*() {
      const s = yield* withServer
      yield* prompt(s, "kept", "K")
      yield* prompt(s, "stale", "X")
      yield* TestClock.adjust("45 minutes")
      const watchdog = yield* Effect.provide(IdleWatchdog, s.context)
      yield* Effect.forkScoped(watchdog.run("1 minute"))
      let stoppedAt: number | undefined
      for (let second = 15; second <= 240 && stoppedAt === undefined; second += 15) {
        yield* TestClock.adjust("15 seconds")
        if (second === 60) {
          const [reply] = yield* flush(s, queued(Array.from({ length: 15 }, (_, i) => hookEvent(3 * (i + 1), "kept", "K"))))
          expect(reply!.body.touched).toHaveLength(1)
        }
        if ((yield* s.entries).length > 0) stoppedAt = second
      }
      expect(stoppedAt).toBeGreaterThanOrEqual(120)
      expect(stoppedAt).toBeLessThanOrEqual(195)
      expect((yield* s.entries).map((e) => [e.endTime, e.stopReason])).toEqual([[at(0), "idle"]])
      expect((yield* s.timers).map((t) => [t.projectName, t.lastActivityAt])).toEqual([["kept", at(45)]])
    }))
})
