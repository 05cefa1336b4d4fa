import { expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import {
  createProject,
  expectBadInput,
  expectError,
  expectSameNotFound,
  activateWorkspace,
  createInvite,
  createWorkspace,
  keyWithScope,
  logEntry,
  setNow,
  uuid
} from "./lib/Fixtures.js"
import { baseUrl, call, signUp, TestServerManualSweep as TestServer } from "./lib/TestServer.js"

layer(TestServer, { timeout: 120_000 })("workspaces over HTTP", (it) => {
  it.effect("a new account belongs to its personal workspace as owner", () =>
    Effect.gen(function*() {
      const base = yield* baseUrl
      const { key, user } = yield* signUp()
      const reply = yield* call(base, "GET", "/api/workspaces", { key })
      expect(reply.status).toBe(200)
      expect(reply.body).toEqual([
        expect.objectContaining({
          id: user.activeWorkspaceId,
          kind: "personal",
          role: "owner",
          memberCount: 1,
          currency: "USD",
          active: true
        })
      ])
      const read = yield* keyWithScope(user.id, "read")
      expect((yield* call(base, "GET", "/api/workspaces", { key: read })).body).toEqual(reply.body)
    }))

  it.effect("join by invite code: member of the workspace, counted, and idempotent", () =>
    Effect.gen(function*() {
      const base = yield* baseUrl
      const owner = yield* signUp()
      const member = yield* signUp()
      const workspaceId = yield* createWorkspace(base, owner.key)
      const { code } = yield* createInvite(base, owner.key, workspaceId)

      const joined = yield* call(base, "POST", "/api/workspaces/join", { key: member.key, body: { code } })
      expect(joined.status).toBe(200)
      expect(joined.body).toMatchObject({
        alreadyMember: false,
        workspace: { id: workspaceId, role: "member", memberCount: 2, active: false }
      })
      const again = yield* call(base, "POST", "/api/workspaces/join", { key: member.key, body: { code: `  ${code} ` } })
      expect(again.status).toBe(200)
      expect(again.body).toMatchObject({ alreadyMember: true, workspace: { id: workspaceId, memberCount: 2 } })

      const memberList = yield* call(base, "GET", "/api/workspaces", { key: member.key })
      expect(memberList.body.map((w: any) => [w.id, w.role, w.active]).sort()).toEqual([
        [member.user.activeWorkspaceId, "owner", true],
        [workspaceId, "member", false]
      ].sort())
      const ownerList = yield* call(base, "GET", "/api/workspaces", { key: owner.key })
      expect(ownerList.body).toContainEqual(expect.objectContaining({ id: workspaceId, kind: "shared", role: "owner", memberCount: 2 }))
    }))

  it.effect("an unknown or unusable code is refused and joins nothing", () =>
    Effect.gen(function*() {
      yield* setNow("2026-06-10T12:00:00Z")
      const base = yield* baseUrl
      const owner = yield* signUp()
      const member = yield* signUp()
      const unknown = yield* call(base, "POST", "/api/workspaces/join", { key: member.key, body: { code: "NO-SUCH-CODE" } })
      expectError(unknown, 404, "invite_invalid")

      const team = yield* createWorkspace(base, owner.key)
      const expired = yield* createInvite(base, owner.key, team, { expiresAt: "2026-06-10T13:00:00Z" })
      const revoked = yield* createInvite(base, owner.key, team)
      expect((yield* call(base, "DELETE", `/api/workspaces/${team}/invites/${revoked.id}`, { key: owner.key })).status).toBeLessThan(300)
      yield* setNow("2026-06-10T13:00:01Z")
      for (const { code } of [expired, revoked]) {
        const reply = yield* call(base, "POST", "/api/workspaces/join", { key: member.key, body: { code } })
        expect(reply.status).toBeGreaterThanOrEqual(400)
        expect(reply.status).toBeLessThan(500)
        expect(typeof reply.body.code).toBe("string")
      }
      const list = yield* call(base, "GET", "/api/workspaces", { key: member.key })
      expect(list.body).toHaveLength(1)
    }))

  it.effect("join: bad input is 400 naming the field; a read key is 403 naming write", () =>
    Effect.gen(function*() {
      const base = yield* baseUrl
      const { key, user } = yield* signUp()
      const join = (body: unknown, k = key) => call(base, "POST", "/api/workspaces/join", { key: k, body })
      expectBadInput(yield* join({}), ["code"])
      expectBadInput(yield* join({ code: 1234 }), ["code"])
      expectBadInput(yield* join({ code: "   " }), ["code"])
      expectBadInput(yield* join({ code: "ABC", role: "owner" }), ["role"])
      expectError(
        yield* call(base, "POST", "/api/workspaces/join", { key, rawBody: "code=ABC", headers: { "content-type": "application/json" } }),
        400,
        "malformed_json"
      )
      const read = yield* keyWithScope(user.id, "read")
      const denied = yield* join({ code: "ABC" }, read)
      expectError(denied, 403, "insufficient_scope")
      expect(denied.body.required).toBe("full")
    }))

  it.effect("summary: hours by member and by project for members; 404 for anyone else", () =>
    Effect.gen(function*() {
      yield* setNow("2026-06-10T12:00:00Z")
      const base = yield* baseUrl
      const owner = yield* signUp()
      const member = yield* signUp()
      const outsider = yield* signUp()
      const workspaceId = yield* createWorkspace(base, owner.key)
      yield* activateWorkspace(base, owner.key, workspaceId)
      const web = yield* createProject(base, owner.key, { name: "Web" })
      const api = yield* createProject(base, owner.key, { name: "Api" })
      yield* logEntry(base, owner.key, { projectId: web.id, startTime: "2026-06-02T09:00:00Z", durationMinutes: 90 })
      yield* logEntry(base, owner.key, { projectId: api.id, startTime: "2026-06-03T09:00:00Z", durationMinutes: 30, billable: false })
      yield* logEntry(base, owner.key, { projectId: web.id, startTime: "2026-05-20T09:00:00Z", durationMinutes: 600 })

      const reply = yield* call(base, "GET", `/api/workspaces/${workspaceId}/summary?from=2026-06-01&to=2026-06-30`, { key: owner.key })
      expect(reply.status).toBe(200)
      expect(reply.body).toMatchObject({ workspaceId, from: "2026-06-01", to: "2026-06-30", totalHours: 2 })
      expect(reply.body.byMember).toEqual([
        expect.objectContaining({ userId: owner.user.id, email: owner.user.email, hours: 2, billableHours: 1.5, entries: 2 })
      ])
      expect(reply.body.byProject).toEqual([
        expect.objectContaining({ projectId: api.id, name: "Api", hours: 0.5, billableHours: 0, entries: 1 }),
        expect.objectContaining({ projectId: web.id, name: "Web", hours: 1.5, billableHours: 1.5, entries: 1 })
      ])
      expect(reply.body.byMemberProject).toHaveLength(2)

      // a member who joined may read it; someone else gets the same 404 as for a workspace that does not exist
      const { code } = yield* createInvite(base, owner.key, workspaceId)
      yield* call(base, "POST", "/api/workspaces/join", { key: member.key, body: { code } })
      const asMember = yield* call(base, "GET", `/api/workspaces/${workspaceId}/summary?from=2026-06-01&to=2026-06-30`, { key: member.key })
      expect(asMember.status).toBe(200)
      expect(asMember.body.totalHours).toBe(2)
      const missing = uuid()
      expectSameNotFound(
        yield* call(base, "GET", `/api/workspaces/${workspaceId}/summary`, { key: outsider.key }),
        workspaceId,
        yield* call(base, "GET", `/api/workspaces/${missing}/summary`, { key: outsider.key }),
        missing
      )
      expectError(yield* call(base, "GET", `/api/workspaces/${missing}/summary`, { key: outsider.key }), 404, "workspace_not_found")

      const read = yield* keyWithScope(owner.user.id, "read")
      expect((yield* call(base, "GET", `/api/workspaces/${workspaceId}/summary`, { key: read })).status).toBe(200)

      expectBadInput(yield* call(base, "GET", "/api/workspaces/nope/summary", { key: owner.key }), ["id"])
      expectBadInput(yield* call(base, "GET", `/api/workspaces/${workspaceId}/summary?from=2026-6-1`, { key: owner.key }), ["from"])
      expectBadInput(
        yield* call(base, "GET", `/api/workspaces/${workspaceId}/summary?from=2026-06-05&to=2026-06-01`, { key: owner.key }),
        ["to"]
      )
    }))
})
