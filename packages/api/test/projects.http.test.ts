import { expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import {
  createProject,
  expectBadInput,
  expectError,
  expectSameNotFound,
  keyWithScope,
  setNow,
  uuid
} from "./lib/Fixtures.js"
import { baseUrl, call, signUp, TestServerManualSweep as TestServer } from "./lib/TestServer.js"

layer(TestServer, { timeout: 120_000 })("projects over HTTP", (it) => {
  it.effect("create with every field, get, list, update and archive", () =>
    Effect.gen(function*() {
      yield* setNow("2026-06-01T09:00:00Z")
      const base = yield* baseUrl
      const { key, user } = yield* signUp()
      const created = yield* call(base, "POST", "/api/projects", {
        key,
        body: { name: "  Acme Website  ", hourlyRate: 120.5, budgetHours: 40, budgetAmount: 5000, billable: true, color: "#3b82f6" }
      })
      expect(created.status).toBe(201)
      expect(created.body).toMatchObject({
        name: "Acme Website",
        hourlyRate: 120.5,
        budgetHours: 40,
        budgetAmount: 5000,
        billable: true,
        color: "#3b82f6",
        archived: false,
        workspaceId: user.activeWorkspaceId,
        createdAt: "2026-06-01T09:00:00.000Z"
      })
      const id = created.body.id as string

      const minimal = yield* createProject(base, key, { name: "Internal" })
      expect(minimal).toMatchObject({ hourlyRate: null, budgetHours: null, budgetAmount: null, color: null, billable: true })

      const got = yield* call(base, "GET", `/api/projects/${id}`, { key })
      expect(got.status).toBe(200)
      expect(got.body).toEqual(created.body)

      const list = yield* call(base, "GET", "/api/projects", { key })
      expect(list.status).toBe(200)
      expect(list.body.map((p: any) => p.name)).toEqual(["Acme Website", "Internal"])

      yield* setNow("2026-06-02T10:00:00Z")
      const patched = yield* call(base, "PATCH", `/api/projects/${id}`, {
        key,
        body: { name: "Acme Site", hourlyRate: null, billable: false, color: null }
      })
      expect(patched.status).toBe(200)
      expect(patched.body).toMatchObject({
        id,
        name: "Acme Site",
        hourlyRate: null,
        billable: false,
        color: null,
        budgetHours: 40,
        updatedAt: "2026-06-02T10:00:00.000Z"
      })

      const empty = yield* call(base, "PATCH", `/api/projects/${id}`, { key, body: {} })
      expect(empty.status).toBe(200)
      expect(empty.body.name).toBe("Acme Site")

      const archived = yield* call(base, "PATCH", `/api/projects/${id}`, { key, body: { archived: true } })
      expect(archived.status).toBe(200)
      expect(archived.body.archived).toBe(true)

      const active = yield* call(base, "GET", "/api/projects", { key })
      expect(active.body.map((p: any) => p.name)).toEqual(["Internal"])
      const all = yield* call(base, "GET", "/api/projects?includeArchived=true", { key })
      expect(all.body.map((p: any) => p.name)).toEqual(["Acme Site", "Internal"])
      const stillReadable = yield* call(base, "GET", `/api/projects/${id}`, { key })
      expect(stillReadable.body.archived).toBe(true)

      // an archived project no longer holds its name
      const reused = yield* call(base, "POST", "/api/projects", { key, body: { name: "acme site" } })
      expect(reused.status).toBe(201)
    }))

  it.effect("names are unique per workspace ignoring case, on create and on rename", () =>
    Effect.gen(function*() {
      const base = yield* baseUrl
      const { key } = yield* signUp()
      yield* createProject(base, key, { name: "Backend" })
      const other = yield* createProject(base, key, { name: "Frontend" })

      const dup = yield* call(base, "POST", "/api/projects", { key, body: { name: "BACKEND" } })
      expectError(dup, 409, "project_name_taken")
      expect(dup.body.name).toBe("BACKEND")

      const rename = yield* call(base, "PATCH", `/api/projects/${other.id}`, { key, body: { name: "backend" } })
      expectError(rename, 409, "project_name_taken")

      // another account may use the same name
      const stranger = yield* signUp()
      const theirs = yield* call(base, "POST", "/api/projects", { key: stranger.key, body: { name: "Backend" } })
      expect(theirs.status).toBe(201)
    }))

  it.effect("bad input is a 400 naming the field", () =>
    Effect.gen(function*() {
      const base = yield* baseUrl
      const { key } = yield* signUp()
      const post = (body: unknown) => call(base, "POST", "/api/projects", { key, body })

      expectBadInput(yield* post({ name: 5 }), ["name"])
      expectBadInput(yield* post({ name: "   " }), ["name"])
      expectBadInput(yield* post({ name: "x".repeat(201) }), ["name"])
      expectBadInput(yield* post({}), ["name"])
      expectBadInput(yield* post({ name: "A", hourlyRate: -1 }), ["hourlyRate"])
      expectBadInput(yield* post({ name: "A", hourlyRate: "120" }), ["hourlyRate"])
      expectBadInput(yield* post({ name: "A", hourlyRate: 10.123 }), ["hourlyRate"])
      expectBadInput(yield* post({ name: "A", budgetHours: -5 }), ["budgetHours"])
      expectBadInput(yield* post({ name: "A", billable: "yes" }), ["billable"])
      expectBadInput(yield* post({ name: "A", color: "blue" }), ["color"])
      expectBadInput(yield* post({ name: "A", archived: true }), ["archived"])
      expectBadInput(yield* post({ name: "A", owner: "me" }), ["owner"])
      expectBadInput(yield* post({ name: 5, extra: 1 }), ["name"], ["extra"])
      expectBadInput(yield* post([{ name: "A" }]), [])

      const malformed = yield* call(base, "POST", "/api/projects", {
        key,
        rawBody: "{\"name\": \"A\"",
        headers: { "content-type": "application/json" }
      })
      expectError(malformed, 400, "malformed_json")

      const project = yield* createProject(base, key, { name: "Real" })
      const patch = (body: unknown) => call(base, "PATCH", `/api/projects/${project.id}`, { key, body })
      expectBadInput(yield* patch({ name: "" }), ["name"])
      expectBadInput(yield* patch({ archived: "true" }), ["archived"])
      expectBadInput(yield* patch({ workspaceId: uuid() }), ["workspaceId"])

      expectBadInput(yield* call(base, "GET", "/api/projects/not-a-uuid", { key }), ["id"])
      expectBadInput(yield* call(base, "PATCH", "/api/projects/123", { key, body: {} }), ["id"])
      expectBadInput(yield* call(base, "GET", "/api/projects?includeArchived=maybe", { key }), ["includeArchived"])

      // nothing was created by the rejected requests
      const list = yield* call(base, "GET", "/api/projects?includeArchived=true", { key })
      expect(list.body.map((p: any) => p.name)).toEqual(["Real"])
    }))

  it.effect("another account's project is 404, exactly like one that does not exist", () =>
    Effect.gen(function*() {
      const base = yield* baseUrl
      const owner = yield* signUp()
      const stranger = yield* signUp()
      const secret = yield* createProject(base, owner.key, { name: "Secret" })
      const missing = uuid()

      expectSameNotFound(
        yield* call(base, "GET", `/api/projects/${secret.id}`, { key: stranger.key }),
        secret.id,
        yield* call(base, "GET", `/api/projects/${missing}`, { key: stranger.key }),
        missing
      )
      const foreignPatch = yield* call(base, "PATCH", `/api/projects/${secret.id}`, { key: stranger.key, body: { name: "Mine" } })
      expectError(foreignPatch, 404, "project_not_found")
      expectSameNotFound(
        foreignPatch,
        secret.id,
        yield* call(base, "PATCH", `/api/projects/${missing}`, { key: stranger.key, body: { name: "Mine" } }),
        missing
      )
      const theirs = yield* call(base, "GET", "/api/projects?includeArchived=true", { key: stranger.key })
      expect(theirs.body).toEqual([])

      const untouched = yield* call(base, "GET", `/api/projects/${secret.id}`, { key: owner.key })
      expect(untouched.body.name).toBe("Secret")
    }))

  it.effect("a read key lists and reads but cannot create or update (403 naming write)", () =>
    Effect.gen(function*() {
      const base = yield* baseUrl
      const { key, user } = yield* signUp()
      const project = yield* createProject(base, key, { name: "Visible" })
      const read = yield* keyWithScope(user.id, "read")

      expect((yield* call(base, "GET", "/api/projects", { key: read })).status).toBe(200)
      expect((yield* call(base, "GET", `/api/projects/${project.id}`, { key: read })).status).toBe(200)

      const create = yield* call(base, "POST", "/api/projects", { key: read, body: { name: "Nope" } })
      expectError(create, 403, "insufficient_scope")
      expect(create.body).toMatchObject({ required: "write", scope: "read" })
      expect(create.body.message).toContain("write")
      const update = yield* call(base, "PATCH", `/api/projects/${project.id}`, { key: read, body: { name: "Nope" } })
      expectError(update, 403, "insufficient_scope")
      expect(update.body.required).toBe("write")

      const write = yield* keyWithScope(user.id, "write")
      expect((yield* call(base, "POST", "/api/projects", { key: write, body: { name: "By write" } })).status).toBe(201)
      const list = yield* call(base, "GET", "/api/projects", { key })
      expect(list.body.map((p: any) => p.name)).toEqual(["By write", "Visible"])
    }))
})
