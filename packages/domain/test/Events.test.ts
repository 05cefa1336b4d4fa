import { SqlClient } from "@effect/sql"
import { describe, expect, it } from "@effect/vitest"
import { randomBytes } from "node:crypto"
import { Cause, DateTime, Deferred, Effect, Exit, Fiber, Layer, Option, Redacted, Schema } from "effect"
import { DomainEvent, ProjectCreated } from "../src/contract/Events.js"
import type { EventType } from "../src/contract/Events.js"
import type { InviteId, TaskId, UserId, WorkspaceId } from "../src/contract/Ids.js"
import { Project } from "../src/contract/Project.js"
import { EventsRepo } from "../src/repos/EventsRepo.js"
import { Events } from "../src/services/Events.js"
import { Tasks } from "../src/services/Tasks.js"
import { Timers } from "../src/services/Timers.js"
import { Invites } from "../src/services/Invites.js"
import { Members } from "../src/services/Members.js"
import { Workspaces } from "../src/services/Workspaces.js"
import { MigrationsLive, postgresLayer } from "../src/sql/Database.js"
import { ServiceTest, sharedWorkspace, signUp } from "./lib/ServiceTest.js"
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
        const page = yield* settledPage(repo.page({ workspaceId, after: start, types: undefined, onlyOwn: undefined, limit: 10 }), 1)
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

/** A workspace's events as written, in stream order (read directly: no wait for other transactions). */
const written = (workspaceId: WorkspaceId) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    sql<{ type: EventType; userId: UserId; payload: any }>`
      SELECT type, user_id, payload FROM outbox WHERE workspace_id = ${workspaceId} ORDER BY xid, seq`).pipe(Effect.orDie)

/**
 * Runs a change and returns the events it wrote to the workspace's stream. `rolledBack`: the change runs
 * inside a transaction that then fails, so the change and anything it published must vanish together.
 */
const publishedBy = <A, E, R>(workspaceId: WorkspaceId, change: Effect.Effect<A, E, R>, options: { readonly rolledBack?: boolean } = {}) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const before = (yield* written(workspaceId)).length
    const exit = options.rolledBack === true
      ? yield* change.pipe(Effect.zipRight(Effect.fail("abort" as const)), sql.withTransaction, Effect.exit)
      : yield* Effect.exit(change)
    return { exit, events: (yield* written(workspaceId)).slice(before) }
  })

const failureTag = (exit: Exit.Exit<unknown, unknown>) =>
  Exit.isFailure(exit) ? (Option.getOrUndefined(Cause.failureOption(exit.cause)) as { _tag?: string } | undefined)?._tag : undefined

const typesOf = (events: ReadonlyArray<{ readonly type: EventType }>) => events.map((event) => event.type)

