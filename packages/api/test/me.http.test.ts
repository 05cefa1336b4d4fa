import { expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import { expectBadInput, expectError, keyWithScope } from "./lib/Fixtures.js"
import { baseUrl, call, signUp, TestServerManualSweep as TestServer } from "./lib/TestServer.js"

layer(TestServer, { timeout: 120_000 })("me over HTTP", (it) => {
  it.effect("GET /api/me: the key's account, active workspace and scope", () =>
    Effect.gen(function*() {
      const base = yield* baseUrl
      const { key, user } = yield* signUp({ plan: "pro" })
      const reply = yield* call(base, "GET", "/api/me", { key })
      expect(reply.status).toBe(200)
      expect(reply.body).toMatchObject({
        user: { id: user.id, email: user.email, plan: "pro", timezone: "UTC", weekStart: "monday" },
        activeWorkspaceId: user.activeWorkspaceId,
        scope: "full"
      })
      expect(JSON.stringify(reply.body)).not.toContain("ck_live_")
      const read = yield* keyWithScope(user.id, "read")
      const asRead = yield* call(base, "GET", "/api/me", { key: read })
      expect(asRead.body.scope).toBe("read")
      expect(asRead.body.user.id).toBe(user.id)
    }))

  it.effect("PATCH /api/me changes name, timezone and week start, and they stay changed", () =>
    Effect.gen(function*() {
      const base = yield* baseUrl
      const { key, user } = yield* signUp()
      const patched = yield* call(base, "PATCH", "/api/me", {
        key,
        body: { name: "  Ada Lovelace ", timezone: "Europe/Berlin", weekStart: "sunday" }
      })
      expect(patched.status).toBe(200)
      expect(patched.body.user).toMatchObject({ id: user.id, name: "Ada Lovelace", timezone: "Europe/Berlin", weekStart: "sunday" })
      const partial = yield* call(base, "PATCH", "/api/me", { key, body: { timezone: "America/Los_Angeles" } })
      expect(partial.body.user).toMatchObject({ name: "Ada Lovelace", timezone: "America/Los_Angeles", weekStart: "sunday" })
      const empty = yield* call(base, "PATCH", "/api/me", { key, body: {} })
      expect(empty.status).toBe(200)
      const got = yield* call(base, "GET", "/api/me", { key })
      expect(got.body.user).toEqual(partial.body.user)

      const write = yield* keyWithScope(user.id, "write")
      const denied = yield* call(base, "PATCH", "/api/me", { key: write, body: { weekStart: "monday" } })
      expect(denied.status).toBe(403)
      expect(denied.body.required).toBe("full")
    }))

  it.effect("PATCH /api/me: bad input is 400 naming the field; a read key is 403", () =>
    Effect.gen(function*() {
      const base = yield* baseUrl
      const { key, user } = yield* signUp()
      const patch = (body: unknown, k = key) => call(base, "PATCH", "/api/me", { key: k, body })
      expectBadInput(yield* patch({ timezone: "Mars/Olympus" }), ["timezone"])
      expectBadInput(yield* patch({ timezone: 2 }), ["timezone"])
      expectBadInput(yield* patch({ weekStart: "friday" }), ["weekStart"])
      expectBadInput(yield* patch({ name: "" }), ["name"])
      expectBadInput(yield* patch({ email: "new@example.com" }), ["email"])
      expectBadInput(yield* patch({ plan: "team" }), ["plan"])
      expectBadInput(yield* patch(null), [])
      expectError(
        yield* call(base, "PATCH", "/api/me", { key, rawBody: "{'name': 'x'}", headers: { "content-type": "application/json" } }),
        400,
        "malformed_json"
      )
      const read = yield* keyWithScope(user.id, "read")
      const denied = yield* patch({ name: "Nope" }, read)
      expectError(denied, 403, "insufficient_scope")
      expect(denied.body.required).toBe("full")
      const unchanged = yield* call(base, "GET", "/api/me", { key })
      expect(unchanged.body.user).toMatchObject({ name: user.name, timezone: "UTC", weekStart: "monday", plan: user.plan })
    }))
})
