import { SqlClient } from "@effect/sql"
import { describe, expect, it } from "@effect/vitest"
import { randomBytes } from "node:crypto"
import { DateTime, Effect, Layer, Redacted, TestClock } from "effect"
import { Entries } from "../src/services/Entries.js"
import { IdleWatchdog } from "../src/services/IdleWatchdog.js"
import { Timers } from "../src/services/Timers.js"
import { Workspaces } from "../src/services/Workspaces.js"
import { postgresLayer } from "../src/sql/Database.js"
import { ServiceTest, signUp, WorkerDatabase } from "./lib/ServiceTest.js"
import { adminQuery, cloneUrl, createTestDatabase, templateDatabase } from "./lib/TestDatabase.js"

const T0 = Date.parse("2026-06-01T09:00:00.000Z")
const TIMERS = 60

/** Two "server processes": two independent connection pools to one database (one PGlite when embedded). */
const twoNodes = Effect.gen(function*() {
  const serverUrl = process.env.DATABASE_URL
  if (!serverUrl) {
    const context = yield* Layer.build(WorkerDatabase)
    const node = yield* Layer.build(IdleWatchdog.Default).pipe(Effect.provide(context))
    const other = yield* Layer.build(Layer.fresh(IdleWatchdog.Default)).pipe(Effect.provide(context))
    return { sql: Effect.provide(SqlClient.SqlClient, context), nodes: [node, other] }
  }
  const name = `${templateDatabase()}_${randomBytes(6).toString("hex")}`
  yield* Effect.acquireRelease(
    createTestDatabase(serverUrl, name),
    () => Effect.ignore(adminQuery(serverUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`))
  )
  const database = () => postgresLayer(Redacted.make(cloneUrl(serverUrl, name)))
  const first = yield* Layer.build(database())
  const second = yield* Layer.build(Layer.fresh(database()))
  const nodes = [
    yield* Layer.build(IdleWatchdog.Default).pipe(Effect.provide(first)),
    yield* Layer.build(Layer.fresh(IdleWatchdog.Default)).pipe(Effect.provide(second))
  ]
  return { sql: Effect.provide(SqlClient.SqlClient, first), nodes }
})

describe("IdleWatchdog across nodes", () => {
  it.scoped("two nodes sweeping at once stop every idle timer exactly once, each ending at its last activity", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(T0)
      const { nodes, sql: getSql } = yield* twoNodes
      const sql = yield* getSql
      const [workspace] = yield* sql<{ id: string }>`
        INSERT INTO workspaces (name, kind) VALUES ('w', 'personal') RETURNING id`
      for (let i = 0; i < TIMERS; i++) {
        const [user] = yield* sql<{ id: string }>`
          INSERT INTO users (email, name, active_workspace_id) VALUES (${`u${i}@example.com`}, 'u', ${workspace!.id}) RETURNING id`
        const [project] = yield* sql<{ id: string }>`
          INSERT INTO projects (workspace_id, name) VALUES (${workspace!.id}, ${`p${i}`}) RETURNING id`
        const started = new Date(T0 - (120 + i) * 60_000)
        const last = new Date(T0 - (40 + i) * 60_000)
        yield* sql`
          INSERT INTO timers (user_id, workspace_id, project_id, source, state, started_at, running_since, last_activity_at)
          VALUES (${user!.id}, ${workspace!.id}, ${project!.id}, ${i % 2 === 0 ? "hook" : "mcp"}, 'running',
                  ${started}, ${started}, ${last})`
      }
      const [a, b] = nodes.map((context) => Effect.provide(Effect.flatMap(IdleWatchdog, (w) => w.sweep), context))
      const counts = yield* Effect.all([a!, b!, a!, b!], { concurrency: "unbounded" })
      expect(counts.reduce((x, y) => x + y, 0)).toBe(TIMERS)
      const rows = yield* sql<{ timers: number; entries: number; distinctTimers: number; wrongEnd: number }>`
        SELECT (SELECT count(*) FROM timers)::int AS timers,
               (SELECT count(*) FROM entries)::int AS entries,
               (SELECT count(DISTINCT timer_id) FROM entries)::int AS distinct_timers,
               (SELECT count(*) FROM entries WHERE end_time <> last_activity_at OR duration_seconds <> 80 * 60)::int AS wrong_end`
      expect(rows[0]).toEqual({ timers: 0, entries: TIMERS, distinctTimers: TIMERS, wrongEnd: 0 })
      expect(yield* Effect.all([a!, b!])).toEqual([0, 0])
    }))
})

const at = (minutes: number) => DateTime.unsafeMake(T0 + minutes * 60_000)
const hook = (projectName: string) => ({ projectName, autoCreate: true, source: "hook" as const })

/** The clock at T0, the services these tests drive, and a new account. */
const fresh = Effect.gen(function*() {
  yield* TestClock.setTime(T0)
  return {
    timers: yield* Timers,
    entries: yield* Entries,
    workspaces: yield* Workspaces,
    watchdog: yield* IdleWatchdog,
    me: yield* signUp()
  }
})

describe("IdleWatchdog: idle hook and MCP timers", () => {
  it.effect("heartbeats every 5 minutes for an hour, then silence: one entry of 60 minutes ending at the last heartbeat", () =>
    Effect.gen(function*() {
      const { timers, entries, watchdog, me } = yield* fresh
      yield* me.run(timers.start(hook("repo-one")))
      for (let minute = 5; minute <= 60; minute += 5) {
        yield* TestClock.adjust("5 minutes")
        expect((yield* me.run(timers.heartbeat({}))).touched).toHaveLength(1)
      }
      yield* TestClock.adjust("29 minutes")
      expect(yield* watchdog.sweep).toBe(0)
      yield* TestClock.adjust("2 minutes")
      expect(yield* watchdog.sweep).toBe(1)
      const page = yield* me.run(entries.list({}))
      expect(page.entries).toHaveLength(1)
      expect(page.entries[0]).toMatchObject({
        startTime: at(0),
        endTime: at(60),
        durationSeconds: 3600,
        stopReason: "idle",
        source: "hook",
        heartbeats: 12,
        firstActivityAt: at(0),
        lastActivityAt: at(60)
      })
      expect((yield* me.run(timers.current)).timers).toEqual([])
    }).pipe(Effect.provide(ServiceTest)))

  it.effect("a crash with no SessionEnd ends the entry at the last heartbeat, once, however often the watchdog runs", () =>
    Effect.gen(function*() {
      const { timers, entries, watchdog, me } = yield* fresh
      yield* me.run(timers.start({ ...hook("crashy"), source: "mcp" }))
      yield* TestClock.adjust("7 minutes")
      yield* me.run(timers.heartbeat({ projectName: "crashy" }))
      yield* TestClock.adjust("3 hours")
      const swept = yield* Effect.all([watchdog.sweep, watchdog.sweep, watchdog.sweep], { concurrency: "unbounded" })
      expect(swept.reduce((a, b) => a + b, 0)).toBe(1)
      expect(yield* watchdog.sweep).toBe(0)
      const page = yield* me.run(entries.list({}))
      expect(page.entries.map((e) => [e.endTime, e.durationSeconds, e.stopReason, e.source])).toEqual([
        [at(7), 420, "idle", "mcp"]
      ])
    }).pipe(Effect.provide(ServiceTest)))

  it.effect("timers started by a person through the API or the web are never auto-stopped", () =>
    Effect.gen(function*() {
      const { timers, watchdog, me } = yield* fresh
      yield* me.run(timers.start({ projectName: "by-hand", autoCreate: true }))
      yield* me.run(timers.start({ projectName: "in-browser", autoCreate: true, source: "web" }))
      yield* TestClock.adjust("5 hours")
      expect(yield* watchdog.sweep).toBe(0)
      const current = (yield* me.run(timers.current)).timers
      expect(current.map((t) => [t.source, t.elapsedSeconds]).sort()).toEqual([["api", 5 * 3600], ["web", 5 * 3600]])
    }).pipe(Effect.provide(ServiceTest)))

  it.effect("the workspace's idle timeout applies (5 minutes)", () =>
    Effect.gen(function*() {
      const { timers, entries, workspaces, watchdog, me } = yield* fresh
      yield* me.run(workspaces.update(me.actor.workspaceId, { idleTimeoutMinutes: 5 }))
      yield* me.run(timers.start({ ...hook("quick"), source: "mcp" }))
      yield* TestClock.adjust("4 minutes")
      expect(yield* watchdog.sweep).toBe(0)
      yield* TestClock.adjust("2 minutes")
      expect(yield* watchdog.sweep).toBe(1)
      expect((yield* me.run(entries.list({}))).entries[0]).toMatchObject({ durationSeconds: 0, endTime: at(0), source: "mcp" })
    }).pipe(Effect.provide(ServiceTest)))

  it.effect("a heartbeat with autoStart after the watchdog stopped the timer starts a new one", () =>
    Effect.gen(function*() {
      const { timers, watchdog, me } = yield* fresh
      yield* me.run(timers.start(hook("comeback")))
      yield* TestClock.adjust("45 minutes")
      expect(yield* watchdog.sweep).toBe(1)
      expect(yield* me.run(timers.heartbeat({}))).toMatchObject({ touched: [], started: null })
      const beat = yield* me.run(timers.heartbeat({ projectName: "comeback", autoStart: true, sessionId: "s1" }))
      expect(beat.started).toMatchObject({ projectName: "comeback", source: "hook", state: "running", startedAt: at(45) })
    }).pipe(Effect.provide(ServiceTest)))

  it.effect("a timer running 12 hours is reported once (TimerRunningLong); paused stretches do not count", () =>
    Effect.gen(function*() {
      const { timers, watchdog, me } = yield* fresh
      const sql = yield* SqlClient.SqlClient
      const reported = sql<{ projectName: string; elapsed: number }>`
        SELECT payload->'timer'->>'projectName' AS project_name, (payload->'timer'->>'elapsedSeconds')::int AS elapsed
        FROM outbox WHERE type = 'TimerRunningLong' ORDER BY seq`
      yield* me.run(timers.start({ projectName: "forgotten", autoCreate: true }))
      yield* me.run(timers.start({ projectName: "paused", autoCreate: true }))
      yield* TestClock.adjust("1 hour")
      yield* me.run(timers.pause({ projectName: "paused" }))
      yield* TestClock.adjust("659 minutes")
      expect(yield* watchdog.sweep).toBe(0)
      expect(yield* reported).toEqual([])
      yield* TestClock.adjust("1 minute")
      yield* Effect.all([watchdog.sweep, watchdog.sweep], { concurrency: "unbounded" })
      expect(yield* reported).toEqual([{ projectName: "forgotten", elapsed: 12 * 3600 }])
      yield* me.run(timers.resume({ projectName: "paused" }))
      yield* TestClock.adjust("659 minutes")
      yield* watchdog.sweep
      expect(yield* reported).toHaveLength(1)
      yield* TestClock.adjust("1 minute")
      yield* watchdog.sweep
      yield* TestClock.adjust("1 hour")
      yield* watchdog.sweep
      expect(yield* reported).toEqual([
        { projectName: "forgotten", elapsed: 12 * 3600 },
        { projectName: "paused", elapsed: 12 * 3600 }
      ])
    }).pipe(Effect.provide(ServiceTest)))

  it.effect("run sweeps at once, then on its schedule", () =>
    Effect.gen(function*() {
      const { timers, entries, watchdog, me } = yield* fresh
      yield* me.run(timers.start(hook("scheduled")))
      yield* TestClock.adjust("10 minutes")
      yield* me.run(timers.heartbeat({}))
      yield* Effect.forkScoped(watchdog.run("1 minute"))
      let found: ReadonlyArray<unknown> = []
      for (let i = 0; i < 40 && found.length === 0; i++) {
        yield* TestClock.adjust("1 minute")
        found = (yield* me.run(entries.list({}))).entries
      }
      expect(found).toHaveLength(1)
      expect(found[0]).toMatchObject({ endTime: at(10), stopReason: "idle" })
    }).pipe(Effect.provide(ServiceTest), Effect.scoped))
})
