import { expect, layer } from "@effect/vitest"
import { Effect, Option } from "effect"
import type { KeyScope } from "@clockme/domain/contract/Actor"
import { createProject, expectError, keyWithScope, logEntry, setNow, unknownKey, uuid } from "./lib/Fixtures.js"
import { baseUrl, call, signUp, TestServerManualSweep as TestServer } from "./lib/TestServer.js"
import { besideContract, publicEndpoints } from "./proof/Routes.js"
import { endpoints } from "./proof/World.js"

interface Endpoint {
  readonly method: string
  readonly path: string
  readonly body?: unknown
  /** The scope a key needs; GETs need only read. */
  readonly needs: KeyScope
}

/** A sample of the REST API's endpoints with a valid request, so only the key decides the answer. */
const sample = (ids: { project: string; entry: string; workspace: string; key: string }): ReadonlyArray<Endpoint> => [
  { method: "GET", path: "/api/projects", needs: "read" },
  { method: "POST", path: "/api/projects", body: { name: `P ${uuid()}` }, needs: "write" },
  { method: "GET", path: `/api/projects/${ids.project}`, needs: "read" },
  { method: "PATCH", path: `/api/projects/${ids.project}`, body: { color: "#112233" }, needs: "write" },
  { method: "POST", path: "/api/tasks", body: { projectId: ids.project, name: "Task" }, needs: "write" },
  { method: "GET", path: `/api/tasks?projectId=${ids.project}`, needs: "read" },
  { method: "GET", path: "/api/timer/current", needs: "read" },
  { method: "POST", path: "/api/timer/start", body: { projectId: ids.project }, needs: "write" },
  { method: "POST", path: "/api/timer/stop", body: { projectId: ids.project }, needs: "write" },
  { method: "GET", path: "/api/entries", needs: "read" },
  {
    method: "POST",
    path: "/api/entries",
    body: { projectId: ids.project, startTime: "2026-06-09T09:00:00Z", durationMinutes: 5 },
    needs: "write"
  },
  { method: "PATCH", path: `/api/entries/${ids.entry}`, body: { description: "x" }, needs: "write" },
  { method: "DELETE", path: `/api/entries/${ids.entry}`, needs: "write" },
  { method: "GET", path: "/api/reports?from=2026-06-01&to=2026-06-30", needs: "read" },
  { method: "GET", path: "/api/workspaces", needs: "read" },
  { method: "POST", path: "/api/workspaces/join", body: { code: "NOPE" }, needs: "full" },
  { method: "GET", path: `/api/workspaces/${ids.workspace}/summary`, needs: "read" },
  { method: "GET", path: "/api/me", needs: "read" },
  { method: "PATCH", path: "/api/me", body: { weekStart: "monday" }, needs: "full" },
  { method: "GET", path: "/api/keys", needs: "read" },
  { method: "POST", path: "/api/keys", body: { scope: "read" }, needs: "full" },
  { method: "DELETE", path: `/api/keys/${ids.key}`, needs: "full" }
]

const label = (e: Endpoint) => `${e.method} ${e.path}`

/** Every endpoint of the contract (walked from `Api.groups`), and whether it takes a body. */
const contract = endpoints.map((ep) => ({ ...ep, hasBody: Option.isSome(ep.endpoint.payloadSchema) && ep.method !== "GET" }))

