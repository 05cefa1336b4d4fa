import { expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import {
  activateWorkspace,
  createProject,
  expectBadInput,
  expectError,
  expectSameNotFound,
  createInvite,
  createWorkspace,
  keyWithScope,
  logEntry,
  setNow,
  uuid
} from "./lib/Fixtures.js"
import { baseUrl, call, signUp, TestServerManualSweep as TestServer } from "./lib/TestServer.js"

const NOW = "2026-06-10T12:00:00Z"

layer(TestServer, { timeout: 120_000 })("entries over HTTP", (it) => {
  it.effect("log with durationMinutes or endTime; billable defaults from the project", () =>
    Effect.gen(function*() {
      yield* setNow(NOW)
      const base = yield* baseUrl
      const { key, user } = yield* signUp()
      const project = yield* createProject(base, key, { name: "Client", hourlyRate: 100 })
      const internal = yield* createProject(base, key, { name: "Internal", billable: false })
      const task = yield* call(base, "POST", "/api/tasks", { key, body: { projectId: project.id, name: "Design" } })

      const byDuration = yield* call(base, "POST", "/api/entries", {
        key,
        body: { projectId: project.id, startTime: "2026-06-09T09:00:00Z", durationMinutes: 90, description: "Design review", taskId: task.body.id }
      })
      expect(byDuration.status).toBe(201)
      expect(byDuration.body).toMatchObject({
        projectId: project.id,
        userId: user.id,
        workspaceId: user.activeWorkspaceId,
        taskId: task.body.id,
        timerId: null,
        description: "Design review",
        startTime: "2026-06-09T09:00:00.000Z",
        endTime: "2026-06-09T10:30:00.000Z",
        durationSeconds: 5400,
        billable: true,
        source: "api",
        idempotencyKey: null
      })

      const byEnd = yield* logEntry(base, key, {
        projectId: project.id,
        startTime: "2026-06-09T13:00:00+02:00",
        endTime: "2026-06-09T13:45:30+02:00",
        source: "integration"
      })
      expect(byEnd).toMatchObject({
        startTime: "2026-06-09T11:00:00.000Z",
        endTime: "2026-06-09T11:45:30.000Z",
        durationSeconds: 2730,
        source: "integration",
        description: null
      })

      const fractional = yield* logEntry(base, key, { projectId: project.id, startTime: "2026-06-08T09:00:00Z", durationMinutes: 0.5 })
      expect(fractional.durationSeconds).toBe(30)

      const nonBillable = yield* logEntry(base, key, { projectId: internal.id, startTime: "2026-06-09T15:00:00Z", durationMinutes: 30 })
      expect(nonBillable.billable).toBe(false)
      const override = yield* logEntry(base, key, {
        projectId: internal.id,
        startTime: "2026-06-09T16:00:00Z",
        durationMinutes: 30,
        billable: true
      })
      expect(override.billable).toBe(true)

      const max = yield* logEntry(base, key, { projectId: project.id, startTime: "2026-06-01T00:00:00Z", durationMinutes: 1440 })
      expect(max.durationSeconds).toBe(86400)
    }))

  it.effect("rejects end before start, negative, zero and absurd durations, and both or neither of duration and end", () =>
    Effect.gen(function*() {
      yield* setNow(NOW)
      const base = yield* baseUrl
      const { key } = yield* signUp()
      const project = yield* createProject(base, key, { name: "P" })
      const post = (body: Record<string, unknown>) =>
        call(base, "POST", "/api/entries", { key, body: { projectId: project.id, ...body } })
      const start = "2026-06-09T09:00:00Z"

      expectBadInput(yield* post({ startTime: start, endTime: "2026-06-09T08:00:00Z" }), ["endTime"])
      expectBadInput(yield* post({ startTime: start, endTime: start }), ["endTime"])
      expectBadInput(yield* post({ startTime: start, durationMinutes: -30 }), ["durationMinutes"])
      expectBadInput(yield* post({ startTime: start, durationMinutes: 0 }), ["durationMinutes"])
      expectBadInput(yield* post({ startTime: start, durationMinutes: 1441 }), ["durationMinutes"])
      expectBadInput(yield* post({ startTime: start, durationMinutes: 1e12 }), ["durationMinutes"])
      expectBadInput(yield* post({ startTime: start, durationMinutes: "90" }), ["durationMinutes"])
      expectBadInput(yield* post({ startTime: start, endTime: "2026-06-12T09:00:00Z" }), ["endTime"])
      expectBadInput(yield* post({ startTime: start, durationMinutes: 30, endTime: "2026-06-09T09:30:00Z" }), ["endTime"], [
        "durationMinutes"
      ])
      expectBadInput(yield* post({ startTime: start }), ["durationMinutes"], ["endTime"])
      expectBadInput(yield* post({ startTime: "2026-07-01T09:00:00Z", durationMinutes: 30 }), ["startTime"])
      expectBadInput(yield* post({ startTime: "yesterday", durationMinutes: 30 }), ["startTime"])
      expectBadInput(yield* post({ startTime: start, endTime: "2026-06-09" + "T25:00:00Z" }), ["endTime"])
      expectBadInput(yield* post({ durationMinutes: 30 }), ["startTime"])
      expectBadInput(yield* post({ startTime: start, durationMinutes: 30, source: "robot" }), ["source"])
      expectBadInput(yield* post({ startTime: start, durationMinutes: 30, billable: "no" }), ["billable"])
      expectBadInput(yield* post({ startTime: start, durationMinutes: 30, idempotencyKey: "" }), ["idempotencyKey"])
      expectBadInput(yield* post({ startTime: start, durationMinutes: 30, hours: 2 }), ["hours"])
      expectBadInput(yield* post({ startTime: start, durationMinutes: 30, description: "x".repeat(2001) }), ["description"])
      expectBadInput(
        yield* call(base, "POST", "/api/entries", { key, body: { projectId: "nope", startTime: start, durationMinutes: 30 } }),
        ["projectId"]
      )
      expectError(
        yield* call(base, "POST", "/api/entries", { key, rawBody: "{\"projectId\"", headers: { "content-type": "application/json" } }),
        400,
        "malformed_json"
      )

      const list = yield* call(base, "GET", "/api/entries", { key })
      expect(list.body.entries).toEqual([])
    }))

  it.effect("unknown, foreign and archived projects, and a task of another project, are refused", () =>
    Effect.gen(function*() {
      yield* setNow(NOW)
      const base = yield* baseUrl
      const { key } = yield* signUp()
      const stranger = yield* signUp()
      const mine = yield* createProject(base, key, { name: "Mine" })
      const old = yield* createProject(base, key, { name: "Old" })
      const theirs = yield* createProject(base, stranger.key, { name: "Theirs" })
      const body = { startTime: "2026-06-09T09:00:00Z", durationMinutes: 30 }
      const missing = uuid()

      expectSameNotFound(
        yield* call(base, "POST", "/api/entries", { key, body: { ...body, projectId: theirs.id } }),
        theirs.id,
        yield* call(base, "POST", "/api/entries", { key, body: { ...body, projectId: missing } }),
        missing
      )
      yield* call(base, "PATCH", `/api/projects/${old.id}`, { key, body: { archived: true } })
      expectError(yield* call(base, "POST", "/api/entries", { key, body: { ...body, projectId: old.id } }), 422, "project_archived")

      const otherTask = yield* call(base, "POST", "/api/tasks", { key: stranger.key, body: { projectId: theirs.id, name: "T" } })
      expectError(
        yield* call(base, "POST", "/api/entries", { key, body: { ...body, projectId: mine.id, taskId: otherTask.body.id } }),
        404,
        "task_not_found"
      )
      const list = yield* call(base, "GET", "/api/entries", { key })
      expect(list.body.entries).toEqual([])
      const theirList = yield* call(base, "GET", "/api/entries", { key: stranger.key })
      expect(theirList.body.entries).toEqual([])
    }))

  it.effect("a repeated idempotencyKey returns the first entry and creates nothing", () =>
    Effect.gen(function*() {
      yield* setNow(NOW)
      const base = yield* baseUrl
      const { key } = yield* signUp()
      const other = yield* signUp()
      const project = yield* createProject(base, key, { name: "P" })
      const body = { projectId: project.id, startTime: "2026-06-09T09:00:00Z", durationMinutes: 45, idempotencyKey: "log-1" }

      const first = yield* call(base, "POST", "/api/entries", { key, body })
      expect(first.status).toBe(201)
      expect(first.body.idempotencyKey).toBe("log-1")
      const repeat = yield* call(base, "POST", "/api/entries", { key, body })
      expect(repeat.status).toBeLessThan(300)
      expect(repeat.body).toEqual(first.body)
      // even with a different body, the key names the first entry
      const changed = yield* call(base, "POST", "/api/entries", { key, body: { ...body, durationMinutes: 10, description: "retry" } })
      expect(changed.body).toEqual(first.body)

      const list = yield* call(base, "GET", "/api/entries", { key })
      expect(list.body.entries.map((e: any) => e.id)).toEqual([first.body.id])

      // keys are per account
      const otherProject = yield* createProject(base, other.key, { name: "Q" })
      const theirs = yield* call(base, "POST", "/api/entries", { key: other.key, body: { ...body, projectId: otherProject.id } })
      expect(theirs.status).toBe(201)
      expect(theirs.body.id).not.toBe(first.body.id)
    }))

  it.effect("edit: description, times, duration, project and task; checked like a new entry", () =>
    Effect.gen(function*() {
      yield* setNow(NOW)
      const base = yield* baseUrl
      const { key } = yield* signUp()
      const project = yield* createProject(base, key, { name: "A" })
      const target = yield* createProject(base, key, { name: "B", billable: false })
      const task = yield* call(base, "POST", "/api/tasks", { key, body: { projectId: project.id, name: "T" } })
      const entry = yield* logEntry(base, key, {
        projectId: project.id,
        taskId: task.body.id,
        startTime: "2026-06-09T09:00:00Z",
        durationMinutes: 60
      })
      const patch = (body: unknown) => call(base, "PATCH", `/api/entries/${entry.id}`, { key, body })

      const described = yield* patch({ description: "Fixed the build" })
      expect(described.status).toBe(200)
      expect(described.body).toMatchObject({ description: "Fixed the build", durationSeconds: 3600, taskId: task.body.id })

      const longer = yield* patch({ durationMinutes: 150 })
      expect(longer.body).toMatchObject({ endTime: "2026-06-09T11:30:00.000Z", durationSeconds: 9000 })

      const moved = yield* patch({ startTime: "2026-06-09T10:00:00Z" })
      expect(moved.body).toMatchObject({
        startTime: "2026-06-09T10:00:00.000Z",
        endTime: "2026-06-09T12:30:00.000Z",
        durationSeconds: 9000
      })

      const ended = yield* patch({ endTime: "2026-06-09T10:20:00Z" })
      expect(ended.body).toMatchObject({ durationSeconds: 1200 })

      const reprojected = yield* patch({ projectId: target.id, billable: true, description: null })
      expect(reprojected.body).toMatchObject({ projectId: target.id, taskId: null, billable: true, description: null })

      expectBadInput(yield* patch({ endTime: "2026-06-09T09:00:00Z" }), ["endTime"])
      expectBadInput(yield* patch({ durationMinutes: -5 }), ["durationMinutes"])
      expectBadInput(yield* patch({ durationMinutes: 5000 }), ["durationMinutes"])
      expectBadInput(yield* patch({ userId: uuid() }), ["userId"])
      expectBadInput(yield* patch({ billable: 1 }), ["billable"])
      expectError(yield* patch({ taskId: task.body.id }), 404, "task_not_found")
      const missing = uuid()
      expectError(yield* patch({ projectId: missing }), 404, "project_not_found")
      expectBadInput(yield* call(base, "PATCH", "/api/entries/abc", { key, body: {} }), ["id"])

      const after = yield* call(base, "GET", "/api/entries", { key })
      expect(after.body.entries).toEqual([reprojected.body])
    }))

  it.effect("delete removes the entry; a second delete is 404", () =>
    Effect.gen(function*() {
      yield* setNow(NOW)
      const base = yield* baseUrl
      const { key } = yield* signUp()
      const project = yield* createProject(base, key, { name: "A" })
      const keep = yield* logEntry(base, key, { projectId: project.id, startTime: "2026-06-09T09:00:00Z", durationMinutes: 10 })
      const drop = yield* logEntry(base, key, { projectId: project.id, startTime: "2026-06-09T10:00:00Z", durationMinutes: 10 })
      const deleted = yield* call(base, "DELETE", `/api/entries/${drop.id}`, { key })
      expect(deleted.status).toBe(204)
      expect(deleted.body).toBeNull()
      const list = yield* call(base, "GET", "/api/entries", { key })
      expect(list.body.entries.map((e: any) => e.id)).toEqual([keep.id])
      expectError(yield* call(base, "DELETE", `/api/entries/${drop.id}`, { key }), 404, "entry_not_found")
      expectBadInput(yield* call(base, "DELETE", "/api/entries/42", { key }), ["id"])
    }))

  it.effect("another account's entry is 404 for edit and delete, exactly like a missing one", () =>
    Effect.gen(function*() {
      yield* setNow(NOW)
      const base = yield* baseUrl
      const owner = yield* signUp()
      const stranger = yield* signUp()
      const project = yield* createProject(base, owner.key, { name: "Private" })
      const entry = yield* logEntry(base, owner.key, { projectId: project.id, startTime: "2026-06-09T09:00:00Z", durationMinutes: 10 })
      const missing = uuid()

      expectSameNotFound(
        yield* call(base, "PATCH", `/api/entries/${entry.id}`, { key: stranger.key, body: { description: "mine now" } }),
        entry.id,
        yield* call(base, "PATCH", `/api/entries/${missing}`, { key: stranger.key, body: { description: "mine now" } }),
        missing
      )
      expectSameNotFound(
        yield* call(base, "DELETE", `/api/entries/${entry.id}`, { key: stranger.key }),
        entry.id,
        yield* call(base, "DELETE", `/api/entries/${missing}`, { key: stranger.key }),
        missing
      )
      expectSameNotFound(
        yield* call(base, "GET", `/api/entries?projectId=${project.id}`, { key: stranger.key }),
        project.id,
        yield* call(base, "GET", `/api/entries?projectId=${missing}`, { key: stranger.key }),
        missing
      )
      const theirs = yield* call(base, "GET", "/api/entries", { key: stranger.key })
      expect(theirs.body.entries).toEqual([])
      const still = yield* call(base, "GET", "/api/entries", { key: owner.key })
      expect(still.body.entries).toEqual([entry])
    }))

  it.effect("in a shared workspace only the author may edit or delete an entry (403)", () =>
    Effect.gen(function*() {
      yield* setNow(NOW)
      const base = yield* baseUrl
      const owner = yield* signUp()
      const member = yield* signUp()
      const team = yield* createWorkspace(base, owner.key)
      yield* activateWorkspace(base, owner.key, team)
      const project = yield* createProject(base, owner.key, { name: "Team project" })
      const entry = yield* logEntry(base, owner.key, { projectId: project.id, startTime: "2026-06-09T09:00:00Z", durationMinutes: 10 })
      const { code } = yield* createInvite(base, owner.key, team)
      const joined = yield* call(base, "POST", "/api/workspaces/join", { key: member.key, body: { code } })
      expect(joined.status).toBe(200)
      yield* activateWorkspace(base, member.key, team)

      const edit = yield* call(base, "PATCH", `/api/entries/${entry.id}`, { key: member.key, body: { description: "x" } })
      expectError(edit, 403, "forbidden")
      expect(edit.body.message).toContain("author")
      expectError(yield* call(base, "DELETE", `/api/entries/${entry.id}`, { key: member.key }), 403, "forbidden")

      // the member logs on the shared project and edits their own entry
      const own = yield* logEntry(base, member.key, { projectId: project.id, startTime: "2026-06-09T11:00:00Z", durationMinutes: 20 })
      const ownEdit = yield* call(base, "PATCH", `/api/entries/${own.id}`, { key: member.key, body: { description: "mine" } })
      expect(ownEdit.status).toBe(200)
      expectError(yield* call(base, "DELETE", `/api/entries/${own.id}`, { key: owner.key }), 403, "forbidden")

      const ownerView = yield* call(base, "GET", "/api/entries", { key: owner.key })
      expect(ownerView.body.entries.map((e: any) => e.id)).toEqual([entry.id])
      const unchanged = ownerView.body.entries[0]
      expect(unchanged.description).toBeNull()
    }))

  it.effect("list: newest first, filtered by project and by days, paged with limit and cursor", () =>
    Effect.gen(function*() {
      yield* setNow(NOW)
      const base = yield* baseUrl
      const { key } = yield* signUp()
      const a = yield* createProject(base, key, { name: "A" })
      const b = yield* createProject(base, key, { name: "B" })
      const ids: Record<string, string> = {}
      const days = ["2026-06-01", "2026-06-02", "2026-06-03", "2026-06-04", "2026-06-05"]
      for (const day of days) {
        ids[`a${day}`] = (yield* logEntry(base, key, { projectId: a.id, startTime: `${day}T09:00:00Z`, durationMinutes: 30 })).id
        ids[`b${day}`] = (yield* logEntry(base, key, { projectId: b.id, startTime: `${day}T14:00:00Z`, durationMinutes: 30 })).id
      }
      const all = yield* call(base, "GET", "/api/entries", { key })
      expect(all.status).toBe(200)
      expect(all.body.nextCursor).toBeNull()
      const expectedOrder = [...days].reverse().flatMap((day) => [ids[`b${day}`], ids[`a${day}`]])
      expect(all.body.entries.map((e: any) => e.id)).toEqual(expectedOrder)

      const onlyA = yield* call(base, "GET", `/api/entries?projectId=${a.id}`, { key })
      expect(onlyA.body.entries.map((e: any) => e.id)).toEqual([...days].reverse().map((day) => ids[`a${day}`]))

      const window = yield* call(base, "GET", "/api/entries?from=2026-06-02&to=2026-06-03", { key })
      expect(window.body.entries.map((e: any) => e.id)).toEqual([
        ids["b2026-06-03"],
        ids["a2026-06-03"],
        ids["b2026-06-02"],
        ids["a2026-06-02"]
      ])
      const fromOnly = yield* call(base, "GET", `/api/entries?from=2026-06-05&projectId=${b.id}`, { key })
      expect(fromOnly.body.entries.map((e: any) => e.id)).toEqual([ids["b2026-06-05"]])
      const toOnly = yield* call(base, "GET", "/api/entries?to=2026-06-01", { key })
      expect(toOnly.body.entries).toHaveLength(2)

      // pages of 3 walk the whole list once, in order, then stop
      const seen: Array<string> = []
      let cursor: string | null = null
      let pages = 0
      do {
        const page: any = yield* call(base, "GET", `/api/entries?limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`, { key })
        expect(page.status).toBe(200)
        expect(page.body.entries.length).toBeLessThanOrEqual(3)
        seen.push(...page.body.entries.map((e: any) => e.id))
        cursor = page.body.nextCursor
        pages++
      } while (cursor !== null && pages < 10)
      expect(pages).toBe(4)
      expect(seen).toEqual(expectedOrder)

      // the day boundaries follow the user's timezone
      yield* call(base, "PATCH", "/api/me", { key, body: { timezone: "Asia/Tokyo" } })
      const tokyo = yield* call(base, "GET", `/api/entries?from=2026-06-05&to=2026-06-05`, { key })
      // 2026-06-05T09:00Z and T14:00Z are 18:00 and 23:00 in Tokyo
      expect(tokyo.body.entries.map((e: any) => e.id)).toEqual([ids["b2026-06-05"], ids["a2026-06-05"]])
      const tokyoPrev = yield* call(base, "GET", `/api/entries?from=2026-06-04&to=2026-06-04&projectId=${b.id}`, { key })
      expect(tokyoPrev.body.entries.map((e: any) => e.id)).toEqual([ids["b2026-06-04"]])
    }))

  it.effect("list: bad query parameters are 400 naming the parameter", () =>
    Effect.gen(function*() {
      const base = yield* baseUrl
      const { key } = yield* signUp()
      const get = (query: string) => call(base, "GET", `/api/entries?${query}`, { key })
      expectBadInput(yield* get("limit=0"), ["limit"])
      expectBadInput(yield* get("limit=501"), ["limit"])
      expectBadInput(yield* get("limit=2.5"), ["limit"])
      expectBadInput(yield* get("limit=ten"), ["limit"])
      expectBadInput(yield* get("from=2026-02-30"), ["from"])
      expectBadInput(yield* get("to=June"), ["to"])
      expectBadInput(yield* get("from=2026-06-05&to=2026-06-01"), ["to"])
      expectBadInput(yield* get("projectId=abc"), ["projectId"])
      expectBadInput(yield* get("cursor=not-a-cursor"), ["cursor"])
      expectBadInput(yield* get(`cursor=${Buffer.from("{\"t\":1}").toString("base64url")}`), ["cursor"])
    }))

  it.effect("a read key lists entries but cannot log, edit or delete them (403 naming write)", () =>
    Effect.gen(function*() {
      yield* setNow(NOW)
      const base = yield* baseUrl
      const { key, user } = yield* signUp()
      const project = yield* createProject(base, key, { name: "A" })
      const entry = yield* logEntry(base, key, { projectId: project.id, startTime: "2026-06-09T09:00:00Z", durationMinutes: 10 })
      const read = yield* keyWithScope(user.id, "read")
      const body = { projectId: project.id, startTime: "2026-06-09T10:00:00Z", durationMinutes: 10 }
      for (
        const reply of [
          yield* call(base, "POST", "/api/entries", { key: read, body }),
          yield* call(base, "PATCH", `/api/entries/${entry.id}`, { key: read, body: { description: "x" } }),
          yield* call(base, "DELETE", `/api/entries/${entry.id}`, { key: read })
        ]
      ) {
        expectError(reply, 403, "insufficient_scope")
        expect(reply.body.required).toBe("write")
      }
      const list = yield* call(base, "GET", "/api/entries", { key: read })
      expect(list.body.entries).toEqual([entry])
    }))
})
