import { SqlClient } from "@effect/sql"
import { describe, expect, it } from "@effect/vitest"
import { DateTime, Effect, Exit, Layer } from "effect"
import { ProjectCreated } from "../src/contract/Events.js"
import type { UserId, WorkspaceId } from "../src/contract/Ids.js"
import { Project } from "../src/contract/Project.js"
import { EventsRepo } from "../src/repos/EventsRepo.js"
import { Events } from "../src/services/Events.js"
import { MigratedTestDatabase } from "./lib/TestDatabase.js"

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
