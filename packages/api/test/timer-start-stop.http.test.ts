import { expect, layer } from "@effect/vitest"
import { Effect, TestClock } from "effect"
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

const noBody = { headers: { "content-length": "0" } }

layer(TestServer, { timeout: 120_000 })("timer start: which project a name means", (it) => {
  it.effect("exact ignoring case, then ignoring separators: my_project = My Project = my-project", () =>
    Effect.gen(function*() {
      const base = yield* baseUrl
      const { key } = yield* signUp()
      const project = yield* createProject(base, key, { name: "My Project" })
      yield* createProject(base, key, { name: "Another" })

      for (const name of ["My Project", "my project", "MY PROJECT", "my_project", "my-project", "My.Project", "myproject"]) {
        const started = yield* call(base, "POST", "/api/timer/start", { key, body: { projectName: name } })
        expect({ name, status: started.status, projectId: started.body.projectId }).toEqual({
          name,
          status: 200,
          projectId: project.id
        })
      }
      const current = yield* call(base, "GET", "/api/timer/current", { key })
      expect(current.body.timers).toHaveLength(1)
      const projects = yield* call(base, "GET", "/api/projects", { key })
      expect(projects.body).toHaveLength(2)
    }))

  it.effect("an exact match wins over a looser one", () =>
    Effect.gen(function*() {
      const base = yield* baseUrl
      const { key } = yield* signUp()
      yield* createProject(base, key, { name: "api_server" })
      const exact = yield* createProject(base, key, { name: "API Server" })
      const started = yield* call(base, "POST", "/api/timer/start", { key, body: { projectName: "api server" } })
      expect(started.body.projectId).toBe(exact.id)
    }))

  it.effect("otherwise the closest name, when close enough", () =>
    Effect.gen(function*() {
      const base = yield* baseUrl
      const { key } = yield* signUp()
      const website = yield* createProject(base, key, { name: "Website Redesign" })
      const mobile = yield* createProject(base, key, { name: "Mobile App" })
      const typo = yield* call(base, "POST", "/api/timer/start", { key, body: { projectName: "website-redesing" } })
      expect(typo.status).toBe(200)
      expect(typo.body.projectId).toBe(website.id)
      const short = yield* call(base, "POST", "/api/timer/start", { key, body: { projectName: "mobil app" } })
      expect(short.body.projectId).toBe(mobile.id)
    }))

  it.effect("no match: fallbackProjectId, then autoCreate, else 404 listing the closest names", () =>
    Effect.gen(function*() {
      const base = yield* baseUrl
      const { key } = yield* signUp()
      yield* createProject(base, key, { name: "Website Redesign" })
      yield* createProject(base, key, { name: "Mobile App" })
      const fallback = yield* createProject(base, key, { name: "Zz Ops" })

      const unknown = yield* call(base, "POST", "/api/timer/start", { key, body: { projectName: "Webshop" } })
      expectError(unknown, 404, "project_not_found")
      expect(unknown.body.projectName).toBe("Webshop")
      expect(unknown.body.suggestions[0]).toBe("Website Redesign")
      expect(unknown.body.suggestions).toContain("Mobile App")
      expect(unknown.body.message).toContain("Website Redesign")

      const viaFallback = yield* call(base, "POST", "/api/timer/start", {
        key,
        body: { projectName: "Webshop", fallbackProjectId: fallback.id }
      })
      expect(viaFallback.status).toBe(200)
      expect(viaFallback.body).toMatchObject({ projectId: fallback.id, projectName: "Zz Ops", alreadyRunning: false })

      // fallback wins over autoCreate: nothing is created when a fallback is given
      const both = yield* call(base, "POST", "/api/timer/start", {
        key,
        body: { projectName: "Brand New", fallbackProjectId: fallback.id, autoCreate: true }
      })
      expect(both.body).toMatchObject({ projectId: fallback.id, alreadyRunning: true })

      const created = yield* call(base, "POST", "/api/timer/start", {
        key,
        body: { projectName: "Brand New", autoCreate: true }
      })
      expect(created.status).toBe(200)
      expect(created.body).toMatchObject({ projectName: "Brand New", alreadyRunning: false })
      const projects = yield* call(base, "GET", "/api/projects", { key })
      expect(projects.body.map((p: any) => p.name)).toEqual(["Brand New", "Mobile App", "Website Redesign", "Zz Ops"])

      // once created, the same name (loosely) finds it instead of creating another
      const again = yield* call(base, "POST", "/api/timer/start", {
        key,
        body: { projectName: "brand_new", autoCreate: true }
      })
      expect(again.body).toMatchObject({ projectId: created.body.projectId, alreadyRunning: true })

      const nothing = yield* signUp()
      const empty = yield* call(base, "POST", "/api/timer/start", { key: nothing.key, body: { projectName: "Anything" } })
      expectError(empty, 404, "project_not_found")
      expect(empty.body.suggestions).toEqual([])
    }))

  it.effect("start stores description, task and source, and a second start returns the running timer", () =>
    Effect.gen(function*() {
      yield* setNow("2026-06-01T09:00:00Z")
      const base = yield* baseUrl
      const { key } = yield* signUp()
      const project = yield* createProject(base, key, { name: "Docs" })
      const task = yield* call(base, "POST", "/api/tasks", { key, body: { projectId: project.id, name: "API guide" } })

      const first = yield* call(base, "POST", "/api/timer/start", {
        key,
        body: { projectId: project.id, description: "Writing", taskId: task.body.id, source: "mcp" }
      })
      expect(first.status).toBe(200)
      expect(first.body).toMatchObject({
        projectId: project.id,
        projectName: "Docs",
        taskId: task.body.id,
        description: "Writing",
        source: "mcp",
        startedAt: "2026-06-01T09:00:00.000Z",
        elapsedSeconds: 0,
        alreadyRunning: false
      })

      yield* TestClock.adjust("10 minutes")
      const second = yield* call(base, "POST", "/api/timer/start", { key, body: { projectId: project.id } })
      expect(second.status).toBe(200)
      expect(second.body).toMatchObject({ id: first.body.id, alreadyRunning: true, elapsedSeconds: 600, description: "Writing" })

      const current = yield* call(base, "GET", "/api/timer/current", { key })
      expect(current.body.timers).toHaveLength(1)
      expect(current.body.timers[0]).toMatchObject({ id: first.body.id, elapsedSeconds: 600, source: "mcp", taskId: task.body.id })

      const plain = yield* createProject(base, key, { name: "Plain" })
      const defaulted = yield* call(base, "POST", "/api/timer/start", { key, body: { projectId: plain.id } })
      expect(defaulted.body).toMatchObject({ source: "api", description: null, taskId: null })
    }))

  it.effect("the timer answer counts its sessions, heartbeats and pauses, as its entry will", () =>
    Effect.gen(function*() {
      const base = yield* baseUrl
      const { key } = yield* signUp()
      const started = yield* call(base, "POST", "/api/timer/start", {
        key,
        body: { projectName: "evidence", autoCreate: true, source: "hook", sessionId: "session-a" }
      })
      expect(started.body).toMatchObject({ sessions: 1, heartbeats: 0, pauses: 0 })
      for (const sessionId of ["session-a", "session-b", "session-b"]) {
        const beat = yield* call(base, "POST", "/api/timer/heartbeat", { key, body: { projectName: "evidence", sessionId } })
        expect(beat.status).toBe(200)
      }
      yield* call(base, "POST", "/api/timer/pause", { key, body: {} })
      yield* call(base, "POST", "/api/timer/resume", { key, body: {} })
      const current = yield* call(base, "GET", "/api/timer/current", { key })
      expect(current.body.timers).toEqual([expect.objectContaining({ sessions: 2, heartbeats: 3, pauses: 1 })])

      const stopped = yield* call(base, "POST", "/api/timer/stop", { key, body: {} })
      expect(stopped.body).toMatchObject({ sessions: 2, heartbeats: 3, pauses: 1 })
    }))

  it.effect("bad input, a foreign project or task, and an archived project", () =>
    Effect.gen(function*() {
      const base = yield* baseUrl
      const { key } = yield* signUp()
      const stranger = yield* signUp()
      const mine = yield* createProject(base, key, { name: "Mine" })
      const other = yield* createProject(base, key, { name: "Other" })
      const theirs = yield* createProject(base, stranger.key, { name: "Theirs" })
      const start = (body: unknown, k = key) => call(base, "POST", "/api/timer/start", { key: k, body })

      expectBadInput(yield* start({}), ["projectId"])
      expectBadInput(yield* start({ projectId: 42 }), ["projectId"])
      expectBadInput(yield* start({ projectName: "" }), ["projectName"])
      expectBadInput(yield* start({ projectId: mine.id, source: "cli" }), ["source"])
      expectBadInput(yield* start({ projectId: mine.id, autoCreate: "yes" }), ["autoCreate"])
      expectBadInput(yield* start({ projectId: mine.id, project: "x" }), ["project"])
      expectBadInput(yield* start({ projectId: mine.id, description: "x".repeat(2001) }), ["description"])
      expectError(
        yield* call(base, "POST", "/api/timer/start", { key, rawBody: "{", headers: { "content-type": "application/json" } }),
        400,
        "malformed_json"
      )

      const missing = uuid()
      expectSameNotFound(yield* start({ projectId: theirs.id }), theirs.id, yield* start({ projectId: missing }), missing)
      expectSameNotFound(
        yield* start({ projectName: "zzz", fallbackProjectId: theirs.id }),
        theirs.id,
        yield* start({ projectName: "zzz", fallbackProjectId: missing }),
        missing
      )
      // a name only matches within the caller's own workspace
      expectError(yield* start({ projectName: "Theirs" }), 404, "project_not_found")

      const task = yield* call(base, "POST", "/api/tasks", { key, body: { projectId: other.id, name: "Elsewhere" } })
      expectError(yield* start({ projectId: mine.id, taskId: task.body.id }), 404, "task_not_found")
      const theirTask = yield* call(base, "POST", "/api/tasks", { key: stranger.key, body: { projectId: theirs.id, name: "T" } })
      expectError(yield* start({ projectId: mine.id, taskId: theirTask.body.id }), 404, "task_not_found")

      yield* call(base, "PATCH", `/api/projects/${other.id}`, { key, body: { archived: true } })
      expectError(yield* start({ projectId: other.id }), 422, "project_archived")

      const current = yield* call(base, "GET", "/api/timer/current", { key })
      expect(current.body.timers).toEqual([])
      const theirCurrent = yield* call(base, "GET", "/api/timer/current", { key: stranger.key })
      expect(theirCurrent.body.timers).toEqual([])
    }))

  it.effect("a read key can read the timers but not start or stop them", () =>
    Effect.gen(function*() {
      const base = yield* baseUrl
      const { key, user } = yield* signUp()
      const project = yield* createProject(base, key, { name: "P" })
      yield* call(base, "POST", "/api/timer/start", { key, body: { projectId: project.id } })
      const read = yield* keyWithScope(user.id, "read")
      const current = yield* call(base, "GET", "/api/timer/current", { key: read })
      expect(current.body.timers).toHaveLength(1)
      const start = yield* call(base, "POST", "/api/timer/start", { key: read, body: { projectName: "New", autoCreate: true } })
      expectError(start, 403, "insufficient_scope")
      expect(start.body.required).toBe("write")
      const stop = yield* call(base, "POST", "/api/timer/stop", { key: read, ...noBody })
      expectError(stop, 403, "insufficient_scope")
      expect(stop.body.required).toBe("write")
      const after = yield* call(base, "GET", "/api/timer/current", { key })
      expect(after.body.timers).toHaveLength(1)
      const projects = yield* call(base, "GET", "/api/projects", { key })
      expect(projects.body).toHaveLength(1)
    }))
})

