import type { TaskId, UserId, WorkspaceId } from "@clockme/domain/contract/Ids"
import { CurrentActor } from "@clockme/domain/contract/Actor"
import { IdleWatchdog } from "@clockme/domain/services/IdleWatchdog"
import { Tasks } from "@clockme/domain/services/Tasks"
import { SqlClient } from "@effect/sql"
import { expect, layer } from "@effect/vitest"
import { Effect, TestClock } from "effect"
import { expectBadInput, keyWithScope, setNow } from "./lib/Fixtures.js"
import { baseUrl, call, signUp, TestServerManualSweep } from "./lib/TestServer.js"

interface Page {
  readonly events: ReadonlyArray<any>
  readonly nextCursor: string
}

/**
 * Waits until every transaction older than the newest event has ended: on a PostgreSQL server shared with
 * other test files their transactions hold the stream back while they run (PGlite is settled at once).
 */
const settled = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  for (let attempt = 0; attempt < 1000; attempt++) {
    const [row] = yield* sql<{ settled: boolean }>`
      SELECT NOT EXISTS (SELECT 1 FROM outbox WHERE xid >= pg_snapshot_xmin(pg_current_snapshot())) AS settled`
    if (row?.settled) return
    yield* Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 10)))
  }
}).pipe(Effect.orDie)

/** Follows the stream to its end from `after`, page by page. */
const readAll = (base: string, key: string, options: { after?: string; query?: string; headers?: Record<string, string> } = {}) =>
  Effect.gen(function*() {
    yield* settled
    const events: Array<any> = []
    let cursor = options.after
    for (;;) {
      const params = [cursor === undefined ? "" : `after=${cursor}`, options.query ?? ""].filter((p) => p !== "").join("&")
      const reply = yield* call(base, "GET", `/api/events${params === "" ? "" : `?${params}`}`, {
        key,
        ...(options.headers ? { headers: options.headers } : {})
      })
      expect(reply.status).toBe(200)
      events.push(...reply.body.events)
      cursor = reply.body.nextCursor
      if (!reply.body.hasMore) break
    }
    return { events, nextCursor: cursor! } satisfies Page
  })

const typesOf = (page: Page) => page.events.map((event) => event._tag)

const completeTask = (userId: UserId, workspaceId: WorkspaceId, taskId: string) =>
  Effect.flatMap(Tasks, (tasks) => tasks.complete(taskId as TaskId)).pipe(
    Effect.provideService(CurrentActor, { userId, workspaceId, keyId: null, scope: "write", source: "api" }),
    Effect.orDie
  )

