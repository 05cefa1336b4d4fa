import { SqlClient } from "@effect/sql"
import { expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import { expectBadInput, expectError, expectSameNotFound, keyWithScope, setNow, uuid } from "./lib/Fixtures.js"
import { baseUrl, call, signUp, TestServerManualSweep as TestServer } from "./lib/TestServer.js"

layer(TestServer, { timeout: 120_000 })("API keys over HTTP", (it) => {
  it.effect("create returns the plaintext once; it works; the list shows prefixes only", () =>
    Effect.gen(function*() {
      yield* setNow("2026-06-10T12:00:00Z")
      const base = yield* baseUrl
      const { key, user } = yield* signUp()
      const created = yield* call(base, "POST", "/api/keys", { key, body: { label: " CI ", scope: "write" } })
      expect(created.status).toBe(201)
      expect(created.body.secret).toMatch(/^ck_live_[A-Za-z0-9_-]{20,}$/)
      expect(created.body.key).toMatchObject({
        userId: user.id,
        scope: "write",
        label: "CI",
        revokedAt: null,
        lastUsedAt: null,
        createdAt: expect.any(String)
      })
      expect(created.body.secret.startsWith(created.body.key.prefix)).toBe(true)
      expect(created.body.key.prefix.length).toBeLessThan(created.body.secret.length)

      const me = yield* call(base, "GET", "/api/me", { key: created.body.secret })
      expect(me.status).toBe(200)
      expect(me.body).toMatchObject({ scope: "write", user: { id: user.id } })

      const defaulted = yield* call(base, "POST", "/api/keys", { key, body: {} })
      expect(defaulted.status).toBe(201)
      expect(defaulted.body.key).toMatchObject({ scope: "full", label: null })

      const list = yield* call(base, "GET", "/api/keys", { key })
      expect(list.status).toBe(200)
      expect(list.body.map((k: any) => k.id)).toContain(created.body.key.id)
      expect(list.body).toHaveLength(3)
      const text = JSON.stringify(list.body)
      expect(text).not.toContain(created.body.secret)
      expect(text).not.toContain(defaulted.body.secret)
      for (const item of list.body) expect(Object.keys(item).sort()).not.toContain("hash")
      const used = list.body.find((k: any) => k.id === created.body.key.id)
      expect(used.lastUsedAt).toBe("2026-06-10T12:00:00.000Z")

      // stored hashed: no column of the table holds a plaintext key
      const sql = yield* SqlClient.SqlClient
      const rows = yield* sql`SELECT * FROM api_keys WHERE user_id = ${user.id}`
      expect(rows).toHaveLength(3)
      const stored = JSON.stringify(rows)
      for (const secret of [key, created.body.secret, defaulted.body.secret]) expect(stored).not.toContain(secret)
    }))

  it.effect("revoke: the key stops working (401) and shows revokedAt; another account's key is 404", () =>
    Effect.gen(function*() {
      yield* setNow("2026-06-10T12:00:00Z")
      const base = yield* baseUrl
      const { key } = yield* signUp()
      const stranger = yield* signUp()
      const extra = yield* call(base, "POST", "/api/keys", { key, body: { label: "laptop" } })
      const id = extra.body.key.id as string
      expect((yield* call(base, "GET", "/api/projects", { key: extra.body.secret })).status).toBe(200)

      const missing = uuid()
      expectSameNotFound(
        yield* call(base, "DELETE", `/api/keys/${id}`, { key: stranger.key }),
        id,
        yield* call(base, "DELETE", `/api/keys/${missing}`, { key: stranger.key }),
        missing
      )
      expectError(yield* call(base, "DELETE", `/api/keys/${missing}`, { key }), 404, "api_key_not_found")
      expect((yield* call(base, "GET", "/api/projects", { key: extra.body.secret })).status).toBe(200)

      const revoked = yield* call(base, "DELETE", `/api/keys/${id}`, { key })
      expect(revoked.status).toBe(200)
      expect(revoked.body).toMatchObject({ id, revokedAt: "2026-06-10T12:00:00.000Z" })
      const refused = yield* call(base, "GET", "/api/projects", { key: extra.body.secret })
      expectError(refused, 401, "unauthorized")
      expect(refused.body.message).toContain("revoked")

      const list = yield* call(base, "GET", "/api/keys", { key })
      expect(list.body.find((k: any) => k.id === id).revokedAt).toBe("2026-06-10T12:00:00.000Z")
      // revoking twice keeps the first time
      yield* setNow("2026-06-11T12:00:00Z")
      const twice = yield* call(base, "DELETE", `/api/keys/${id}`, { key })
      expect(twice.body.revokedAt).toBe("2026-06-10T12:00:00.000Z")
      // the stranger's own key still works
      expect((yield* call(base, "GET", "/api/keys", { key: stranger.key })).body).toHaveLength(1)
    }))

  it.effect("only a full key creates or revokes keys (403 naming full); read and write keys may list", () =>
    Effect.gen(function*() {
      const base = yield* baseUrl
      const { key, user } = yield* signUp()
      const read = yield* keyWithScope(user.id, "read")
      const write = yield* keyWithScope(user.id, "write")
      const list = yield* call(base, "GET", "/api/keys", { key })
      const first = list.body[0].id as string
      for (const k of [read, write]) {
        expect((yield* call(base, "GET", "/api/keys", { key: k })).status).toBe(200)
        const create = yield* call(base, "POST", "/api/keys", { key: k, body: { scope: "read" } })
        expectError(create, 403, "insufficient_scope")
        expect(create.body.required).toBe("full")
        expect(create.body.message).toContain("full")
        const revoke = yield* call(base, "DELETE", `/api/keys/${first}`, { key: k })
        expectError(revoke, 403, "insufficient_scope")
        expect(revoke.body.required).toBe("full")
      }
      const after = yield* call(base, "GET", "/api/keys", { key })
      expect(after.body).toHaveLength(3)
      expect(after.body.every((k: any) => k.revokedAt === null)).toBe(true)
    }))

  it.effect("bad input is 400 naming the field", () =>
    Effect.gen(function*() {
      const base = yield* baseUrl
      const { key } = yield* signUp()
      const post = (body: unknown) => call(base, "POST", "/api/keys", { key, body })
      expectBadInput(yield* post({ scope: "admin" }), ["scope"])
      expectBadInput(yield* post({ label: 5 }), ["label"])
      expectBadInput(yield* post({ label: "x".repeat(201) }), ["label"])
      expectBadInput(yield* post({ secret: "ck_live_mine" }), ["secret"])
      expectError(
        yield* call(base, "POST", "/api/keys", { key, rawBody: "{", headers: { "content-type": "application/json" } }),
        400,
        "malformed_json"
      )
      expectBadInput(yield* call(base, "DELETE", "/api/keys/first", { key }), ["id"])
      const list = yield* call(base, "GET", "/api/keys", { key })
      expect(list.body).toHaveLength(1)
    }))
})