layer(TestServer, { timeout: 120_000 })("timer stop", (it) => {
  it.effect("with no body and one timer: stops it and returns the entry with the elapsed time", () =>
    Effect.gen(function*() {
      yield* setNow("2026-06-01T09:00:00Z")
      const base = yield* baseUrl
      const { key } = yield* signUp()
      const project = yield* createProject(base, key, { name: "Billable", hourlyRate: 100 })
      const started = yield* call(base, "POST", "/api/timer/start", {
        key,
        body: { projectId: project.id, description: "Refactor", source: "hook" }
      })
      yield* TestClock.adjust("90 minutes")
      const stopped = yield* call(base, "POST", "/api/timer/stop", { key, ...noBody })
      expect(stopped.status).toBe(200)
      expect(stopped.body).toMatchObject({
        projectId: project.id,
        timerId: started.body.id,
        description: "Refactor",
        source: "hook",
        billable: true,
        startTime: "2026-06-01T09:00:00.000Z",
        endTime: "2026-06-01T10:30:00.000Z",
        durationSeconds: 5400,
        stopReason: "manual"
      })
      const entries = yield* call(base, "GET", "/api/entries", { key })
      expect(entries.body.entries.map((e: any) => e.id)).toEqual([stopped.body.id])
      const current = yield* call(base, "GET", "/api/timer/current", { key })
      expect(current.body.timers).toEqual([])

      // a non-billable project gives a non-billable entry
      const internal = yield* createProject(base, key, { name: "Internal", billable: false })
      yield* call(base, "POST", "/api/timer/start", { key, body: { projectId: internal.id } })
      yield* TestClock.adjust("5 minutes")
      const second = yield* call(base, "POST", "/api/timer/stop", { key, body: {} })
      expect(second.body).toMatchObject({ billable: false, durationSeconds: 300 })
    }))

  it.effect("by projectId or projectName picks that timer among several; no body with several is 409 listing them", () =>
    Effect.gen(function*() {
      yield* setNow("2026-06-02T09:00:00Z")
      const base = yield* baseUrl
      const { key } = yield* signUp()
      const alpha = yield* createProject(base, key, { name: "Alpha Site" })
      const beta = yield* createProject(base, key, { name: "Beta" })
      const gamma = yield* createProject(base, key, { name: "Gamma" })
      for (const project of [alpha, beta, gamma]) {
        yield* call(base, "POST", "/api/timer/start", { key, body: { projectId: project.id } })
      }

      const ambiguous = yield* call(base, "POST", "/api/timer/stop", { key, ...noBody })
      expectError(ambiguous, 409, "ambiguous_timer")
      expect(ambiguous.body.timers.map((t: any) => t.projectId).sort()).toEqual([alpha.id, beta.id, gamma.id].sort())
      expect(ambiguous.body.timers.map((t: any) => t.projectName).sort()).toEqual(["Alpha Site", "Beta", "Gamma"])

      const byId = yield* call(base, "POST", "/api/timer/stop", { key, body: { projectId: beta.id } })
      expect(byId.status).toBe(200)
      expect(byId.body.projectId).toBe(beta.id)

      const byName = yield* call(base, "POST", "/api/timer/stop", { key, body: { projectName: "alpha_site" } })
      expect(byName.status).toBe(200)
      expect(byName.body.projectId).toBe(alpha.id)

      const current = yield* call(base, "GET", "/api/timer/current", { key })
      expect(current.body.timers.map((t: any) => t.projectId)).toEqual([gamma.id])

      const notRunning = yield* call(base, "POST", "/api/timer/stop", { key, body: { projectId: beta.id } })
      expectError(notRunning, 404, "timer_not_running")
      const notRunningByName = yield* call(base, "POST", "/api/timer/stop", { key, body: { projectName: "Beta" } })
      expectError(notRunningByName, 404, "timer_not_running")

      const last = yield* call(base, "POST", "/api/timer/stop", { key, ...noBody })
      expect(last.body.projectId).toBe(gamma.id)
      const none = yield* call(base, "POST", "/api/timer/stop", { key, ...noBody })
      expectError(none, 404, "timer_not_running")
      const entries = yield* call(base, "GET", "/api/entries", { key })
      expect(entries.body.entries).toHaveLength(3)
    }))

  it.effect("bad input is 400; another account's timer is not stoppable", () =>
    Effect.gen(function*() {
      const base = yield* baseUrl
      const owner = yield* signUp()
      const stranger = yield* signUp()
      const project = yield* createProject(base, owner.key, { name: "Owned" })
      yield* call(base, "POST", "/api/timer/start", { key: owner.key, body: { projectId: project.id } })

      expectBadInput(yield* call(base, "POST", "/api/timer/stop", { key: owner.key, body: { projectId: "x" } }), ["projectId"])
      expectBadInput(yield* call(base, "POST", "/api/timer/stop", { key: owner.key, body: { force: true } }), ["force"])
      expectBadInput(yield* call(base, "POST", "/api/timer/stop", { key: owner.key, body: { projectName: 3 } }), ["projectName"])
      expectError(
        yield* call(base, "POST", "/api/timer/stop", {
          key: owner.key,
          rawBody: "{\"projectId\":",
          headers: { "content-type": "application/json" }
        }),
        400,
        "malformed_json"
      )

      const missing = uuid()
      expectSameNotFound(
        yield* call(base, "POST", "/api/timer/stop", { key: stranger.key, body: { projectId: project.id } }),
        project.id,
        yield* call(base, "POST", "/api/timer/stop", { key: stranger.key, body: { projectId: missing } }),
        missing
      )
      expectError(yield* call(base, "POST", "/api/timer/stop", { key: stranger.key, ...noBody }), 404, "timer_not_running")
      expectError(
        yield* call(base, "POST", "/api/timer/stop", { key: stranger.key, body: { projectName: "Owned" } }),
        404,
        "timer_not_running"
      )
      const still = yield* call(base, "GET", "/api/timer/current", { key: owner.key })
      expect(still.body.timers).toHaveLength(1)
    }))
})
