import { expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import { createProject, expectError, setNow } from "./lib/Fixtures.js"
import { connectMcp, ok } from "./lib/McpClient.js"
import { baseUrl, call, signUp, TestServerManualSweep as TestServer } from "./lib/TestServer.js"

const entryBody = (projectId: string) => ({ projectId, startTime: "2026-06-09T09:00:00Z", durationMinutes: 30 })

layer(TestServer, { timeout: 120_000 })("one idempotency mechanism for every keyed write", (it) => {
  it.effect("a key is scoped to its operation: reused on another one it is 409, timers and entries alike", () =>
    Effect.gen(function*() {
      yield* setNow("2026-06-10T12:00:00Z")
      const base = yield* baseUrl
      const { key } = yield* signUp()
      const project = yield* createProject(base, key, { name: "Keyed" })

      const started = yield* call(base, "POST", "/api/timer/start", {
        key,
        body: { projectId: project.id },
        headers: { "idempotency-key": "k-1" }
      })
      expect(started.status).toBe(200)
      const byHeader = yield* call(base, "POST", "/api/entries", {
        key,
        body: entryBody(project.id),
        headers: { "idempotency-key": "k-1" }
      })
      expectError(byHeader, 409, "conflict")
      const byBody = yield* call(base, "POST", "/api/entries", { key, body: { ...entryBody(project.id), idempotencyKey: "k-1" } })
      expectError(byBody, 409, "conflict")
      expect((yield* call(base, "GET", "/api/entries", { key })).body.entries).toEqual([])

      const logged = yield* call(base, "POST", "/api/entries", { key, body: { ...entryBody(project.id), idempotencyKey: "k-2" } })
      expect(logged.status).toBe(201)
      const stop = yield* call(base, "POST", "/api/timer/stop", { key, body: {}, headers: { "idempotency-key": "k-2" } })
      expectError(stop, 409, "conflict")
      // the header and the body field are one key
      const again = yield* call(base, "POST", "/api/entries", {
        key,
        body: entryBody(project.id),
        headers: { "idempotency-key": "k-2" }
      })
      expect(again.status).toBe(201)
      expect(again.body).toEqual(logged.body)
      expect((yield* call(base, "GET", "/api/entries", { key })).body.entries).toHaveLength(1)
    }))

  it.effect("a key is scoped to the workspace: the same key under X-ClockMe-Workspace is a new key", () =>
    Effect.gen(function*() {
      yield* setNow("2026-06-10T12:00:00Z")
      const base = yield* baseUrl
      const { key } = yield* signUp()
      const personal = yield* createProject(base, key, { name: "Mine" })
      const shared = (yield* call(base, "POST", "/api/workspaces", { key, body: { name: "Studio" } })).body.id
      const inShared = { "x-clockme-workspace": shared }
      const client = (yield* call(base, "POST", "/api/projects", { key, body: { name: "Client" }, headers: inShared })).body

      const first = yield* call(base, "POST", "/api/entries", { key, body: { ...entryBody(personal.id), idempotencyKey: "same" } })
      expect(first.status).toBe(201)
      const there = yield* call(base, "POST", "/api/entries", {
        key,
        body: { ...entryBody(client.id), idempotencyKey: "same" },
        headers: inShared
      })
      expect(there.status).toBe(201)
      expect(there.body.id).not.toBe(first.body.id)
      expect(there.body.workspaceId).toBe(shared)
      const listed = yield* call(base, "GET", "/api/entries", { key, headers: inShared })
      expect(listed.body.entries.map((e: any) => e.id)).toEqual([there.body.id])

      const timer = yield* call(base, "POST", "/api/timer/start", { key, body: { projectId: personal.id }, headers: { "idempotency-key": "t" } })
      const sharedTimer = yield* call(base, "POST", "/api/timer/start", {
        key,
        body: { projectId: client.id },
        headers: { ...inShared, "idempotency-key": "t" }
      })
      expect(sharedTimer.status).toBe(200)
      expect(sharedTimer.body.id).not.toBe(timer.body.id)
      expect(sharedTimer.body.projectId).toBe(client.id)
    }))

  it.scoped("MCP and REST share the keys: a log_time retried over REST returns the same entry", () =>
    Effect.gen(function*() {
      yield* setNow("2026-06-10T12:00:00Z")
      const base = yield* baseUrl
      const { key } = yield* signUp()
      const project = yield* createProject(base, key, { name: "Agent" })
      const mcp = yield* connectMcp(base, key)
      const logged = yield* ok(mcp, "clockme_log_time", { ...entryBody(project.id), idempotencyKey: "agent-1" })
      const retried = yield* call(base, "POST", "/api/entries", { key, body: { ...entryBody(project.id), idempotencyKey: "agent-1" } })
      expect(retried.status).toBe(201)
      expect(retried.body.id).toBe(logged.id)
      expect((yield* call(base, "GET", "/api/entries", { key })).body.entries).toHaveLength(1)
    }))
})
