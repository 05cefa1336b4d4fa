import { describe, expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import { baseUrl, call, signUp, TestServer } from "./lib/TestServer.js"

layer(TestServer, { timeout: 120_000 })("public docs, verbatim", (it) => {
  it.effect("the three quickstart curls start, show and stop a timer", () =>
    Effect.gen(function*() {
      const base = yield* baseUrl
      const { key } = yield* signUp()
      const project = yield* call(base, "POST", "/api/projects", { key, body: { name: "Fallback" } })
      expect(project.status).toBe(201)

      const started = yield* call(base, "POST", "/api/timer/start", {
        key,
        body: { projectName: "my-project", fallbackProjectId: project.body.id }
      })
      expect(started.status).toBe(200)
      expect(started.body.projectId).toBe(project.body.id)
      expect(started.body.alreadyRunning).toBe(false)

      const current = yield* call(base, "GET", "/api/timer/current", { key })
      expect(current.status).toBe(200)
      expect(current.body.timers.map((t: any) => t.projectId)).toEqual([project.body.id])

      const stopped = yield* call(base, "POST", "/api/timer/stop", { key, headers: { "content-length": "0" } })
      expect(stopped.status).toBe(200)
      expect(stopped.body.projectId).toBe(project.body.id)
      expect(stopped.body.stopReason).toBe("manual")
      expect(stopped.body.timerId).toBe(started.body.id)

      const after = yield* call(base, "GET", "/api/timer/current", { key })
      expect(after.body.timers).toEqual([])
    }))

  it.effect("the SessionStart and SessionEnd hook bodies auto-create, then stop by folder name", () =>
    Effect.gen(function*() {
      const base = yield* baseUrl
      const { key } = yield* signUp()
      const start = yield* call(base, "POST", "/api/timer/start", {
        key,
        body: { projectName: "clockme-repo", autoCreate: true, source: "hook", description: "Claude Code session" }
      })
      expect(start.status).toBe(200)
      expect(start.body).toMatchObject({ projectName: "clockme-repo", source: "hook", description: "Claude Code session" })

      const projects = yield* call(base, "GET", "/api/projects", { key })
      expect(projects.body.map((p: any) => p.name)).toEqual(["clockme-repo"])

      const stop = yield* call(base, "POST", "/api/timer/stop", { key, body: { projectName: "clockme-repo" } })
      expect(stop.status).toBe(200)
      expect(stop.body).toMatchObject({ source: "hook", description: "Claude Code session", projectId: start.body.projectId })
    }))

  it.effect("stop with nothing running is 404 timer_not_running", () =>
    Effect.gen(function*() {
      const base = yield* baseUrl
      const { key } = yield* signUp()
      const stop = yield* call(base, "POST", "/api/timer/stop", { key, headers: { "content-length": "0" } })
      expect(stop.status).toBe(404)
      expect(stop.body.code).toBe("timer_not_running")
    }))
})

describe("errors are JSON", () => {
  layer(TestServer, { timeout: 120_000 })((it) => {
    it.effect("malformed JSON is a 400 naming the problem", () =>
      Effect.gen(function*() {
        const base = yield* baseUrl
        const { key } = yield* signUp()
        const reply = yield* call(base, "POST", "/api/projects", {
          key,
          rawBody: "{bad",
          headers: { "content-type": "application/json" }
        })
        expect(reply.status).toBe(400)
        expect(reply.body.code).toBe("malformed_json")
      }))

    it.effect("an unknown route is a JSON 404", () =>
      Effect.gen(function*() {
        const base = yield* baseUrl
        const reply = yield* call(base, "GET", "/api/nope")
        expect(reply.status).toBe(404)
        expect(reply.body.code).toBe("not_found")
      }))
  })
})
