import { SqlClient } from "@effect/sql"
import { expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import { agency, createProject, expectBadInput, expectError, keyWithScope, logEntry, setNow } from "./lib/Fixtures.js"
import { callTool, connectMcp } from "./lib/McpClient.js"
import { baseUrl, call, signUp, TestServerManualSweep as TestServer } from "./lib/TestServer.js"

/** Alice owns the shared workspace "Agency" and acts in it; Bob joined it as a member and acts in his personal one. */
const team = Effect.tap(agency, ({ alice, base, ws }) =>
  Effect.map(call(base, "POST", `/api/workspaces/${ws}/activate`, { key: alice.key }), (reply) => expect(reply.status).toBe(200)))

layer(TestServer, { timeout: 120_000 })("domain rules found by the probe", (it) => {
  it.effect("a timer cannot be moved across workspaces; a removed member can write nothing in the workspace", () =>
    Effect.gen(function*() {
      yield* setNow("2026-07-01T12:00:00Z")
      const { alice, base, bob, inWs, ws } = yield* team
      const shared = yield* createProject(base, alice.key, { name: "Client", budgetHours: 1, budgetHardCap: true })
      expect(shared.workspaceId).toBe(ws)
      const personal = yield* createProject(base, bob.key, { name: "Mine" })

      // Bob's personal timer cannot be moved onto the shared project (through the header or after activating)
      expect((yield* call(base, "POST", "/api/timer/start", { key: bob.key, body: { projectId: personal.id } })).status).toBe(200)
      const moveIn = yield* call(base, "PATCH", "/api/timer", {
        key: bob.key,
        headers: inWs,
        body: { currentProjectId: personal.id, projectId: shared.id }
      })
      expectError(moveIn, 404, "timer_not_running")
      const moveInSplit = yield* call(base, "PATCH", "/api/timer", {
        key: bob.key,
        headers: inWs,
        body: { currentProjectId: personal.id, projectId: shared.id, split: true }
      })
      expectError(moveInSplit, 404, "timer_not_running")
      const stillPersonal = yield* call(base, "GET", "/api/timer/current", { key: bob.key })
      expect(stillPersonal.body.timers.map((t: any) => t.projectId)).toEqual([personal.id])
      expect((yield* call(base, "GET", "/api/timer/current", { key: bob.key, headers: inWs })).body.timers).toEqual([])

      // nor a shared timer onto a personal project
      expect((yield* call(base, "POST", "/api/timer/start", { key: bob.key, headers: inWs, body: { projectId: shared.id } })).status)
        .toBe(200)
      const moveOut = yield* call(base, "PATCH", "/api/timer", {
        key: bob.key,
        body: { currentProjectId: shared.id, projectId: personal.id }
      })
      expectError(moveOut, 404, "timer_not_running")
      const sql = yield* SqlClient.SqlClient
      const mismatched = yield* sql<{ n: number }>`
        SELECT count(*)::int AS n FROM timers t JOIN projects p ON p.id = t.project_id WHERE t.workspace_id <> p.workspace_id`
      expect(mismatched[0]!.n).toBe(0)

      // removal stops the shared timer into an entry in the shared workspace, which the owner sees
      yield* setNow("2026-07-01T13:30:00Z")
      expect((yield* call(base, "DELETE", `/api/workspaces/${ws}/members/${bob.user.id}`, { key: alice.key })).status).toBe(204)
      const bobTimers = yield* call(base, "GET", "/api/timer/current", { key: bob.key })
      expect(bobTimers.body.timers.map((t: any) => t.projectId)).toEqual([personal.id])
      const seen = yield* call(base, "GET", "/api/entries?scope=workspace", { key: alice.key, headers: inWs })
      expect(seen.body.entries.map((e: any) => [e.userId, e.projectId, e.durationSeconds])).toEqual([
        [bob.user.id, shared.id, 5400]
      ])
      const entryId = seen.body.entries[0].id as string
      const alerts = yield* call(base, "GET", "/api/alerts", { key: alice.key, headers: inWs })
      expect(alerts.body.alerts.map((a: any) => a.threshold).sort()).toEqual([100, 80])

      // Bob can no longer write anything there, his old entry included
      expectError(yield* call(base, "POST", "/api/timer/stop", { key: bob.key, body: { projectId: shared.id } }), 404, "timer_not_running")
      expectError(
        yield* call(base, "PATCH", `/api/entries/${entryId}`, { key: bob.key, body: { durationMinutes: 1440 } }),
        404,
        "entry_not_found"
      )
      expectError(yield* call(base, "DELETE", `/api/entries/${entryId}`, { key: bob.key }), 404, "entry_not_found")
      const viaHeader = yield* call(base, "PATCH", `/api/entries/${entryId}`, { key: bob.key, headers: inWs, body: { description: "x" } })
      expectError(viaHeader, 404, "workspace_not_found")
      expectError(
        yield* call(base, "POST", "/api/entries", {
          key: bob.key,
          body: { projectId: shared.id, startTime: "2026-07-01T08:00:00Z", durationMinutes: 60 }
        }),
        404,
        "project_not_found"
      )
      const after = yield* call(base, "GET", "/api/entries?scope=workspace", { key: alice.key, headers: inWs })
      expect(after.body.entries.map((e: any) => e.durationSeconds)).toEqual([5400])
    }))

  it.effect("a timezone PostgreSQL does not know is a 400 naming timezone; a stored one falls back to UTC", () =>
    Effect.gen(function*() {
      yield* setNow("2026-07-01T12:00:00Z")
      const base = yield* baseUrl
      const { key, user } = yield* signUp()
      expectBadInput(yield* call(base, "PATCH", "/api/me", { key, body: { timezone: "US/Pacific-New" } }), ["timezone"])
      expectBadInput(yield* call(base, "PATCH", "/api/me", { key, body: { timezone: "Mars/Olympus" } }), ["timezone"])
      const fine = yield* call(base, "PATCH", "/api/me", { key, body: { timezone: "America/Los_Angeles" } })
      expect(fine.status).toBe(200)
      expect(fine.body.user.timezone).toBe("America/Los_Angeles")

      const sql = yield* SqlClient.SqlClient
      yield* sql`UPDATE users SET timezone = 'US/Pacific-New' WHERE id = ${user.id}`
      const project = yield* createProject(base, key, { name: "Tz" })
      yield* logEntry(base, key, { projectId: project.id, startTime: "2026-07-01T09:00:00Z", durationMinutes: 30 })
      for (
        const path of [
          "/api/reports?from=2026-07-01&to=2026-07-31",
          "/api/reports?from=2026-07-01&to=2026-07-31&groupBy=day",
          "/api/dashboard",
          "/api/entries?from=2026-07-01&to=2026-07-02",
          `/api/workspaces/${user.activeWorkspaceId}/summary?from=2026-07-01&to=2026-07-31`,
          "/api/me"
        ]
      ) {
        const reply = yield* call(base, "GET", path, { key })
        expect(reply.status, path).toBe(200)
      }
      expect((yield* call(base, "GET", "/api/me", { key })).body.user.timezone).toBe("UTC")
    }))

  it.effect("an entries cursor with an out-of-range date is a 400 naming cursor, on REST and MCP", () =>
    Effect.gen(function*() {
      yield* setNow("2026-07-01T12:00:00Z")
      const base = yield* baseUrl
      const { key } = yield* signUp()
      const id = "00000000-0000-4000-8000-000000000001"
      const client = yield* connectMcp(base, key)
      for (const t of ["-271821-04-20T00:00:00.000Z", "+275760-09-13T00:00:00.000Z", "2026-02-30T00:00:00.000Z"]) {
        const cursor = Buffer.from(JSON.stringify({ t, id })).toString("base64url")
        expectBadInput(yield* call(base, "GET", `/api/entries?cursor=${cursor}`, { key }), ["cursor"])
        const tool = yield* callTool(client, "clockme_list_entries", { cursor })
        expect({ isError: tool.isError, code: tool.data?.code, field: tool.data?.field }).toEqual({
          isError: true,
          code: "invalid_input",
          field: "cursor"
        })
      }
    }).pipe(Effect.scoped))

  it.effect("in a shared workspace only owners change money, budgets and archiving; members create and rename", () =>
    Effect.gen(function*() {
      yield* setNow("2026-07-01T12:00:00Z")
      const { alice, base, bob, inWs } = yield* team
      const bobWrite = yield* keyWithScope(bob.user.id, "write")
      const project = yield* createProject(base, alice.key, { name: "Site", hourlyRate: 100 })
      const asBob = (method: string, path: string, body?: unknown) =>
        call(base, method, path, { key: bobWrite, headers: inWs, ...(body === undefined ? {} : { body }) })
      for (
        const patch of [
          { hourlyRate: 1 },
          { hourlyRate: null },
          { budgetHours: 1000 },
          { budgetAmount: 5 },
          { budgetPeriod: "monthly" },
          { budgetHardCap: true },
          { billable: false },
          { archived: true },
          { name: "Site 2", hourlyRate: 1 }
        ]
      ) {
        const refused = yield* asBob("PATCH", `/api/projects/${project.id}`, patch)
        expectError(refused, 403, "forbidden")
        expect(refused.body.message).toContain("owner")
      }
      const unchanged = yield* call(base, "GET", `/api/projects/${project.id}`, { key: alice.key, headers: inWs })
      expect(unchanged.body).toMatchObject({ name: "Site", hourlyRate: 100, archived: false, billable: true })

      const renamed = yield* asBob("PATCH", `/api/projects/${project.id}`, { name: "Site (new)", color: "#112233" })
      expect(renamed.status).toBe(200)
      expect(renamed.body).toMatchObject({ name: "Site (new)", color: "#112233", hourlyRate: 100 })
      expect((yield* asBob("POST", "/api/projects", { name: "Bob's" })).status).toBe(201)
      expectError(yield* asBob("POST", "/api/projects", { name: "Pricy", hourlyRate: 500 }), 403, "forbidden")
      expectError(yield* asBob("POST", "/api/projects", { name: "Capped", budgetHours: 1 }), 403, "forbidden")
      const task = yield* asBob("POST", "/api/tasks", { projectId: project.id, name: "Copy" })
      expect(task.status).toBe(201)
      expectError(yield* asBob("POST", "/api/tasks", { projectId: project.id, name: "Rate", hourlyRate: 900 }), 403, "forbidden")

      const byOwner = yield* call(base, "PATCH", `/api/projects/${project.id}`, {
        key: alice.key,
        headers: inWs,
        body: { hourlyRate: 120, budgetHours: 10, budgetHardCap: true, archived: true }
      })
      expect(byOwner.status).toBe(200)
      // in his personal workspace Bob is the owner of everything
      const own = yield* createProject(base, bobWrite, { name: "Home", hourlyRate: 50 })
      expect((yield* call(base, "PATCH", `/api/projects/${own.id}`, { key: bobWrite, body: { archived: true } })).status).toBe(200)
    }))

  it.effect("impossible instants, lone surrogates and sub-second durations are refused naming the field", () =>
    Effect.gen(function*() {
      yield* setNow("2026-07-01T12:00:00Z")
      const { alice, base, inWs, ws } = yield* team
      const key = alice.key
      const project = yield* createProject(base, key, { name: "Input" })
      const post = (body: Record<string, unknown>) =>
        call(base, "POST", "/api/entries", { key, body: { projectId: project.id, ...body } })
      for (const startTime of ["2026-02-30T00:00:00Z", "2026-04-31T09:00:00Z", "2026-06-01T24:00:00Z", "2026-06-01T10:60:00Z", "2026-06-01T10:00:61Z", "2026-13-01T10:00:00Z", "2026-06-01T10:00:00+25:00"]) {
        expectBadInput(yield* post({ startTime, durationMinutes: 5 }), ["startTime"])
      }
      expectBadInput(yield* post({ startTime: "2026-06-01T10:00:00Z", endTime: "2026-06-31T10:00:00Z" }), ["endTime"])
      expectBadInput(yield* post({ startTime: "2026-06-01T10:00:00Z", durationMinutes: 0.001 }), ["durationMinutes"])
      expectBadInput(yield* post({ startTime: "2026-06-01T10:00:00Z", endTime: "2026-06-01T10:00:00.400Z" }), ["endTime"])
      expectBadInput(yield* post({ startTime: "2026-06-01T10:00:00Z", durationMinutes: 5, description: "a\ud800b" }), ["description"])
      expectBadInput(yield* post({ startTime: "2026-06-01T10:00:00Z", durationMinutes: 5, description: "\udc00" }), ["description"])
      const second = yield* post({ startTime: "2026-06-01T10:00:00Z", durationMinutes: 1 / 60, description: "ok \ud83d\ude00" })
      expect(second.status).toBe(201)
      expect(second.body).toMatchObject({ durationSeconds: 1, description: "ok \ud83d\ude00" })
      const patch = (body: Record<string, unknown>) => call(base, "PATCH", `/api/entries/${second.body.id}`, { key, body })
      expectBadInput(yield* patch({ startTime: "2026-02-29T10:00:00Z" }), ["startTime"])
      expectBadInput(yield* patch({ durationMinutes: 0.01 }), ["durationMinutes"])
      expectBadInput(yield* patch({ description: "\ud800" }), ["description"])

      expectBadInput(yield* call(base, "POST", "/api/projects", { key, body: { name: "x\ud800" } }), ["name"])
      expectBadInput(yield* call(base, "PATCH", `/api/projects/${project.id}`, { key, body: { name: "\udfff" } }), ["name"])
      expectBadInput(yield* call(base, "POST", "/api/tasks", { key, body: { projectId: project.id, name: "t\ud800" } }), ["name"])
      expectBadInput(yield* call(base, "POST", "/api/workspaces", { key, body: { name: "w\ud800" } }), ["name"])
      expectBadInput(yield* call(base, "PATCH", "/api/me", { key, body: { name: "\ud800" } }), ["name"])
      expectBadInput(yield* call(base, "POST", "/api/keys", { key, body: { label: "\ud800" } }), ["label"])
      expectBadInput(yield* call(base, "POST", "/api/timer/start", { key, body: { projectName: "p\ud800" } }), ["projectName"])
      expectBadInput(
        yield* call(base, "POST", "/api/timer/start", { key, body: { projectId: project.id, description: "\ud800" } }),
        ["description"]
      )
      expectBadInput(yield* call(base, "POST", `/api/workspaces/${ws}/invites`, { key, body: { expiresAt: "2027-02-29T00:00:00Z" } }), [
        "expiresAt"
      ])
      expectBadInput(yield* call(base, "POST", `/api/workspaces/${ws}/invites`, { key, body: { expiresAt: "June 9 2027" } }), [
        "expiresAt"
      ])
      const stored = yield* call(base, "GET", "/api/entries", { key })
      expect(stored.body.entries).toHaveLength(1)
      expect((yield* call(base, "GET", "/api/projects", { key, headers: inWs })).body.map((p: any) => p.name)).toEqual(["Input"])
    }))

  it.effect("invite codes are owner-management data: listing them needs a full key", () =>
    Effect.gen(function*() {
      yield* setNow("2026-07-01T12:00:00Z")
      const { alice, base, ws } = yield* team
      for (const scope of ["read", "write"] as const) {
        const limited = yield* keyWithScope(alice.user.id, scope)
        const refused = yield* call(base, "GET", `/api/workspaces/${ws}/invites`, { key: limited })
        expectError(refused, 403, "insufficient_scope")
        expect(refused.body.required).toBe("full")
        expect(JSON.stringify(refused.body)).not.toMatch(/"code":"[A-Za-z0-9_-]{20,}"/)
      }
      const listed = yield* call(base, "GET", `/api/workspaces/${ws}/invites`, { key: alice.key })
      expect(listed.status).toBe(200)
      expect(listed.body).toHaveLength(1)
    }))
})