layer(TestServerManualSweep, { timeout: 120_000 })("the domain event stream", (it) => {
  it.effect("every change appears once, in order, with its type and payload; no-ops publish nothing", () =>
    Effect.gen(function*() {
      yield* setNow("2026-06-01T09:00:00Z")
      const base = yield* baseUrl
      const { key, user } = yield* signUp()
      const ws = user.activeWorkspaceId
      const post = (path: string, body?: unknown) => call(base, "POST", path, { key, body })
      const patch = (path: string, body: unknown) => call(base, "PATCH", path, { key, body })

      const alpha = (yield* post("/api/projects", { name: "Alpha" })).body
      const beta = (yield* post("/api/projects", { name: "Beta" })).body
      const task = (yield* post("/api/tasks", { projectId: alpha.id, name: "Design" })).body
      expect((yield* post("/api/timer/start", { projectId: alpha.id })).status).toBe(200)
      expect((yield* post("/api/timer/start", { projectId: alpha.id })).body.alreadyRunning).toBe(true)
      yield* TestClock.adjust("10 minutes")
      expect((yield* post("/api/timer/pause", {})).status).toBe(200)
      expect((yield* post("/api/timer/pause", { projectId: alpha.id })).status).toBe(200)
      yield* TestClock.adjust("5 minutes")
      expect((yield* post("/api/timer/resume", {})).status).toBe(200)
      yield* TestClock.adjust("5 minutes")
      expect((yield* patch("/api/timer", { currentProjectId: alpha.id, description: "spec", taskId: task.id })).status).toBe(200)
      expect((yield* patch("/api/timer", { currentProjectId: alpha.id, description: "spec" })).status).toBe(200)
      expect((yield* patch("/api/timer", { currentProjectId: alpha.id, projectId: beta.id })).status).toBe(200)
      yield* TestClock.adjust("10 minutes")
      const split = yield* patch("/api/timer", { currentProjectId: beta.id, projectId: alpha.id, split: true })
      expect(split.status).toBe(200)
      yield* TestClock.adjust("10 minutes")
      const stopped = yield* post("/api/timer/stop")
      expect(stopped.status).toBe(200)
      const logged = (yield* post("/api/entries", { projectId: alpha.id, startTime: "2026-05-31T09:00:00Z", durationMinutes: 30 })).body
      expect((yield* patch(`/api/entries/${logged.id}`, { description: "review" })).status).toBe(200)
      expect((yield* call(base, "DELETE", `/api/entries/${logged.id}`, { key })).status).toBe(204)
      expect((yield* patch(`/api/projects/${beta.id}`, { color: "#112233" })).status).toBe(200)
      expect((yield* patch(`/api/projects/${beta.id}`, { archived: true })).status).toBe(200)
      yield* completeTask(user.id, ws, task.id)
      yield* completeTask(user.id, ws, task.id)
      const created = (yield* post("/api/keys", { label: "ci", scope: "read" })).body
      expect((yield* call(base, "DELETE", `/api/keys/${created.key.id}`, { key })).status).toBe(200)
      expect((yield* call(base, "DELETE", `/api/keys/${created.key.id}`, { key })).status).toBe(200)

      const page = yield* readAll(base, key)
      expect(typesOf(page)).toEqual([
        "WorkspaceCreated",
        "ApiKeyCreated",
        "ProjectCreated",
        "ProjectCreated",
        "TaskCreated",
        "TimerStarted",
        "TimerPaused",
        "TimerResumed",
        "TimerUpdated",
        "TimerMoved",
        "EntryCreated",
        "TimerMoved",
        "TimerStopped",
        "EntryCreated",
        "EntryCreated",
        "EntryUpdated",
        "EntryDeleted",
        "ProjectUpdated",
        "ProjectArchived",
        "TaskCompleted",
        "ApiKeyCreated",
        "ApiKeyRevoked"
      ])
      expect(new Set(page.events.map((event) => event.id)).size).toBe(page.events.length)
      for (const event of page.events) {
        expect(event).toMatchObject({ version: 1, workspaceId: ws, userId: user.id })
      }
      const byType = (type: string) => page.events.filter((event) => event._tag === type)
      expect(byType("WorkspaceCreated")[0].workspace).toEqual({
        id: ws,
        name: user.name + "'s workspace",
        kind: "personal",
        currency: "USD",
        defaultHourlyRate: null,
        idleTimeoutMinutes: 30
      })
      expect(byType("TimerUpdated")[0]).toMatchObject({
        occurredAt: "2026-06-01T09:20:00.000Z",
        timer: { projectId: alpha.id, description: "spec", taskId: task.id, state: "running" },
        previous: { projectId: alpha.id, description: null, taskId: null }
      })
      expect(byType("ProjectCreated").map((e) => e.project.name)).toEqual(["Alpha", "Beta"])
      expect(byType("TaskCreated")[0].task).toMatchObject({ id: task.id, name: "Design", status: "active" })
      expect(byType("TimerStarted")[0]).toMatchObject({
        occurredAt: "2026-06-01T09:00:00.000Z",
        timer: { projectId: alpha.id, state: "running", startedAt: "2026-06-01T09:00:00.000Z" }
      })
      expect(byType("TimerPaused")[0].timer).toMatchObject({ state: "paused", elapsedSeconds: 600 })
      expect(byType("TimerResumed")[0]).toMatchObject({ occurredAt: "2026-06-01T09:15:00.000Z", timer: { state: "running" } })
      const [move, splitMove] = byType("TimerMoved")
      expect(move).toMatchObject({ fromProjectId: alpha.id, split: false, splitEntryId: null, timer: { projectId: beta.id } })
      const [splitEntry, stopEntry, loggedEntry] = byType("EntryCreated")
      expect(splitEntry.entry).toMatchObject({ projectId: beta.id, stopReason: "replaced", durationSeconds: 1500 })
      expect(splitMove).toMatchObject({
        fromProjectId: beta.id,
        split: true,
        splitEntryId: splitEntry.entry.id,
        timer: { projectId: alpha.id, id: split.body.id }
      })
      expect(byType("TimerStopped")[0]).toMatchObject({
        reason: "manual",
        timer: { id: split.body.id, projectId: alpha.id, elapsedSeconds: 600 },
        entry: { id: stopped.body.id, durationSeconds: 600, stopReason: "manual" }
      })
      expect(stopEntry.entry.id).toBe(stopped.body.id)
      expect(loggedEntry.entry).toMatchObject({ id: logged.id, durationSeconds: 1800, description: null })
      expect(byType("EntryUpdated")[0]).toMatchObject({
        entry: { id: logged.id, description: "review" },
        previous: { id: logged.id, description: null }
      })
      expect(byType("EntryDeleted")[0].entry).toMatchObject({ id: logged.id, description: "review" })
      expect(byType("ProjectUpdated")[0].project).toMatchObject({ id: beta.id, color: "#112233", archived: false })
      expect(byType("ProjectArchived")[0].project).toMatchObject({ id: beta.id, archived: true })
      expect(byType("TaskCompleted")[0].task).toMatchObject({ id: task.id, status: "complete" })
      expect(byType("ApiKeyCreated")[1].key).toMatchObject({ id: created.key.id, scope: "read", label: "ci", revokedAt: null })
      expect(byType("ApiKeyRevoked")[0].key).toMatchObject({ id: created.key.id, revokedAt: "2026-06-01T09:40:00.000Z" })
      expect(JSON.stringify(page.events)).not.toContain(created.secret)
      expect(JSON.stringify(page.events)).not.toMatch(/"(hash|secret)"/)

      const again = yield* readAll(base, key, { after: page.nextCursor })
      expect(again).toEqual({ events: [], nextCursor: page.nextCursor })
    }))

  it.effect("a refused or rolled-back change publishes nothing; a budget crossing is published with its entry", () =>
    Effect.gen(function*() {
      yield* setNow("2026-06-01T09:00:00Z")
      const base = yield* baseUrl
      const { key } = yield* signUp()
      const post = (path: string, body?: unknown) => call(base, "POST", path, { key, body })
      const capped = (yield* post("/api/projects", { name: "Capped", budgetHours: 1, budgetHardCap: true })).body
      const other = (yield* post("/api/projects", { name: "Other" })).body
      const { nextCursor: start } = yield* readAll(base, key)

      const first = yield* post("/api/entries", { projectId: capped.id, startTime: "2026-06-01T07:00:00Z", durationMinutes: 60 })
      expect(first.status).toBe(201)
      const crossed = yield* readAll(base, key, { after: start })
      expect(typesOf(crossed)).toEqual(["EntryCreated", "BudgetThresholdCrossed", "BudgetThresholdCrossed"])
      expect(crossed.events.slice(1).map((e) => [e.threshold, e.metric, e.period, e.entryId, e.projectId])).toEqual([
        [80, "hours", "total", first.body.id, capped.id],
        [100, "hours", "total", first.body.id, capped.id]
      ])
      expect(crossed.events[2]).toMatchObject({ projectName: "Capped", hoursUsed: 1, hoursLimit: 1, hardCap: true, currency: "USD" })

      const refused = yield* post("/api/entries", { projectId: capped.id, startTime: "2026-06-01T08:00:00Z", durationMinutes: 10 })
      expect(refused.status).toBe(422)
      expect((yield* post("/api/timer/start", { projectId: capped.id })).status).toBe(422)
      expect((yield* post("/api/entries", { projectId: other.id, startTime: "2026-06-01T08:00:00Z", durationMinutes: 10, taskId: crypto.randomUUID() })).status).toBe(404)
      // a split that fails after writing its entry rolls the entry and its events back
      yield* post("/api/timer/start", { projectId: other.id })
      const blocker = (yield* post("/api/projects", { name: "Blocker" })).body
      yield* post("/api/timer/start", { projectId: blocker.id })
      const { nextCursor: beforeSplit, events: starts } = yield* readAll(base, key, { after: crossed.nextCursor })
      expect(typesOf({ events: starts, nextCursor: "" })).toEqual(["TimerStarted", "ProjectCreated", "TimerStarted"])
      yield* TestClock.adjust("10 minutes")
      const clash = yield* call(base, "PATCH", "/api/timer", { key, body: { currentProjectId: other.id, projectId: blocker.id, split: true } })
      expect(clash.status).toBe(409)
      expect(yield* readAll(base, key, { after: beforeSplit })).toEqual({ events: [], nextCursor: beforeSplit })
      const entries = yield* call(base, "GET", "/api/entries?limit=100", { key })
      expect(entries.body.entries).toHaveLength(1)
    }))

  it.effect("the watchdog's idle stop publishes TimerStopped with reason idle and the entry ending at the last activity", () =>
    Effect.gen(function*() {
      yield* setNow("2026-06-01T09:00:00Z")
      const base = yield* baseUrl
      const { key } = yield* signUp()
      const started = yield* call(base, "POST", "/api/timer/start", { key, body: { projectName: "agent", autoCreate: true, source: "hook" } })
      expect(started.status).toBe(200)
      yield* TestClock.adjust("5 minutes")
      yield* call(base, "POST", "/api/timer/heartbeat", { key, body: {} })
      yield* TestClock.adjust("1 hour")
      expect(yield* Effect.flatMap(IdleWatchdog, (watchdog) => watchdog.sweep)).toBeGreaterThanOrEqual(1)
      const page = yield* readAll(base, key, { query: "types=TimerStarted,TimerStopped,EntryCreated,ProjectCreated" })
      expect(typesOf(page)).toEqual(["ProjectCreated", "TimerStarted", "TimerStopped", "EntryCreated"])
      expect(page.events[2]).toMatchObject({
        occurredAt: "2026-06-01T10:05:00.000Z",
        reason: "idle",
        timer: { id: started.body.id, source: "hook", lastActivityAt: "2026-06-01T09:05:00.000Z", elapsedSeconds: 300 },
        entry: { endTime: "2026-06-01T09:05:00.000Z", durationSeconds: 300, stopReason: "idle" }
      })
      const beat = yield* call(base, "POST", "/api/timer/heartbeat", { key, body: { projectName: "agent", autoStart: true } })
      expect(beat.body.started).not.toBeNull()
      const after = yield* readAll(base, key, { after: page.nextCursor })
      expect(typesOf(after)).toEqual(["TimerStarted"])
      expect(after.events[0].timer.id).toBe(beat.body.started.id)
    }))

  it.effect("owners see the whole workspace; members see workspace events, their own timers, entries and keys, and no invites", () =>
    Effect.gen(function*() {
      yield* setNow("2026-06-01T09:00:00Z")
      const base = yield* baseUrl
      const owner = yield* signUp()
      const member = yield* signUp()
      const leaver = yield* signUp()
      const ws = (yield* call(base, "POST", "/api/workspaces", { key: owner.key, body: { name: "Team" } })).body.id
      const inTeam = { "x-clockme-workspace": ws }
      const as = (who: { key: string }) => (method: string, path: string, body?: unknown) =>
        call(base, method, path, { key: who.key, body, headers: inTeam })
      const invite = (yield* as(owner)("POST", `/api/workspaces/${ws}/invites`, {})).body
      const join = (who: { key: string }) => call(base, "POST", "/api/workspaces/join", { key: who.key, body: { code: invite.code } })
      yield* join(member)
      yield* join(leaver)
      const settings = (body: unknown) => as(owner)("PATCH", `/api/workspaces/${ws}`, body)
      expect((yield* settings({ name: "Team A", currency: "EUR", idleTimeoutMinutes: 45 })).status).toBe(200)
      expect((yield* settings({})).status).toBe(200)
      expect((yield* settings({ name: "Team A" })).status).toBe(200)
      const role = (value: string) => as(owner)("PATCH", `/api/workspaces/${ws}/members/${member.user.id}`, { role: value })
      for (const value of ["owner", "owner", "member", "member"]) expect((yield* role(value)).status).toBe(200)
      const spare = (yield* as(owner)("POST", `/api/workspaces/${ws}/invites`, { maxUses: 2 })).body
      for (let i = 0; i < 2; i++) {
        expect((yield* as(owner)("DELETE", `/api/workspaces/${ws}/invites/${spare.id}`)).status).toBe(200)
      }
      const project = (yield* as(owner)("POST", "/api/projects", { name: "Shared" })).body
      yield* as(owner)("POST", "/api/timer/start", { projectId: project.id })
      yield* as(member)("POST", "/api/timer/start", { projectId: project.id })
      yield* TestClock.adjust("30 minutes")
      yield* as(member)("POST", "/api/timer/stop")
      yield* as(member)("POST", "/api/keys", { label: "member key" })
      yield* as(leaver)("POST", "/api/timer/start", { projectId: project.id })
      yield* as(leaver)("POST", `/api/workspaces/${ws}/leave`)
      yield* as(member)("POST", "/api/timer/start", { projectId: project.id })
      yield* TestClock.adjust("10 minutes")
      expect((yield* as(owner)("DELETE", `/api/workspaces/${ws}/members/${member.user.id}`)).status).toBe(204)

      const all = yield* readAll(base, owner.key, { headers: inTeam })
      expect(all.events.map((e) => [e._tag, e.userId])).toEqual([
        ["WorkspaceCreated", owner.user.id],
        ["InviteCreated", owner.user.id],
        ["MemberJoined", member.user.id],
        ["MemberJoined", leaver.user.id],
        ["WorkspaceUpdated", owner.user.id],
        ["MemberRoleChanged", member.user.id],
        ["MemberRoleChanged", member.user.id],
        ["InviteCreated", owner.user.id],
        ["InviteRevoked", owner.user.id],
        ["ProjectCreated", owner.user.id],
        ["TimerStarted", owner.user.id],
        ["TimerStarted", member.user.id],
        ["TimerStopped", member.user.id],
        ["EntryCreated", member.user.id],
        ["ApiKeyCreated", member.user.id],
        ["TimerStarted", leaver.user.id],
        ["TimerStopped", leaver.user.id],
        ["EntryCreated", leaver.user.id],
        ["MemberLeft", leaver.user.id],
        ["TimerStarted", member.user.id],
        ["TimerStopped", member.user.id],
        ["EntryCreated", member.user.id],
        ["MemberRemoved", member.user.id]
      ])
      expect(all.events.every((e) => e.workspaceId === ws)).toBe(true)
      const byType = (type: string) => all.events.filter((e) => e._tag === type)
      expect(byType("MemberRemoved")[0]).toMatchObject({ removedBy: owner.user.id, member: { userId: member.user.id, role: "member" } })
      expect(byType("MemberJoined")[0].member).toMatchObject({ userId: member.user.id, role: "member", email: member.user.email })
      expect(byType("WorkspaceCreated")[0].workspace).toEqual({
        id: ws,
        name: "Team",
        kind: "shared",
        currency: "USD",
        defaultHourlyRate: null,
        idleTimeoutMinutes: 30
      })
      expect(byType("WorkspaceUpdated")[0]).toMatchObject({
        workspace: { id: ws, name: "Team A", currency: "EUR", idleTimeoutMinutes: 45 },
        previous: { id: ws, name: "Team", currency: "USD", idleTimeoutMinutes: 30 }
      })
      expect(byType("MemberRoleChanged").map((e) => [e.member.role, e.previousRole, e.changedBy])).toEqual([
        ["owner", "member", owner.user.id],
        ["member", "owner", owner.user.id]
      ])
      expect(byType("InviteCreated").map((e) => e.invite.id)).toEqual([invite.id, spare.id])
      expect(byType("InviteCreated")[1].invite).toMatchObject({ workspaceId: ws, maxUses: 2, uses: 0, revokedAt: null, status: "active" })
      expect(byType("InviteRevoked")[0].invite).toMatchObject({ id: spare.id, status: "revoked", revokedAt: "2026-06-01T09:00:00.000Z" })
      for (const event of [...byType("InviteCreated"), ...byType("InviteRevoked")]) expect(event.invite).not.toHaveProperty("code")
      expect(JSON.stringify(all.events)).not.toContain(invite.code)
      expect(JSON.stringify(all.events)).not.toContain(spare.code)

      const third = yield* signUp()
      yield* join(third)
      yield* as(third)("POST", "/api/timer/start", { projectId: project.id })
      const seen = yield* readAll(base, third.key, { headers: inTeam })
      expect(seen.events.map((e) => [e._tag, e.userId])).toEqual([
        ["WorkspaceCreated", owner.user.id],
        ["MemberJoined", member.user.id],
        ["MemberJoined", leaver.user.id],
        ["WorkspaceUpdated", owner.user.id],
        ["MemberRoleChanged", member.user.id],
        ["MemberRoleChanged", member.user.id],
        ["ProjectCreated", owner.user.id],
        ["MemberLeft", leaver.user.id],
        ["MemberRemoved", member.user.id],
        ["MemberJoined", third.user.id],
        ["TimerStarted", third.user.id]
      ])
      const ownerLater = yield* readAll(base, owner.key, { headers: inTeam, after: all.nextCursor })
      expect(typesOf(ownerLater)).toEqual(["MemberJoined", "TimerStarted"])

      // the personal workspace's stream is separate
      const personal = yield* readAll(base, owner.key)
      expect(typesOf(personal)).toEqual(["WorkspaceCreated", "ApiKeyCreated"])
    }))

  it.effect("keyset paging, the types filter, and 400 for an unknown type or a bad cursor; a read key suffices", () =>
    Effect.gen(function*() {
      yield* setNow("2026-06-01T09:00:00Z")
      const base = yield* baseUrl
      const { key, user } = yield* signUp()
      for (const name of ["a", "b", "c", "d", "e"]) {
        const project = (yield* call(base, "POST", "/api/projects", { key, body: { name } })).body
        yield* call(base, "POST", "/api/timer/start", { key, body: { projectId: project.id } })
      }
      const whole = yield* readAll(base, key)
      expect(whole.events).toHaveLength(12)
      const first = yield* call(base, "GET", "/api/events?limit=4", { key })
      expect(first.body.events).toHaveLength(4)
      expect(first.body.hasMore).toBe(true)
      const paged = yield* readAll(base, key, { query: "limit=3" })
      expect(paged).toEqual(whole)
      const second = yield* call(base, "GET", `/api/events?limit=4&after=${first.body.nextCursor}`, { key })
      expect(second.body.events).toEqual(whole.events.slice(4, 8))

      const filtered = yield* readAll(base, key, { query: "types=TimerStarted" })
      expect(filtered.events.map((e) => e.timer.projectId)).toEqual(whole.events.filter((e) => e._tag === "ProjectCreated").map((e) => e.project.id))
      const two = yield* readAll(base, key, { query: `types=${encodeURIComponent("ProjectCreated, ApiKeyCreated")}&limit=2` })
      expect(typesOf(two)).toEqual(["ApiKeyCreated", "ProjectCreated", "ProjectCreated", "ProjectCreated", "ProjectCreated", "ProjectCreated"])

      const unknown = yield* call(base, "GET", "/api/events?types=TimerStarted,TimerExploded", { key })
      expectBadInput(unknown, ["types"])
      expect(unknown.body.message).toContain("TimerExploded")
      for (const cursor of ["nope", "1", "-1.2", "1.2.3", "99999999999999999999.1", "1.99999999999999999"]) {
        expectBadInput(yield* call(base, "GET", `/api/events?after=${encodeURIComponent(cursor)}`, { key }), ["after"])
      }
      expectBadInput(yield* call(base, "GET", "/api/events?limit=0", { key }), ["limit"])

      const readKey = yield* keyWithScope(user.id, "read")
      const read = yield* readAll(base, readKey)
      expect(read.events.slice(0, 12)).toEqual(whole.events)
    }))
})
