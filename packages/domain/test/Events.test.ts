import { SqlClient } from "@effect/sql"
import { describe, expect, it } from "@effect/vitest"
import { randomBytes } from "node:crypto"
import { DateTime, Deferred, Effect, Exit, Fiber, Layer, Redacted } from "effect"
import { ProjectCreated } from "../src/contract/Events.js"
import type { UserId, WorkspaceId } from "../src/contract/Ids.js"
import { Project } from "../src/contract/Project.js"
import { EventsRepo } from "../src/repos/EventsRepo.js"
import { Events } from "../src/services/Events.js"
import { MigrationsLive, postgresLayer } from "../src/sql/Database.js"
import { adminQuery, MigratedTestDatabase } from "./lib/TestDatabase.js"

const TestLayer = Layer.mergeAll(Events.Default, EventsRepo.Default).pipe(Layer.provideMerge(MigratedTestDatabase))

const at = DateTime.unsafeMake("2026-06-01T09:00:00Z")

const projectCreated = (workspaceId: WorkspaceId, userId: UserId, name: string) =>
  new ProjectCreated({
    occurredAt: at,
    workspaceId,
    userId,
    project: new Project({
      id: crypto.randomUUID() as Project["id"],
      workspaceId,
      name,
      color: null,
      hourlyRate: null,
      budgetHours: null,
      budgetAmount: null,
      budgetPeriod: "none",
      budgetHardCap: false,
      billable: true,
      archived: false,
      createdAt: at,
      updatedAt: at
    })
  })

const workspace = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const [row] = yield* sql<{ id: WorkspaceId }>`INSERT INTO workspaces (name, kind) VALUES ('w', 'shared') RETURNING id`
  return row!.id
}).pipe(Effect.orDie)

const start = { xid: "0", seq: 0 }

describe("Events", () => {
  it.layer(TestLayer)((it) => {
    it.effect("publish writes the encoded event in the caller's transaction; a rollback leaves nothing", () =>
      Effect.gen(function*() {
        const sql = yield* SqlClient.SqlClient
        const events = yield* Events
        const repo = yield* EventsRepo
        const workspaceId = yield* workspace
        const userId = crypto.randomUUID() as UserId
        const kept = projectCreated(workspaceId, userId, "kept")
        yield* events.publish(kept).pipe(sql.withTransaction)
        const failed = yield* events.publish(projectCreated(workspaceId, userId, "lost")).pipe(
          Effect.zipRight(Effect.fail("refused" as const)),
          sql.withTransaction,
          Effect.exit
        )
        expect(Exit.isFailure(failed)).toBe(true)
        const page = yield* repo.page({ workspaceId, after: start, types: undefined, onlyOwn: undefined, limit: 10 })
        expect(page.map((row) => row.event)).toEqual([kept])
        const [row] = yield* sql<{ type: string; version: number; userId: string }>`
          SELECT type, version, user_id FROM outbox WHERE id = ${kept.id}`
        expect(row).toEqual({ type: "ProjectCreated", version: 1, userId })
      }))

    it.effect("publish outside a transaction is a defect", () =>
      Effect.gen(function*() {
        const events = yield* Events
        const workspaceId = yield* workspace
        const exit = yield* Effect.exit(events.publish(projectCreated(workspaceId, crypto.randomUUID() as UserId, "x")))
        expect(Exit.isFailure(exit) && exit.cause._tag === "Die").toBe(true)
      }))
  })
})

