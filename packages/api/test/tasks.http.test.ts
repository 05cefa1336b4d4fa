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

layer(TestServer, { timeout: 120_000 })("tasks over HTTP", (it) => {
  it.effect("create tasks in a project and list them by status", () =>
    Effect.gen(function*() {
      yield* setNow("2026-06-01T09:00:00Z")
      const base = yield* baseUrl
      const { key } = yield* signUp()
      const project = yield* createProject(base, key, { name: "Website" })
      const other = yield* createProject(base, key, { name: "Other" })

      const first = yield* call(base, "POST", "/api/tasks", {
        key,
        body: { projectId: project.id, name: " Landing page ", estimatedHours: 12.5, hourlyRate: 150 }
      })
      expect(first.status).toBe(201)
      expect(first.body).toMatchObject({
        projectId: project.id,
        workspaceId: project.workspaceId,
        name: "Landing page",
        estimatedHours: 12.5,
        hourlyRate: 150,
        status: "active",
        completedAt: null,
        createdAt: "2026-06-01T09:00:00.000Z"
      })
      yield* setNow("2026-06-01T09:01:00Z")
      const second = yield* call(base, "POST", "/api/tasks", { key, body: { projectId: project.id, name: "Blog" } })
      expect(second.status).toBe(201)
      expect(second.body).toMatchObject({ estimatedHours: null, hourlyRate: null })
      yield* call(base, "POST", "/api/tasks", { key, body: { projectId: other.id, name: "Elsewhere" } })

      const list = yield* call(base, "GET", `/api/tasks?projectId=${project.id}`, { key })
      expect(list.status).toBe(200)
      expect(list.body.map((t: any) => t.name)).toEqual(["Landing page", "Blog"])
      const all = yield* call(base, "GET", `/api/tasks?projectId=${project.id}&status=all`, { key })
      expect(all.body.map((t: any) => t.id)).toEqual([first.body.id, second.body.id])
      const complete = yield* call(base, "GET", `/api/tasks?projectId=${project.id}&status=complete`, { key })
      expect(complete.status).toBe(200)
      expect(complete.body).toEqual([])
    }))

  it.effect("bad input is a 400 naming the field", () =>
    Effect.gen(function*() {
      const base = yield* baseUrl
      const { key } = yield* signUp()
      const project = yield* createProject(base, key, { name: "P" })
      const post = (body: unknown) => call(base, "POST", "/api/tasks", { key, body })

      expectBadInput(yield* post({ name: "No project" }), ["projectId"])
      expectBadInput(yield* post({ projectId: "p1", name: "Bad id" }), ["projectId"])
      expectBadInput(yield* post({ projectId: project.id }), ["name"])
      expectBadInput(yield* post({ projectId: project.id, name: "" }), ["name"])
      expectBadInput(yield* post({ projectId: project.id, name: 7 }), ["name"])
      expectBadInput(yield* post({ projectId: project.id, name: "T", estimatedHours: "3" }), ["estimatedHours"])
      expectBadInput(yield* post({ projectId: project.id, name: "T", estimatedHours: -3 }), ["estimatedHours"])
      expectBadInput(yield* post({ projectId: project.id, name: "T", hourlyRate: -1 }), ["hourlyRate"])
      expectBadInput(yield* post({ projectId: project.id, name: "T", status: "complete" }), ["status"])
      const malformed = yield* call(base, "POST", "/api/tasks", {
        key,
        rawBody: "{projectId:1}",
        headers: { "content-type": "application/json" }
      })
      expectError(malformed, 400, "malformed_json")

      expectBadInput(yield* call(base, "GET", "/api/tasks", { key }), ["projectId"])
      expectBadInput(yield* call(base, "GET", "/api/tasks?projectId=nope", { key }), ["projectId"])
      expectBadInput(yield* call(base, "GET", `/api/tasks?projectId=${project.id}&status=done`, { key }), ["status"])

      const list = yield* call(base, "GET", `/api/tasks?projectId=${project.id}&status=all`, { key })
      expect(list.body).toEqual([])
    }))

  it.effect("another account's project is 404 for create and list, exactly like a missing one", () =>
    Effect.gen(function*() {
      const base = yield* baseUrl
      const owner = yield* signUp()
      const stranger = yield* signUp()
      const project = yield* createProject(base, owner.key, { name: "Private" })
      const missing = uuid()

      const foreignCreate = yield* call(base, "POST", "/api/tasks", {
        key: stranger.key,
        body: { projectId: project.id, name: "Sneaky" }
      })
      expectError(foreignCreate, 404, "project_not_found")
      expectSameNotFound(
        foreignCreate,
        project.id,
        yield* call(base, "POST", "/api/tasks", { key: stranger.key, body: { projectId: missing, name: "Sneaky" } }),
        missing
      )
      expectSameNotFound(
        yield* call(base, "GET", `/api/tasks?projectId=${project.id}`, { key: stranger.key }),
        project.id,
        yield* call(base, "GET", `/api/tasks?projectId=${missing}`, { key: stranger.key }),
        missing
      )
      const own = yield* call(base, "GET", `/api/tasks?projectId=${project.id}&status=all`, { key: owner.key })
      expect(own.body).toEqual([])
    }))

  it.effect("a read key lists tasks but cannot create one (403 naming write)", () =>
    Effect.gen(function*() {
      const base = yield* baseUrl
      const { key, user } = yield* signUp()
      const project = yield* createProject(base, key, { name: "P" })
      const read = yield* keyWithScope(user.id, "read")
      const denied = yield* call(base, "POST", "/api/tasks", { key: read, body: { projectId: project.id, name: "T" } })
      expectError(denied, 403, "insufficient_scope")
      expect(denied.body.required).toBe("write")
      const list = yield* call(base, "GET", `/api/tasks?projectId=${project.id}`, { key: read })
      expect(list.status).toBe(200)
      expect(list.body).toEqual([])
      const write = yield* keyWithScope(user.id, "write")
      const ok = yield* call(base, "POST", "/api/tasks", { key: write, body: { projectId: project.id, name: "T" } })
      expect(ok.status).toBe(201)
    }))
})
