import { ADMISSION_CACHE_MILLIS } from "@clockme/domain/services/AdmissionCache"
import { SqlClient } from "@effect/sql"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, TestClock } from "effect"
import { baseUrl, call, signUp, TestServerManualSweep } from "./lib/TestServer.js"

describe("admission is cached by key hash for a bounded time", () => {
  it.scoped("a revoke on this node is refused at once; one written by another node within the bound", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(Date.parse("2026-06-01T09:00:00.000Z"))
      const context = yield* Layer.build(TestServerManualSweep)
      const base = yield* Effect.provide(baseUrl, context)
      const sql = yield* Effect.provide(SqlClient.SqlClient, context)
      const owner = yield* Effect.provide(signUp(), context)

      const created = yield* call(base, "POST", "/api/keys", { key: owner.key, body: { scope: "write", label: "here" } })
      expect(created.status).toBe(201)
      expect((yield* call(base, "GET", "/api/timer/current", { key: created.body.secret })).status).toBe(200)
      const revoked = yield* call(base, "DELETE", `/api/keys/${created.body.key.id}`, { key: owner.key })
      expect(revoked.status).toBe(200)
      const refused = yield* call(base, "GET", "/api/timer/current", { key: created.body.secret })
      expect(refused.status).toBe(401)
      expect(refused.body.message).toContain("revoked")

      // Another server on the same database revokes the owner's key: this node still holds its row…
      expect((yield* call(base, "GET", "/api/timer/current", { key: owner.key })).status).toBe(200)
      yield* sql`UPDATE api_keys SET revoked_at = now() WHERE user_id = ${owner.user.id}`
      expect((yield* call(base, "GET", "/api/timer/current", { key: owner.key })).status).toBe(200)
      yield* TestClock.adjust(`${ADMISSION_CACHE_MILLIS - 1} millis`)
      expect((yield* call(base, "GET", "/api/timer/current", { key: owner.key })).status).toBe(200)
      // …until the bound, when it reads the row again.
      yield* TestClock.adjust("1 millis")
      expect((yield* call(base, "GET", "/api/timer/current", { key: owner.key })).status).toBe(401)
    }))

  it.scoped("a workspace switch and a role change on this node are seen by the next request", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(Date.parse("2026-06-01T09:00:00.000Z"))
      const context = yield* Layer.build(TestServerManualSweep)
      const base = yield* Effect.provide(baseUrl, context)
      const owner = yield* Effect.provide(signUp(), context)
      const member = yield* Effect.provide(signUp(), context)
      const shared = yield* call(base, "POST", "/api/workspaces", { key: owner.key, body: { name: "Team" } })
      const invite = yield* call(base, "POST", `/api/workspaces/${shared.body.id}/invites`, { key: owner.key, body: {} })
      expect((yield* call(base, "POST", "/api/workspaces/join", { key: member.key, body: { code: invite.body.code } })).status)
        .toBe(200)
      expect((yield* call(base, "GET", "/api/me", { key: member.key })).body.activeWorkspaceId).not.toBe(shared.body.id)
      yield* call(base, "POST", `/api/workspaces/${shared.body.id}/activate`, { key: member.key })
      const project = yield* call(base, "POST", "/api/projects", { key: member.key, body: { name: "Shared work" } })
      expect(project.status).toBe(201)
      expect(project.body.workspaceId).toBe(shared.body.id)

      const promoted = yield* call(base, "PATCH", `/api/workspaces/${shared.body.id}/members/${member.user.id}`, {
        key: owner.key,
        body: { role: "owner" }
      })
      expect(promoted.status).toBe(200)
      const renamed = yield* call(base, "PATCH", `/api/workspaces/${shared.body.id}`, { key: member.key, body: { name: "Ours" } })
      expect(renamed.status).toBe(200)
    }))

  it.scoped("\"last used\" is written at most once a minute per key, not on every request", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(Date.parse("2026-06-01T09:00:00.000Z"))
      const context = yield* Layer.build(TestServerManualSweep)
      const base = yield* Effect.provide(baseUrl, context)
      const owner = yield* Effect.provide(signUp(), context)
      const lastUsed = Effect.map(call(base, "GET", "/api/keys", { key: owner.key }), (reply) => reply.body[0].lastUsedAt)

      expect(yield* lastUsed).toBe("2026-06-01T09:00:00.000Z")
      yield* TestClock.adjust("59 seconds")
      expect(yield* lastUsed).toBe("2026-06-01T09:00:00.000Z")
      yield* TestClock.adjust("1 seconds")
      expect(yield* lastUsed).toBe("2026-06-01T09:01:00.000Z")
    }))
})
