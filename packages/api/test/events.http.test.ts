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

const typesOf = (page: Page) => page.events.map((event) => event.type)

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
        "workspace.created",
        "api_key.created",
        "project.created",
        "project.created",
        "task.created",
        "timer.started",
        "timer.paused",
        "timer.resumed",
        "timer.updated",
        "timer.moved",
        "entry.created",
        "timer.moved",
        "timer.stopped",
        "entry.created",
        "entry.created",
        "entry.updated",
        "entry.deleted",
        "project.updated",
        "project.archived",
        "task.completed",
        "api_key.created",
        "api_key.revoked"
      ])
      expect(new Set(page.events.map((event) => event.id)).size).toBe(page.events.length)
      for (const event of page.events) {
        expect(Object.keys(event).sort()).toEqual(["data", "id", "occurredAt", "type", "workspaceId"])
        expect(event).toMatchObject({ workspaceId: ws, data: { userId: user.id } })
      }
      const byType = (type: string) => page.events.filter((event) => event.type === type).map((event) => event.data)
      const at = (type: string) => page.events.find((event) => event.type === type).occurredAt
      expect(byType("workspace.created")[0].workspace).toEqual({
        id: ws,
        name: user.name + "'s workspace",
        kind: "personal",
        currency: "USD",
        defaultHourlyRate: null,
        idleTimeoutMinutes: 30
      })
      expect(at("timer.updated")).toBe("2026-06-01T09:20:00.000Z")
      expect(byType("timer.updated")[0]).toMatchObject({
        timer: { projectId: alpha.id, description: "spec", taskId: task.id, state: "running" },
        previous: { projectId: alpha.id, description: null, taskId: null }
      })
      expect(byType("project.created").map((e) => e.project.name)).toEqual(["Alpha", "Beta"])
      expect(byType("task.created")[0].task).toMatchObject({ id: task.id, name: "Design", status: "active" })
      expect(at("timer.started")).toBe("2026-06-01T09:00:00.000Z")
      expect(byType("timer.started")[0]).toMatchObject({
        timer: { projectId: alpha.id, state: "running", startedAt: "2026-06-01T09:00:00.000Z" }
      })
      expect(byType("timer.paused")[0].timer).toMatchObject({ state: "paused", elapsedSeconds: 600 })
      expect(at("timer.resumed")).toBe("2026-06-01T09:15:00.000Z")
      expect(byType("timer.resumed")[0]).toMatchObject({ timer: { state: "running" } })
      const [move, splitMove] = byType("timer.moved")
      expect(move).toMatchObject({ fromProjectId: alpha.id, split: false, splitEntryId: null, timer: { projectId: beta.id } })
      const [splitEntry, stopEntry, loggedEntry] = byType("entry.created")
      expect(splitEntry.entry).toMatchObject({ projectId: beta.id, stopReason: "replaced", durationSeconds: 1500 })
      expect(splitMove).toMatchObject({
        fromProjectId: beta.id,
        split: true,
        splitEntryId: splitEntry.entry.id,
        timer: { projectId: alpha.id, id: split.body.id }
      })
      expect(byType("timer.stopped")[0]).toMatchObject({
        reason: "manual",
        timer: { id: split.body.id, projectId: alpha.id, state: "stopped", elapsedSeconds: 600 },
        entry: { id: stopped.body.id, durationSeconds: 600, stopReason: "manual" }
      })
      expect(stopEntry.entry.id).toBe(stopped.body.id)
      expect(loggedEntry.entry).toMatchObject({ id: logged.id, durationSeconds: 1800, description: null })
      expect(byType("entry.updated")[0]).toMatchObject({
        entry: { id: logged.id, description: "review" },
        previous: { id: logged.id, description: null }
      })
      expect(byType("entry.deleted")[0].entry).toMatchObject({ id: logged.id, description: "review" })
      expect(byType("project.updated")[0].project).toMatchObject({ id: beta.id, color: "#112233", archived: false })
      expect(byType("project.archived")[0].project).toMatchObject({ id: beta.id, archived: true })
      expect(byType("task.completed")[0].task).toMatchObject({ id: task.id, status: "complete" })
      expect(byType("api_key.created")[1].key).toMatchObject({ id: created.key.id, scope: "read", label: "ci", revokedAt: null })
      expect(byType("api_key.revoked")[0].key).toMatchObject({ id: created.key.id, revokedAt: "2026-06-01T09:40:00.000Z" })
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
      expect(typesOf(crossed)).toEqual(["entry.created", "budget_threshold.crossed", "budget_threshold.crossed"])
      expect(crossed.events.slice(1).map(({ data: e }) => [e.threshold, e.metric, e.period, e.entryId, e.projectId])).toEqual([
        [80, "hours", "total", first.body.id, capped.id],
        [100, "hours", "total", first.body.id, capped.id]
      ])
      expect(crossed.events[2].data).toMatchObject({ projectName: "Capped", hoursUsed: 1, hoursLimit: 1, hardCap: true, currency: "USD" })

      const refused = yield* post("/api/entries", { projectId: capped.id, startTime: "2026-06-01T08:00:00Z", durationMinutes: 10 })
      expect(refused.status).toBe(422)
      expect((yield* post("/api/timer/start", { projectId: capped.id })).status).toBe(422)
      expect((yield* post("/api/entries", { projectId: other.id, startTime: "2026-06-01T08:00:00Z", durationMinutes: 10, taskId: crypto.randomUUID() })).status).toBe(404)
      // a split that fails after writing its entry rolls the entry and its events back
      yield* post("/api/timer/start", { projectId: other.id })
      const blocker = (yield* post("/api/projects", { name: "Blocker" })).body
      yield* post("/api/timer/start", { projectId: blocker.id })
      const { nextCursor: beforeSplit, events: starts } = yield* readAll(base, key, { after: crossed.nextCursor })
      expect(typesOf({ events: starts, nextCursor: "" })).toEqual(["timer.started", "project.created", "timer.started"])
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
      const page = yield* readAll(base, key, { query: "types=timer.started,timer.stopped,entry.created,project.created" })
      expect(typesOf(page)).toEqual(["project.created", "timer.started", "timer.stopped", "entry.created"])
      expect(page.events[2].occurredAt).toBe("2026-06-01T10:05:00.000Z")
      expect(page.events[2].data).toMatchObject({
        reason: "idle",
        timer: { id: started.body.id, source: "hook", lastActivityAt: "2026-06-01T09:05:00.000Z", elapsedSeconds: 300 },
        entry: { endTime: "2026-06-01T09:05:00.000Z", durationSeconds: 300, stopReason: "idle" }
      })
      const beat = yield* call(base, "POST", "/api/timer/heartbeat", { key, body: { projectName: "agent", autoStart: true } })
      expect(beat.body.started).not.toBeNull()
      const after = yield* readAll(base, key, { after: page.nextCursor })
      expect(typesOf(after)).toEqual(["timer.started"])
      expect(after.events[0].data.timer.id).toBe(beat.body.started.id)
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
      expect(all.events.map((e) => [e.type, e.data.userId])).toEqual([
        ["workspace.created", owner.user.id],
        ["invite.created", owner.user.id],
        ["member.joined", member.user.id],
        ["member.joined", leaver.user.id],
        ["workspace.updated", owner.user.id],
        ["member_role.changed", member.user.id],
        ["member_role.changed", member.user.id],
        ["invite.created", owner.user.id],
        ["invite.revoked", owner.user.id],
        ["project.created", owner.user.id],
        ["timer.started", owner.user.id],
        ["timer.started", member.user.id],
        ["timer.stopped", member.user.id],
        ["entry.created", member.user.id],
        ["api_key.created", member.user.id],
        ["timer.started", leaver.user.id],
        ["timer.stopped", leaver.user.id],
        ["entry.created", leaver.user.id],
        ["member.left", leaver.user.id],
        ["timer.started", member.user.id],
        ["timer.stopped", member.user.id],
        ["entry.created", member.user.id],
        ["member.removed", member.user.id]
      ])
      expect(all.events.every((e) => e.workspaceId === ws)).toBe(true)
      const byType = (type: string) => all.events.filter((e) => e.type === type).map((e) => e.data)
      expect(byType("member.removed")[0]).toMatchObject({ removedBy: owner.user.id, member: { userId: member.user.id, role: "member" } })
      expect(byType("member.joined")[0].member).toMatchObject({ userId: member.user.id, role: "member", email: member.user.email })
      expect(byType("workspace.created")[0].workspace).toEqual({
        id: ws,
        name: "Team",
        kind: "shared",
        currency: "USD",
        defaultHourlyRate: null,
        idleTimeoutMinutes: 30
      })
      expect(byType("workspace.updated")[0]).toMatchObject({
        workspace: { id: ws, name: "Team A", currency: "EUR", idleTimeoutMinutes: 45 },
        previous: { id: ws, name: "Team", currency: "USD", idleTimeoutMinutes: 30 }
      })
      expect(byType("member_role.changed").map((e) => [e.member.role, e.previousRole, e.changedBy])).toEqual([
        ["owner", "member", owner.user.id],
        ["member", "owner", owner.user.id]
      ])
      expect(byType("invite.created").map((e) => e.invite.id)).toEqual([invite.id, spare.id])
      expect(byType("invite.created")[1].invite).toMatchObject({ workspaceId: ws, maxUses: 2, uses: 0, revokedAt: null, status: "active" })
      expect(byType("invite.revoked")[0].invite).toMatchObject({ id: spare.id, status: "revoked", revokedAt: "2026-06-01T09:00:00.000Z" })
      for (const event of [...byType("invite.created"), ...byType("invite.revoked")]) expect(event.invite).not.toHaveProperty("code")
      expect(JSON.stringify(all.events)).not.toContain(invite.code)
      expect(JSON.stringify(all.events)).not.toContain(spare.code)

      const third = yield* signUp()
      yield* join(third)
      yield* as(third)("POST", "/api/timer/start", { projectId: project.id })
      const seen = yield* readAll(base, third.key, { headers: inTeam })
      expect(seen.events.map((e) => [e.type, e.data.userId])).toEqual([
        ["workspace.created", owner.user.id],
        ["member.joined", member.user.id],
        ["member.joined", leaver.user.id],
        ["workspace.updated", owner.user.id],
        ["member_role.changed", member.user.id],
        ["member_role.changed", member.user.id],
        ["project.created", owner.user.id],
        ["member.left", leaver.user.id],
        ["member.removed", member.user.id],
        ["member.joined", third.user.id],
        ["timer.started", third.user.id]
      ])
      const ownerLater = yield* readAll(base, owner.key, { headers: inTeam, after: all.nextCursor })
      expect(typesOf(ownerLater)).toEqual(["member.joined", "timer.started"])

      // the personal workspace's stream is separate
      const personal = yield* readAll(base, owner.key)
      expect(typesOf(personal)).toEqual(["workspace.created", "api_key.created"])
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

      const filtered = yield* readAll(base, key, { query: "types=timer.started" })
      expect(filtered.events.map((e) => e.data.timer.projectId)).toEqual(whole.events.filter((e) => e.type === "project.created").map((e) => e.data.project.id))
      const two = yield* readAll(base, key, { query: `types=${encodeURIComponent("project.created, api_key.created")}&limit=2` })
      expect(typesOf(two)).toEqual(["api_key.created", "project.created", "project.created", "project.created", "project.created", "project.created"])

      const unknown = yield* call(base, "GET", "/api/events?types=timer.started,TimerExploded", { key })
      expectBadInput(unknown, ["types"])
      expect(unknown.body.message).toContain("TimerExploded")
      // the class names of the events are not their wire names: one name everywhere
      const className = yield* call(base, "GET", "/api/events?types=TimerStarted", { key })
      expectBadInput(className, ["types"])
      expect(className.body.message).toContain("TimerStarted")
      expect(className.body.message).toContain("timer.started")
      for (const cursor of ["nope", "1", "-1.2", "1.2.3", "99999999999999999999.1", "1.99999999999999999"]) {
        expectBadInput(yield* call(base, "GET", `/api/events?after=${encodeURIComponent(cursor)}`, { key }), ["after"])
      }
      expectBadInput(yield* call(base, "GET", "/api/events?limit=0", { key }), ["limit"])

      const readKey = yield* keyWithScope(user.id, "read")
      const read = yield* readAll(base, readKey)
      expect(read.events.slice(0, 12)).toEqual(whole.events)
    }))

  it.effect("a cursor the server did not issue is a 400 naming after: made-up, tampered, another workspace's", () =>
    Effect.gen(function*() {
      yield* setNow("2026-06-01T09:00:00Z")
      const base = yield* baseUrl
      const { key, user } = yield* signUp()
      const other = yield* signUp()
      yield* call(base, "POST", "/api/timer/start", { key, body: { projectName: "a", autoCreate: true } })
      const whole = yield* readAll(base, key)
      expect(typesOf(whole)).toEqual(["workspace.created", "api_key.created", "project.created", "timer.started"])
      const sql = yield* SqlClient.SqlClient
      const positions = (yield* sql<{ xid: string; seq: number }>`
        SELECT xid::text AS xid, seq FROM outbox WHERE workspace_id = ${user.activeWorkspaceId} ORDER BY xid, seq`.pipe(Effect.orDie))
        .map((row) => `${row.xid}.${row.seq}`)
      expect(positions).toHaveLength(4)
      const madeUp = ["0.0", "2147483648.0", "1.1", "0.1", "18446744073709551615.0", ...positions]
      for (const cursor of madeUp) {
        const reply = yield* call(base, "GET", `/api/events?after=${encodeURIComponent(cursor)}`, { key })
        expectBadInput(reply, ["after"])
      }
      const issued = whole.nextCursor
      const tampered = issued.slice(0, 10) + (issued[10] === "A" ? "B" : "A") + issued.slice(11)
      expectBadInput(yield* call(base, "GET", `/api/events?after=${encodeURIComponent(tampered)}`, { key }), ["after"])
      // a cursor names a position in one workspace's stream: another workspace refuses it
      const foreign = yield* call(base, "GET", `/api/events?after=${encodeURIComponent(issued)}`, { key: other.key })
      expectBadInput(foreign, ["after"])

      // every cursor the server hands out is accepted, also the one for "nothing yet" from the start
      const none = yield* call(base, "GET", "/api/events?types=budget_threshold.crossed", { key })
      expect(none.body).toMatchObject({ events: [], hasMore: false })
      const fromStart = yield* call(base, "GET", `/api/events?after=${encodeURIComponent(none.body.nextCursor)}`, { key })
      expect(fromStart.status).toBe(200)
      expect(fromStart.body.events).toEqual(whole.events)
      const first = yield* call(base, "GET", "/api/events?limit=1", { key })
      const rest = yield* readAll(base, key, { after: first.body.nextCursor })
      expect([...first.body.events, ...rest.events]).toEqual(whole.events)
      expect(rest.nextCursor).toBe(issued)
    }))
})
