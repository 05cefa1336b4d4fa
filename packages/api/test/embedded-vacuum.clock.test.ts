import { pgliteLayer } from "@clockme/domain/sql/Database"
import { SqlClient } from "@effect/sql"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Duration, Effect, Either, Layer, TestClock } from "effect"
import { vacuumPass } from "@clockme/domain/sql/Vacuum"
import { EmbeddedVacuumLive, FirstVacuumDelay, VacuumMinutes } from "../src/EmbeddedVacuum.js"

// The embedded database's own vacuum, on an in-memory PGlite whatever the run's database is (it is
// built only for the embedded database).

const visibility = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const [row] = yield* sql<{ relpages: number; relallvisible: number; vacuums: number }>`
    SELECT c.relpages, c.relallvisible, s.vacuum_count::int AS vacuums
    FROM pg_class c JOIN pg_stat_user_tables s ON s.relid = c.oid WHERE c.relname = 'work'`
  return row!
})

/** The vacuum runs on a fiber of its own: ask until it has vacuumed `count` times (each ask waits its turn on the one connection). */
const vacuumedTimes = (count: number) =>
  Effect.gen(function*() {
    for (let asked = 0; asked < 500; asked++) {
      const seen = yield* visibility
      if (seen.vacuums >= count) return seen
      yield* Effect.yieldNow()
    }
    return yield* Effect.die(new Error(`the table was not vacuumed ${count} times`))
  })

const fill = (from: number, rows: number) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    sql`INSERT INTO work (id, note) SELECT n, 'row ' || n FROM generate_series(${from}::int, ${from + rows - 1}::int) AS n`)

const withTable = Effect.flatMap(SqlClient.SqlClient, (sql) => sql`CREATE TABLE work (id int PRIMARY KEY, note text NOT NULL)`)

describe("the embedded database's vacuum", () => {
  it.scoped("a minute after the start it vacuums what autovacuum would, then again after enough writes; requests meanwhile all succeed", () =>
    Effect.gen(function*() {
      const context = yield* Layer.build(EmbeddedVacuumLive.pipe(Layer.provideMerge(pgliteLayer({}))))
      yield* Effect.gen(function*() {
        const sql = yield* SqlClient.SqlClient
        yield* withTable
        yield* fill(1, 5000)
        expect((yield* visibility).relallvisible).toBe(0)

        // requests while the vacuum holds the one connection: reads, writes and a transaction, all answered
        const requests = Effect.all(
          Array.from({ length: 30 }, (_, i) =>
            i % 3 === 0
              ? sql.withTransaction(Effect.zipRight(sql`UPDATE work SET note = 'changed' WHERE id = ${i + 1}`, sql`SELECT count(*)::int AS n FROM work`))
              : i % 3 === 1
              ? sql`SELECT count(*)::int AS n FROM work`
              : sql`INSERT INTO work (id, note) VALUES (${100_000 + i}, 'during') RETURNING id`),
          { concurrency: "unbounded" }
        ).pipe(Effect.fork)
        const running = yield* requests
        yield* TestClock.adjust(FirstVacuumDelay)
        const answers = yield* running.await.pipe(Effect.flatten)
        expect(answers).toHaveLength(30)
        const first = yield* vacuumedTimes(1)
        expect(first.relpages).toBeGreaterThan(0)
        expect(first.relallvisible).toBe(first.relpages)

        // a few changes stay under autovacuum's thresholds; a second half of the table passes them
        yield* sql`UPDATE work SET note = 'again' WHERE id <= 20`
        yield* fill(5001, 5000)
        yield* TestClock.adjust(Duration.minutes(10))
        const second = yield* vacuumedTimes(2)
        expect(second.relallvisible).toBe(second.relpages)
        expect((yield* sql<{ n: number }>`SELECT count(*)::int AS n FROM work`)[0]!.n).toBe(10_000 + 10)
      }).pipe(Effect.provide(context))
    }), { timeout: 60_000 })

  it.scoped("a pass vacuums only the tables changed past the thresholds", () =>
    Effect.gen(function*() {
      const sql = yield* SqlClient.SqlClient
      yield* withTable
      yield* fill(1, 5000)
      // the first pass also vacuums every table never vacuumed
      expect(yield* vacuumPass).toContain("work")
      expect(yield* vacuumPass).toEqual([])
      yield* sql`UPDATE work SET note = 'changed' WHERE id <= 40`
      expect(yield* vacuumPass).toEqual([])
      yield* sql`DELETE FROM work WHERE id <= 1100`
      expect(yield* vacuumPass).toEqual(["work"])
      expect(yield* vacuumPass).toEqual([])
    }).pipe(Effect.provide(pgliteLayer({}))), { timeout: 60_000 })

  it.effect("after a restart (PGlite forgets the counters) only the tables written since their last vacuum are vacuumed again", () =>
    Effect.gen(function*() {
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "clockme-vacuum-"))
      const opened = <A, E>(effect: Effect.Effect<A, E, SqlClient.SqlClient>) =>
        Effect.scoped(Effect.provide(effect, pgliteLayer({ dataDir })))
      yield* opened(Effect.gen(function*() {
        const sql = yield* SqlClient.SqlClient
        yield* withTable
        yield* fill(1, 5000)
        yield* sql`CREATE TABLE still (id int PRIMARY KEY)`
        yield* sql`INSERT INTO still SELECT n FROM generate_series(1, 5000) AS n`
        expect([...(yield* vacuumPass)].sort()).toEqual(["still", "work"])
        // under the thresholds: within this run, no vacuum for it
        yield* fill(5001, 400)
        expect(yield* vacuumPass).toEqual([])
      }))
      expect(yield* opened(vacuumPass)).toEqual(["work"])
      expect(yield* opened(vacuumPass)).toEqual([])
      fs.rmSync(dataDir, { recursive: true, force: true })
    }), { timeout: 60_000 })

  it.effect("CLOCKME_EMBEDDED_VACUUM_MINUTES: 10 by default, 0 to 1440, a wrong value named", () =>
    Effect.gen(function*() {
      const read = (value: string | undefined) =>
        Effect.either(Effect.withConfigProvider(
          VacuumMinutes,
          ConfigProvider.fromMap(new Map(value === undefined ? [] : [["CLOCKME_EMBEDDED_VACUUM_MINUTES", value]]))
        ))
      expect(yield* read(undefined)).toEqual(Either.right(10))
      expect(yield* read("0")).toEqual(Either.right(0))
      for (const wrong of ["-1", "1441", "soon"]) {
        const result = yield* read(wrong)
        expect(Either.isLeft(result)).toBe(true)
        expect(String(Either.isLeft(result) ? result.left : "")).toContain("CLOCKME_EMBEDDED_VACUUM_MINUTES")
      }
    }))
})