layer(TestServer, { timeout: 120_000 })("authentication on every endpoint, and scopes", (it) => {
  it.effect("no key, a malformed key, an unknown key and a revoked key are each 401 with a JSON body, on every endpoint but the public ones", () =>
    Effect.gen(function*() {
      yield* setNow("2026-06-10T12:00:00Z")
      const base = yield* baseUrl
      const { key } = yield* signUp()
      const project = yield* createProject(base, key, { name: "Guarded" })
      const entry = yield* logEntry(base, key, { projectId: project.id, startTime: "2026-06-09T09:00:00Z", durationMinutes: 5 })
      const revoked = yield* call(base, "POST", "/api/keys", { key, body: { label: "old" } })
      yield* call(base, "DELETE", `/api/keys/${revoked.body.key.id}`, { key })

      const attempts: ReadonlyArray<readonly [string, Record<string, string>]> = [
        ["no header", {}],
        ["empty bearer", { authorization: "Bearer " }],
        ["not bearer", { authorization: `Basic ${Buffer.from("a:b").toString("base64")}` }],
        ["malformed", { authorization: "Bearer ck_live_short" }],
        ["wrong prefix", { authorization: `Bearer ${"ck_test_"}${"a".repeat(32)}` }],
        ["unknown", { authorization: `Bearer ${unknownKey()}` }],
        ["revoked", { authorization: `Bearer ${revoked.body.secret}` }]
      ]
      // every route that takes a key: the contract's endpoints but the public ones, and those beside it
      const guarded = [
        ...contract.filter((ep) => !publicEndpoints.has(ep.id)).map((ep) => ({ method: ep.method, path: ep.path, hasBody: ep.hasBody })),
        ...Object.entries(besideContract).filter(([, side]) => side.access === "key").map(([route, side]) => {
          const [method, path] = route.split(" ") as [string, string]
          return { method: method === "*" ? "POST" : method, path, hasBody: side.body !== "none" }
        })
      ]
      expect(guarded.length).toBe(contract.length - publicEndpoints.size + 1)
      for (const route of guarded) {
        // a body the endpoint might take, and ids of the account's own objects: only the key is wrong
        const path = route.path.replace(/:(\w+)/g, (_, name: string) => name === "id" ? project.id : uuid())
        for (const [name, headers] of attempts) {
          const reply = yield* call(base, route.method, path, { headers, ...(route.hasBody ? { body: {} } : {}) })
          const endpoint = `${route.method} ${route.path}`
          expect({ endpoint, attempt: name, status: reply.status, code: reply.body?.code }).toEqual({
            endpoint,
            attempt: name,
            status: 401,
            code: "unauthorized"
          })
          expectError(reply, 401, "unauthorized")
        }
      }
      // nothing was changed by any refused request
      const projects = yield* call(base, "GET", "/api/projects", { key })
      expect(projects.body.map((p: any) => p.name)).toEqual(["Guarded"])
      const entries = yield* call(base, "GET", "/api/entries", { key })
      expect(entries.body.entries).toEqual([entry])
    }))

  it.effect("a key with too small a scope is 403 naming the scope needed; enough scope passes (a sample; the proof's matrix tries every endpoint)", () =>
    Effect.gen(function*() {
      yield* setNow("2026-06-10T12:00:00Z")
      const base = yield* baseUrl
      const { key, user } = yield* signUp()
      const project = yield* createProject(base, key, { name: "Scoped" })
      const entry = yield* logEntry(base, key, { projectId: project.id, startTime: "2026-06-09T09:00:00Z", durationMinutes: 5 })
      const spare = yield* call(base, "POST", "/api/keys", { key, body: { label: "spare" } })
      const ids = { project: project.id, entry: entry.id, workspace: user.activeWorkspaceId, key: spare.body.key.id }
      const scoped: Record<KeyScope, string> = {
        read: yield* keyWithScope(user.id, "read"),
        write: yield* keyWithScope(user.id, "write"),
        full: key
      }
      const rank: Record<KeyScope, number> = { read: 0, write: 1, full: 2 }

      for (const endpoint of sample(ids)) {
        for (const scope of ["read", "write"] as const) {
          if (rank[scope] >= rank[endpoint.needs]) continue
          const reply = yield* call(base, endpoint.method, endpoint.path, {
            key: scoped[scope],
            ...(endpoint.body === undefined ? {} : { body: endpoint.body })
          })
          expect({ endpoint: label(endpoint), scope, status: reply.status, required: reply.body?.required }).toEqual({
            endpoint: label(endpoint),
            scope,
            status: 403,
            required: endpoint.needs
          })
          expectError(reply, 403, "insufficient_scope")
          expect(reply.body.message).toContain(`"${endpoint.needs}"`)
        }
      }
      // nothing was changed by a refused request
      const entries = yield* call(base, "GET", "/api/entries", { key })
      expect(entries.body.entries).toEqual([entry])
      const keys = yield* call(base, "GET", "/api/keys", { key })
      expect(keys.body.every((k: any) => k.revokedAt === null)).toBe(true)

      // with just enough scope, every endpoint answers without an auth error
      for (const endpoint of sample(ids)) {
        const reply = yield* call(base, endpoint.method, endpoint.path, {
          key: scoped[endpoint.needs],
          ...(endpoint.body === undefined ? {} : { body: endpoint.body })
        })
        expect({ endpoint: label(endpoint), auth: reply.status === 401 || reply.status === 403, server: reply.status >= 500 })
          .toEqual({ endpoint: label(endpoint), auth: false, server: false })
      }
    }))

  it.effect("the key's use is recorded, and the key works whatever the case of the scheme", () =>
    Effect.gen(function*() {
      yield* setNow("2026-06-10T12:00:00Z")
      const base = yield* baseUrl
      const { key } = yield* signUp()
      const lower = yield* call(base, "GET", "/api/me", { headers: { authorization: `bearer ${key}` } })
      expect(lower.status).toBe(200)
      const keys = yield* call(base, "GET", "/api/keys", { key })
      expect(keys.body[0].lastUsedAt).toBe("2026-06-10T12:00:00.000Z")
    }))

  it.effect("the public endpoints (the health check, signing in) answer without a key, and nothing else does", () =>
    Effect.gen(function*() {
      const base = yield* baseUrl
      const reply = yield* call(base, "GET", "/api/health")
      expect(reply.status).toBe(200)
      expect(reply.body).toEqual({ status: "ok" })
      // what a password or a link decides: a wrong one is the endpoint's own refusal, never the key's 401
      const bodies: Record<string, unknown> = {
        "session.signIn": { email: "nobody@example.com", password: "not a password" },
        "session.setPassword": { token: "not-a-link", password: "a long enough password" },
        "session.signUpWithInvite": { code: "not-a-code", name: "Nobody", email: "nobody@example.com", password: "a long enough password" }
      }
      const answers: Record<string, string> = {}
      for (const ep of contract.filter((ep) => publicEndpoints.has(ep.id))) {
        const open = yield* call(base, ep.method, ep.path, bodies[ep.id] === undefined ? {} : { body: bodies[ep.id] })
        answers[ep.id] = `${open.status} ${open.body?.code ?? open.body?.status}`
      }
      expect(answers).toEqual({
        "system.health": "200 ok",
        "session.signIn": "401 sign_in_failed",
        "session.setPassword": "400 password_link_invalid",
        "session.signUpWithInvite": "404 invite_invalid"
      })
    }))
})
