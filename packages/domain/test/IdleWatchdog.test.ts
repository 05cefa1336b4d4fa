import { SqlClient } from "@effect/sql"
import { describe, expect, it } from "@effect/vitest"
import { randomBytes } from "node:crypto"
import { Effect, Layer, Redacted, TestClock } from "effect"
import { IdleWatchdog } from "../src/services/IdleWatchdog.js"
import { MigrationsLive, postgresLayer } from "../src/sql/Database.js"
import { adminQuery, MigratedTestDatabase } from "./lib/TestDatabase.js"

const T0 = Date.parse("2026-06-01T09:00:00.000Z")
const TIMERS = 60

/** Two "server processes": two independent connection pools to one database (one PGlite when embedded). */
const twoNodes = Effect.gen(function*() {
  const serverUrl = process.env.DATABASE_URL
  if (!serverUrl) {
    const context = yield* Layer.build(MigratedTestDatabase)
    const node = yield* Layer.build(IdleWatchdog.Default).pipe(Effect.provide(context))
    const other = yield* Layer.build(Layer.fresh(IdleWatchdog.Default)).pipe(Effect.provide(context))
    return { sql: Effect.provide(SqlClient.SqlClient, context), nodes: [node, other] }
  }
  const name = `clockme_test_${randomBytes(6).toString("hex")}`
  yield* Effect.acquireRelease(
    adminQuery(serverUrl, `CREATE DATABASE "${name}"`),
    () => Effect.ignore(adminQuery(serverUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`))
  )
  const url = new URL(serverUrl)
  url.pathname = `/${name}`
  const database = () => postgresLayer(Redacted.make(url.toString()))
  const first = yield* Layer.build(MigrationsLive.pipe(Layer.provideMerge(database())))
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
