import { IdleWatchdog } from "@clockme/domain/services/IdleWatchdog"
import { SqlClient } from "@effect/sql"
import { expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import { agency, createProject, expectBadInput, expectError, keyWithScope, setNow, uuid } from "./lib/Fixtures.js"
import { baseUrl, call, signUp, TestServerManualSweep as TestServer } from "./lib/TestServer.js"

const newKey = (base: string, key: string, body: Record<string, unknown>) =>
  Effect.tap(call(base, "POST", "/api/keys", { key, body }), (reply) => expect(reply.status).toBe(201)).pipe(
    Effect.map((reply) => ({ id: reply.body.key.id as string, secret: reply.body.secret as string, key: reply.body.key }))
  )

layer(TestServer, { timeout: 120_000 })("API key lifecycle and the audit log", (it) => {
  it.effect("an expiring key works until expiresAt, then is a 401 saying it expired, audited once", () =>
    Effect.gen(function*() {
      yield* setNow("2026-06-10T12:00:00Z")
      const base = yield* baseUrl
      const { key } = yield* signUp()
      expectBadInput(yield* call(base, "POST", "/api/keys", { key, body: { expiresAt: "2026-06-10T11:00:00Z" } }), ["expiresAt"])
      expectBadInput(yield* call(base, "POST", "/api/keys", { key, body: { expiresAt: "2026-06-31T11:00:00Z" } }), ["expiresAt"])
      const expiring = yield* newKey(base, key, { label: "ci", expiresAt: "2026-06-10T13:00:00Z" })
      expect(expiring.key.expiresAt).toBe("2026-06-10T13:00:00.000Z")
      expect((yield* call(base, "GET", "/api/projects", { key: expiring.secret })).status).toBe(200)
      yield* setNow("2026-06-10T13:00:00Z")
      for (let i = 0; i < 2; i++) {
        const refused = yield* call(base, "GET", "/api/projects", { key: expiring.secret })
        expectError(refused, 401, "unauthorized")
        expect(refused.body.message).toContain("expired")
      }
      const audit = yield* call(base, "GET", "/api/audit?type=key.expired", { key })
      expect(audit.status).toBe(200)
      expect(audit.body.events.map((e: any) => [e.type, e.targetId, e.actorUserId])).toEqual([["key.expired", expiring.id, null]])
    }))

  it.effect("rotation: a new secret for the same key; the old one works for the grace period, then stops", () =>
    Effect.gen(function*() {
      yield* setNow("2026-06-10T12:00:00Z")
      const base = yield* baseUrl
      const { key, user } = yield* signUp()
      const stranger = yield* signUp()
      const laptop = yield* newKey(base, key, { label: "laptop", scope: "write" })
      const rotated = yield* call(base, "POST", `/api/keys/${laptop.id}/rotate`, { key, body: { graceSeconds: 3600 } })
      expect(rotated.status).toBe(200)
      expect(rotated.body.key).toMatchObject({
        id: laptop.id,
        scope: "write",
        label: "laptop",
        rotatedAt: "2026-06-10T12:00:00.000Z",
        previousSecretExpiresAt: "2026-06-10T13:00:00.000Z"
      })
      const fresh = rotated.body.secret as string
      expect(fresh).not.toBe(laptop.secret)
      expect(fresh.startsWith(rotated.body.key.prefix)).toBe(true)
      for (const secret of [laptop.secret, fresh]) {
        expect((yield* call(base, "GET", "/api/me", { key: secret })).body).toMatchObject({ scope: "write", user: { id: user.id } })
      }
      yield* setNow("2026-06-10T13:00:00Z")
      const old = yield* call(base, "GET", "/api/me", { key: laptop.secret })
      expectError(old, 401, "unauthorized")
      expect(old.body.message).toContain("rotated")
      expect((yield* call(base, "GET", "/api/me", { key: fresh })).status).toBe(200)

      // default grace 24 hours; 0 stops the old secret at once; more than 7 days is refused
      const byDefault = yield* call(base, "POST", `/api/keys/${laptop.id}/rotate`, { key })
      expect(byDefault.body.key.previousSecretExpiresAt).toBe("2026-06-11T13:00:00.000Z")
      const now = yield* call(base, "POST", `/api/keys/${laptop.id}/rotate`, { key, body: { graceSeconds: 0 } })
      expectError(yield* call(base, "GET", "/api/me", { key: byDefault.body.secret }), 401, "unauthorized")
      expect((yield* call(base, "GET", "/api/me", { key: now.body.secret })).status).toBe(200)
      expectBadInput(yield* call(base, "POST", `/api/keys/${laptop.id}/rotate`, { key, body: { graceSeconds: 604801 } }), [
        "graceSeconds"
      ])
      // full scope only; another account's key is 404; a revoked key cannot be rotated
      for (const scope of ["read", "write"] as const) {
        const limited = yield* keyWithScope(user.id, scope)
        expectError(yield* call(base, "POST", `/api/keys/${laptop.id}/rotate`, { key: limited }), 403, "insufficient_scope")
      }
      expectError(yield* call(base, "POST", `/api/keys/${laptop.id}/rotate`, { key: stranger.key }), 404, "api_key_not_found")
      expectError(yield* call(base, "POST", `/api/keys/${uuid()}/rotate`, { key }), 404, "api_key_not_found")
      yield* call(base, "DELETE", `/api/keys/${laptop.id}`, { key })
      expectError(yield* call(base, "POST", `/api/keys/${laptop.id}/rotate`, { key }), 409, "conflict")

      const sql = yield* SqlClient.SqlClient
      const stored = JSON.stringify(yield* sql`SELECT * FROM api_keys WHERE user_id = ${user.id}`)
      for (const secret of [laptop.secret, fresh, byDefault.body.secret, now.body.secret]) expect(stored).not.toContain(secret)
      const audit = yield* call(base, "GET", "/api/audit", { key })
      expect(audit.body.events.map((e: any) => e.type)).toEqual([
        "key.revoked",
        "key.created",
        "key.created",
        "key.rotated",
        "key.rotated",
        "key.rotated",
        "key.created",
        "key.created"
      ])
      expect(audit.body.events[3]).toMatchObject({ targetId: laptop.id, details: { graceSeconds: 0 } })
      expect(JSON.stringify(audit.body)).not.toContain(fresh)
      expect((yield* call(base, "GET", "/api/audit", { key: stranger.key })).body.events.map((e: any) => e.type)).toEqual([
        "key.created"
      ])
    }))

  it.effect("a key restricted to one workspace acts only there; the key that wrote an entry is recorded on it", () =>
    Effect.gen(function*() {
      yield* setNow("2026-06-10T12:00:00Z")
      const { alice, base, bob, ws } = yield* agency
      const stranger = yield* signUp()
      expectError(yield* call(base, "POST", "/api/keys", { key: alice.key, body: { workspaceId: stranger.user.activeWorkspaceId } }), 404, "workspace_not_found")
      const agencyKey = yield* newKey(base, alice.key, { label: "agency", workspaceId: ws })
      expect(agencyKey.key.workspaceId).toBe(ws)
      const me = yield* call(base, "GET", "/api/me", { key: agencyKey.secret })
      expect(me.body.activeWorkspaceId).toBe(ws)
      const project = yield* createProject(base, agencyKey.secret, { name: "Client" })
      expect(project.workspaceId).toBe(ws)
      const personal = alice.user.activeWorkspaceId
      expectError(
        yield* call(base, "GET", "/api/projects", { key: agencyKey.secret, headers: { "x-clockme-workspace": personal } }),
        404,
        "workspace_not_found"
      )
      expect((yield* call(base, "GET", "/api/workspaces", { key: agencyKey.secret })).body.map((w: any) => w.id)).toEqual([ws])
      expectError(yield* call(base, "GET", `/api/workspaces/${personal}`, { key: agencyKey.secret }), 404, "workspace_not_found")
      expectError(yield* call(base, "POST", `/api/workspaces/${personal}/activate`, { key: agencyKey.secret }), 404, "workspace_not_found")
      expectError(yield* call(base, "POST", "/api/workspaces", { key: agencyKey.secret, body: { name: "Escape" } }), 403, "forbidden")
      // the account is not the workspace's: its profile is changed only with an unrestricted key
      const profile = yield* call(base, "PATCH", "/api/me", { key: agencyKey.secret, body: { name: "Taken over", timezone: "Asia/Tokyo" } })
      expectError(profile, 403, "forbidden")
      expect(profile.body.message).toContain("restricted to workspace")
      expect((yield* call(base, "GET", "/api/me", { key: alice.key })).body.user).toMatchObject({ name: alice.user.name })
      // a restricted key cannot mint an unrestricted one, nor see or manage the account's other keys
      expectError(yield* call(base, "POST", "/api/keys", { key: agencyKey.secret, body: {} }), 403, "forbidden")
      const sibling = yield* newKey(base, agencyKey.secret, { label: "sibling", workspaceId: ws })
      expect(sibling.key.workspaceId).toBe(ws)
      expect((yield* call(base, "GET", "/api/keys", { key: agencyKey.secret })).body.map((k: any) => k.id).sort()).toEqual(
        [agencyKey.id, sibling.id].sort()
      )
      const aliceKeys = (yield* call(base, "GET", "/api/keys", { key: alice.key })).body
      const unrestricted = aliceKeys.find((k: any) => k.workspaceId === null).id
      expectError(yield* call(base, "DELETE", `/api/keys/${unrestricted}`, { key: agencyKey.secret }), 404, "api_key_not_found")
      expectError(yield* call(base, "POST", `/api/keys/${unrestricted}/rotate`, { key: agencyKey.secret }), 404, "api_key_not_found")

      // entries record the key that wrote them: a log, a timer stop, a timer the server stopped
      const logged = yield* call(base, "POST", "/api/entries", {
        key: agencyKey.secret,
        body: { projectId: project.id, startTime: "2026-06-10T09:00:00Z", durationMinutes: 30 }
      })
      expect(logged.body.createdByKeyId).toBe(agencyKey.id)
      expect((yield* call(base, "POST", "/api/timer/start", { key: agencyKey.secret, body: { projectId: project.id } })).status).toBe(200)
      const stopped = yield* call(base, "POST", "/api/timer/stop", { key: sibling.secret, body: { projectId: project.id } })
      expect(stopped.body.createdByKeyId).toBe(sibling.id)
      const listed = yield* call(base, "GET", "/api/entries", { key: agencyKey.secret })
      expect(listed.body.entries.map((e: any) => e.createdByKeyId).sort()).toEqual([agencyKey.id, sibling.id].sort())

      const bobKey = yield* newKey(base, bob.key, { label: "bob agency", workspaceId: ws })
      expect((yield* call(base, "POST", "/api/timer/start", { key: bobKey.secret, body: { projectId: project.id } })).status).toBe(200)
      yield* setNow("2026-06-10T12:30:00Z")
      expect((yield* call(base, "DELETE", `/api/workspaces/${ws}/members/${bob.user.id}`, { key: alice.key })).status).toBe(204)
      const byRemoval = (yield* call(base, "GET", `/api/entries?userId=${bob.user.id}`, { key: agencyKey.secret })).body.entries
      expect(byRemoval.map((e: any) => [e.durationSeconds, e.createdByKeyId])).toEqual([[1800, bobKey.id]])
      const orphan = yield* call(base, "GET", "/api/me", { key: bobKey.secret })
      expectError(orphan, 401, "unauthorized")
      expect(orphan.body.message).toContain("no longer")
      expect((yield* call(base, "GET", "/api/me", { key: bob.key })).status).toBe(200)
    }))

  it.effect("a timer the idle watchdog stops records the key that started it", () =>
    Effect.gen(function*() {
      yield* setNow("2026-06-10T12:00:00Z")
      const base = yield* baseUrl
      const { key } = yield* signUp()
      const hook = yield* newKey(base, key, { label: "hook", scope: "write" })
      const project = yield* createProject(base, key, { name: "Idle" })
      const started = yield* call(base, "POST", "/api/timer/start", {
        key: hook.secret,
        body: { projectId: project.id, source: "hook" }
      })
      expect(started.status).toBe(200)
      yield* setNow("2026-06-10T13:00:00Z")
      yield* Effect.flatMap(IdleWatchdog, (watchdog) => watchdog.sweep)
      const entries = (yield* call(base, "GET", "/api/entries", { key })).body.entries
      expect(entries.map((e: any) => [e.stopReason, e.createdByKeyId])).toEqual([["idle", hook.id]])
    }))

  it.effect("the audit log: members, roles and invites for the workspace's owners; each account its own events", () =>
    Effect.gen(function*() {
      yield* setNow("2026-06-10T12:00:00Z")
      const { alice, base, bob, invite, ws } = yield* agency
      const carol = yield* signUp()
      yield* call(base, "POST", "/api/workspaces/join", { key: carol.key, body: { code: invite.code } })
      yield* call(base, "PATCH", `/api/workspaces/${ws}/members/${carol.user.id}`, { key: alice.key, body: { role: "owner" } })
      yield* call(base, "PATCH", `/api/workspaces/${ws}/members/${carol.user.id}`, { key: alice.key, body: { role: "member" } })
      yield* call(base, "DELETE", `/api/workspaces/${ws}/invites/${invite.id}`, { key: alice.key })
      yield* call(base, "POST", `/api/workspaces/${ws}/leave`, { key: carol.key })
      yield* call(base, "DELETE", `/api/workspaces/${ws}/members/${bob.user.id}`, { key: alice.key })

      const forOwner = yield* call(base, "GET", `/api/audit?workspaceId=${ws}`, { key: alice.key })
      expect(forOwner.status).toBe(200)
      expect(forOwner.body.events.map((e: any) => e.type)).toEqual([
        "member.removed",
        "member.left",
        "invite.revoked",
        "member.role_changed",
        "member.role_changed",
        "member.joined",
        "member.joined",
        "invite.created"
      ])
      const removed = forOwner.body.events[0]
      expect(removed).toMatchObject({ actorUserId: alice.user.id, userId: bob.user.id, workspaceId: ws, targetId: bob.user.id })
      expect(removed.actorKeyId).toEqual(expect.any(String))
      expect(forOwner.body.events[4].details).toMatchObject({ from: "member", to: "owner" })
      expect(JSON.stringify(forOwner.body)).not.toContain(invite.code)

      const forBob = yield* call(base, "GET", "/api/audit", { key: bob.key })
      expect(forBob.body.events.map((e: any) => e.type)).toEqual(["member.removed", "member.joined", "key.created"])
      expectError(yield* call(base, "GET", `/api/audit?workspaceId=${ws}`, { key: bob.key }), 404, "workspace_not_found")
      const stranger = yield* signUp()
      expectError(yield* call(base, "GET", `/api/audit?workspaceId=${ws}`, { key: stranger.key }), 404, "workspace_not_found")
      expect((yield* call(base, "GET", "/api/audit", { key: stranger.key })).body.events.map((e: any) => e.type)).toEqual([
        "key.created"
      ])
      const read = yield* keyWithScope(alice.user.id, "read")
      expect((yield* call(base, "GET", "/api/audit?limit=2", { key: read })).body.events).toHaveLength(2)
      expectBadInput(yield* call(base, "GET", "/api/audit?type=key.stolen", { key: read }), ["type"])
    }))
})