/** Two "server processes" on one PostgreSQL database: two pools, each with its own Events service. */
const twoNodes = Effect.gen(function*() {
  const serverUrl = process.env.DATABASE_URL!
  const name = `clockme_test_${randomBytes(6).toString("hex")}`
  yield* Effect.acquireRelease(
    adminQuery(serverUrl, `CREATE DATABASE "${name}"`),
    () => Effect.ignore(adminQuery(serverUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`))
  )
  const url = new URL(serverUrl)
  url.pathname = `/${name}`
  const database = () => postgresLayer(Redacted.make(url.toString()))
  const services = Layer.mergeAll(Events.Default, EventsRepo.Default)
  const a = yield* Layer.build(services.pipe(Layer.provideMerge(MigrationsLive.pipe(Layer.provideMerge(database())))))
  const b = yield* Layer.build(Layer.fresh(services).pipe(Layer.provideMerge(Layer.fresh(database()))))
  return [a, b] as const
})

/** Other databases' transactions on the same server hold visibility back for as long as they run. */
const settledPage = <A>(read: Effect.Effect<ReadonlyArray<A>>, count: number) =>
  Effect.gen(function*() {
    for (let attempt = 0; attempt < 500; attempt++) {
      const rows = yield* read
      if (rows.length >= count) return rows
      yield* Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 10)))
    }
    return yield* read
  })

// Two sessions committing out of order need a server; PGlite serves one connection at a time.
if (process.env.DATABASE_URL) {
  describe("Events on PostgreSQL", () => {
  it.scoped(
    "an event whose transaction commits late is never skipped by a reader paging with a cursor",
    () =>
      Effect.gen(function*() {
        const [a, b] = yield* twoNodes
        const workspaceId = yield* Effect.provide(workspace, a)
        const userId = crypto.randomUUID() as UserId
        const read = (after: { readonly xid: string; readonly seq: number }) =>
          Effect.provide(
            Effect.flatMap(EventsRepo, (repo) => repo.page({ workspaceId, after, types: undefined, onlyOwn: undefined, limit: 10 })),
            b
          )
        const publishIn = (context: typeof a, event: ProjectCreated, hold?: { written: Deferred.Deferred<void>; release: Deferred.Deferred<void> }) =>
          Effect.gen(function*() {
            const sql = yield* SqlClient.SqlClient
            const events = yield* Events
            yield* Effect.gen(function*() {
              yield* events.publish(event)
              if (hold) {
                yield* Deferred.succeed(hold.written, undefined)
                yield* Deferred.await(hold.release)
              }
            }).pipe(sql.withTransaction, Effect.orDie)
          }).pipe(Effect.provide(context))

        // the first writer takes the lower seq and the lower transaction id, and commits last
        const hold = { written: yield* Deferred.make<void>(), release: yield* Deferred.make<void>() }
        const late = projectCreated(workspaceId, userId, "late")
        const slow = yield* Effect.fork(publishIn(a, late, hold))
        yield* Deferred.await(hold.written)
        const early = projectCreated(workspaceId, userId, "early")
        yield* publishIn(b, early)
        expect(yield* read(start)).toEqual([])
        yield* Deferred.succeed(hold.release, undefined)
        yield* Fiber.join(slow)
        const page = yield* settledPage(read(start), 2)
        expect(page.map((row) => row.event)).toEqual([late, early])

        // a transaction that got its id first but writes its event after a later one committed
        const cursor = page[1]!.position
        const firstTx = { written: yield* Deferred.make<void>(), release: yield* Deferred.make<void>() }
        const first = projectCreated(workspaceId, userId, "first")
        const slowFirst = yield* Effect.fork(
          Effect.gen(function*() {
            const sql = yield* SqlClient.SqlClient
            const events = yield* Events
            yield* Effect.gen(function*() {
              yield* sql`SELECT pg_current_xact_id()`
              yield* Deferred.succeed(firstTx.written, undefined)
              yield* Deferred.await(firstTx.release)
              yield* events.publish(first)
            }).pipe(sql.withTransaction, Effect.orDie)
          }).pipe(Effect.provide(a))
        )
        yield* Deferred.await(firstTx.written)
        const second = projectCreated(workspaceId, userId, "second")
        yield* publishIn(b, second)
        expect(yield* read(cursor)).toEqual([])
        yield* Deferred.succeed(firstTx.release, undefined)
        yield* Fiber.join(slowFirst)
        const next = yield* settledPage(read(cursor), 2)
        expect(next.map((row) => row.event)).toEqual([first, second])
        expect((yield* read(start)).map((row) => row.event)).toEqual([late, early, first, second])
      }),
    60_000
  )
})
}