describe("Events of workspace, invite, role and timer changes", () => {
  it.effect("WorkspaceCreated: a new account's personal workspace and a shared one, each once, in its transaction", () =>
    Effect.gen(function*() {
      const workspaces = yield* Workspaces
      const owner = yield* signUp()
      const personal = yield* written(owner.actor.workspaceId)
      expect(typesOf(personal)).toEqual(["WorkspaceCreated", "ApiKeyCreated"])
      expect(personal[0]).toMatchObject({
        userId: owner.actor.userId,
        payload: { _tag: "WorkspaceCreated", version: 1, workspace: { id: owner.actor.workspaceId, kind: "personal", currency: "USD" } }
      })

      const lost = yield* publishedBy(owner.actor.workspaceId, owner.run(workspaces.create({ name: "Lost" })), { rolledBack: true })
      expect(Exit.isFailure(lost.exit)).toBe(true)
      expect((yield* owner.run(workspaces.list)).map((w) => w.name)).not.toContain("Lost")
      const sql = yield* SqlClient.SqlClient
      const [orphans] = yield* sql<{ count: number }>`
        SELECT count(*)::int AS count FROM outbox WHERE type = 'WorkspaceCreated' AND payload->'workspace'->>'name' = 'Lost'`.pipe(
          Effect.orDie
        )
      expect(orphans!.count).toBe(0)

      const team = yield* owner.run(workspaces.create({ name: "Team", currency: "EUR", idleTimeoutMinutes: 45 }))
      const events = yield* written(team.id)
      expect(typesOf(events)).toEqual(["WorkspaceCreated"])
      expect(events[0]).toMatchObject({
        userId: owner.actor.userId,
        payload: {
          workspaceId: team.id,
          workspace: { id: team.id, name: "Team", kind: "shared", currency: "EUR", defaultHourlyRate: null, idleTimeoutMinutes: 45 }
        }
      })
    }).pipe(Effect.provide(ServiceTest)))

  it.effect("WorkspaceUpdated, InviteCreated, InviteRevoked, MemberRoleChanged: once per real change, none for a no-op, a refusal or a rollback", () =>
    Effect.gen(function*() {
      const invites = yield* Invites
      const members = yield* Members
      const workspaces = yield* Workspaces
      const owner = yield* signUp()
      const member = yield* signUp()
      const ws = yield* sharedWorkspace(owner, [member], { name: "Team" })
      expect(typesOf(yield* written(ws))).toEqual(["WorkspaceCreated", "InviteCreated", "MemberJoined"])
      const inTeam = owner.with({ workspaceId: ws })

      const rename = inTeam.run(workspaces.update(ws, { name: "Renamed", defaultHourlyRate: 80 }))
      expect((yield* publishedBy(ws, rename, { rolledBack: true })).events).toEqual([])
      expect((yield* inTeam.run(workspaces.get(ws))).name).toBe("Team")
      const renamed = yield* publishedBy(ws, rename)
      expect(typesOf(renamed.events)).toEqual(["WorkspaceUpdated"])
      expect(renamed.events[0]).toMatchObject({
        userId: owner.actor.userId,
        payload: {
          workspace: { id: ws, name: "Renamed", defaultHourlyRate: 80, currency: "USD" },
          previous: { id: ws, name: "Team", defaultHourlyRate: null, currency: "USD" }
        }
      })
      expect((yield* publishedBy(ws, inTeam.run(workspaces.update(ws, { name: "Renamed" })))).events).toEqual([])
      expect((yield* publishedBy(ws, inTeam.run(workspaces.update(ws, {})))).events).toEqual([])
      // a member's refusal is the table of operations' (RequiredRole, proven by the proof's member matrix); an outsider's is the service's
      const outsider = yield* signUp()
      const refused = yield* publishedBy(ws, outsider.run(workspaces.update(ws, { name: "Mine" })))
      expect(failureTag(refused.exit)).toBe("WorkspaceNotFound")
      expect(refused.events).toEqual([])

      const invite = inTeam.run(invites.createInvite(ws, { maxUses: 3 }))
      expect((yield* publishedBy(ws, invite, { rolledBack: true })).events).toEqual([])
      const created = yield* publishedBy(ws, invite)
      expect(typesOf(created.events)).toEqual(["InviteCreated"])
      const code = Exit.isSuccess(created.exit) ? created.exit.value.code : ""
      const inviteId = created.events[0]!.payload.invite.id as InviteId
      expect(created.events[0]!.payload.invite).toMatchObject({ workspaceId: ws, maxUses: 3, uses: 0, status: "active" })
      expect(created.events[0]!.payload.invite).not.toHaveProperty("code")
      expect(JSON.stringify(created.events)).not.toContain(code)

      const revoke = inTeam.run(invites.revokeInvite(ws, inviteId))
      expect((yield* publishedBy(ws, revoke, { rolledBack: true })).events).toEqual([])
      const revoked = yield* publishedBy(ws, revoke)
      expect(typesOf(revoked.events)).toEqual(["InviteRevoked"])
      expect(revoked.events[0]).toMatchObject({ userId: owner.actor.userId, payload: { invite: { id: inviteId, status: "revoked" } } })
      expect(JSON.stringify(revoked.events)).not.toContain(code)
      expect((yield* publishedBy(ws, revoke)).events).toEqual([])

      const promote = inTeam.run(members.setRole(ws, member.actor.userId, { role: "owner" }))
      expect((yield* publishedBy(ws, promote, { rolledBack: true })).events).toEqual([])
      const promoted = yield* publishedBy(ws, promote)
      expect(typesOf(promoted.events)).toEqual(["MemberRoleChanged"])
      expect(promoted.events[0]).toMatchObject({
        userId: member.actor.userId,
        payload: { member: { userId: member.actor.userId, role: "owner" }, previousRole: "member", changedBy: owner.actor.userId }
      })
      expect((yield* publishedBy(ws, promote)).events).toEqual([])
      const demoteSelf = inTeam.run(members.setRole(ws, owner.actor.userId, { role: "member" }))
      expect(typesOf((yield* publishedBy(ws, demoteSelf)).events)).toEqual(["MemberRoleChanged"])
      const lastOwner = yield* publishedBy(ws, member.with({ workspaceId: ws }).run(members.setRole(ws, member.actor.userId, { role: "member" })))
      expect(failureTag(lastOwner.exit)).toBe("LastOwner")
      expect(lastOwner.events).toEqual([])
    }).pipe(Effect.provide(ServiceTest)))

  it.effect("TimerUpdated: an edit of a running timer's description or task, once; a no-op, a refusal, a rollback or a move publish none", () =>
    Effect.gen(function*() {
      const timers = yield* Timers
      const tasks = yield* Tasks
      const me = yield* signUp()
      const ws = me.actor.workspaceId
      const started = yield* me.run(timers.start({ projectName: "alpha", autoCreate: true, description: "draft" }))
      const other = yield* me.run(timers.start({ projectName: "beta", autoCreate: true }))
      const task = yield* me.run(tasks.create({ projectId: started.projectId, name: "Design" }))
      const foreignTask = yield* me.run(tasks.create({ projectId: other.projectId, name: "Elsewhere" }))
      const edit = me.run(timers.update({ currentProjectId: started.projectId, description: "spec", taskId: task.id }))

      expect((yield* publishedBy(ws, edit, { rolledBack: true })).events).toEqual([])
      expect((yield* me.run(timers.current)).timers.find((t) => t.id === started.id)).toMatchObject({ description: "draft", taskId: null })
      const edited = yield* publishedBy(ws, edit)
      expect(typesOf(edited.events)).toEqual(["TimerUpdated"])
      expect(edited.events[0]).toMatchObject({
        userId: me.actor.userId,
        payload: {
          timer: { id: started.id, projectId: started.projectId, description: "spec", taskId: task.id },
          previous: { id: started.id, projectId: started.projectId, description: "draft", taskId: null }
        }
      })
      expect((yield* publishedBy(ws, edit)).events).toEqual([])
      expect((yield* publishedBy(ws, me.run(timers.update({ currentProjectId: started.projectId })))).events).toEqual([])
      const refused = yield* publishedBy(
        ws,
        me.run(timers.update({ currentProjectId: started.projectId, taskId: foreignTask.id as TaskId }))
      )
      expect(failureTag(refused.exit)).toBe("TaskNotFound")
      expect(refused.events).toEqual([])
      expect(typesOf((yield* publishedBy(ws, me.run(timers.update({ currentProjectId: started.projectId, description: null })))).events))
        .toEqual(["TimerUpdated"])
      yield* me.run(timers.stop({ projectId: other.projectId }))
      const moved = yield* publishedBy(
        ws,
        me.run(timers.update({ currentProjectId: started.projectId, projectId: other.projectId, description: "moved" }))
      )
      expect(typesOf(moved.events)).toEqual(["TimerMoved"])
    }).pipe(Effect.provide(ServiceTest)))

  it.effect("TimerStopped: the stopped timer says it stopped, from running or paused; an event recorded when it still said \"running\" still reads", () =>
    Effect.gen(function*() {
      const sql = yield* SqlClient.SqlClient
      const timers = yield* Timers
      const me = yield* signUp()
      const ws = me.actor.workspaceId
      const running = yield* me.run(timers.start({ projectName: "running", autoCreate: true }))
      const paused = yield* me.run(timers.start({ projectName: "paused", autoCreate: true }))
      yield* me.run(timers.pause({ projectId: paused.projectId }))
      const stops = [running, paused].map((t) => publishedBy(ws, me.run(timers.stop({ projectId: t.projectId }))))
      for (const [timer, stop] of [[running, stops[0]!], [paused, stops[1]!]] as const) {
        const stopped = (yield* stop).events.filter((e) => e.type === "TimerStopped")
        expect(stopped.map((e) => e.payload.timer)).toMatchObject([{ id: timer.id, state: "stopped" }])
      }
      yield* sql`UPDATE outbox SET payload = jsonb_set(payload, '{timer,state}', '"running"')
                 WHERE workspace_id = ${ws} AND type = 'TimerStopped' AND payload->'timer'->>'id' = ${running.id}`
      // read as the stream and the deliveries read stored events
      const read = yield* Effect.forEach((yield* written(ws)).filter((e) => e.type === "TimerStopped"), (e) => Schema.decodeUnknown(DomainEvent)(e.payload))
      expect(read.map((event) => event._tag === "TimerStopped" && [event.timer.id, event.timer.state])).toEqual([
        [running.id, "running"],
        [paused.id, "stopped"]
      ])
    }).pipe(Effect.provide(ServiceTest)))
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

// Two sessions committing out of order need a server; PGlite serves one connection at a time, so there the
// run reports these as skipped.
describe("Events on PostgreSQL", () => {
  it.scoped.skipIf(!process.env.DATABASE_URL)(
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
