import { TimerNotRunning } from "@clockme/domain/contract/Timer"
import { FetchHttpClient } from "@effect/platform"
import { describe, expect, it as test, layer } from "@effect/vitest"
import { vi } from "vitest"
import { Effect, Layer } from "effect"
import { baseUrl, signUp, TestServer } from "../../api/test/lib/TestServer.js"
import { ClockMe, ClockMeClient, ClockMeError, type ClockMeEvent } from "../src/index.js"
import { standIn } from "./lib/StandIn.js"

const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10)
const lastWeek = day(-7)
const from = day(-30)
const to = day(1)

const rejection = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error("expected the call to fail")
    },
    (error: unknown) => error as ClockMeError
  )

layer(TestServer, { timeout: 120_000, excludeTestServices: true })("the Promise client against the real server", (it) => {
  it.effect("every namespace answers with the server's JSON", () =>
    Effect.gen(function*() {
      const base = yield* baseUrl
      const { key, user } = yield* signUp()
      const cm = new ClockMe({ apiKey: key, baseUrl: base })
      yield* Effect.promise(async () => {
        expect(await cm.system.health()).toEqual({ status: "ok" })

        const me = (await cm.me.get()).user
        expect(me.email).toBe(user.email)
        const updatedMe = await cm.me.update({ timezone: "Europe/Berlin" })
        expect(updatedMe.user.timezone).toBe("Europe/Berlin")

        const project = await cm.projects.create({ name: "Alpha", hourlyRate: 120 })
        expect(project).toMatchObject({ name: "Alpha", hourlyRate: 120 })
        expect(typeof project.createdAt).toBe("string")
        expect((await cm.projects.list()).map((p) => p.id)).toEqual([project.id])
        expect((await cm.projects.get({ id: project.id })).name).toBe("Alpha")
        const renamed = await cm.projects.update({ id: project.id, name: "Alpha One" })
        expect(renamed.name).toBe("Alpha One")
        expect((await cm.projects.list({ includeArchived: true })).length).toBe(1)

        const task = await cm.tasks.create({ projectId: project.id, name: "Design" })
        expect(task).toMatchObject({ projectId: project.id, name: "Design" })
        expect((await cm.tasks.list({ projectId: project.id })).map((t) => t.id)).toEqual([task.id])

        const started = await cm.timer.start({ projectId: project.id, description: "SDK" })
        expect(started).toMatchObject({ projectId: project.id, alreadyRunning: false, description: "SDK" })
        const current = await cm.timer.current()
        expect(current.timers.map((t) => t.id)).toEqual([started.id])
        const paused = await cm.timer.pause({ projectId: project.id })
        expect(paused.state).toBe("paused")
        const resumed = await cm.timer.resume({ projectId: project.id })
        expect(resumed.state).toBe("running")
        const beat = await cm.timer.heartbeat({ projectId: project.id })
        expect(beat.touched.map((t) => t.id)).toEqual([started.id])
        const moved = await cm.timer.update({ currentProjectId: project.id, description: "SDK edited" })
        expect(moved.description).toBe("SDK edited")
        const stopped = await cm.timer.stop({ projectId: project.id })
        expect(stopped).toMatchObject({ projectId: project.id, timerId: started.id })
        if (!("id" in stopped)) throw new Error("expected an entry")

        const logged = await cm.entries.create({
          projectId: project.id,
          startTime: new Date(`${lastWeek}T09:00:00Z`),
          durationMinutes: 90,
          description: "logged"
        })
        expect(logged).toMatchObject({ startTime: `${lastWeek}T09:00:00.000Z`, endTime: `${lastWeek}T10:30:00.000Z`, durationSeconds: 5400 })
        expect(logged.idempotencyKey).toEqual(expect.any(String))
        const page = await cm.entries.list({ projectId: project.id, from, to, limit: 10 })
        expect(page.entries.map((e) => e.id).sort()).toEqual([logged.id, stopped.id].sort())
        const edited = await cm.entries.update({ id: logged.id, description: "edited" })
        expect(edited.description).toBe("edited")

        const report = await cm.reports.billing({ from, to })
        expect(report.projects.map((p) => p.projectName)).toEqual(["Alpha One"])
        // 90 minutes logged plus the timer's few seconds: 1.50 h to the hundredth while those stay under 18 s.
        expect(stopped.durationSeconds).toBeLessThan(18)
        expect(report.projects[0]).toMatchObject({ hours: 1.5, billableHours: 1.5 })

        const workspaces = await cm.workspaces.list()
        expect(workspaces.length).toBe(1)
        const summary = await cm.workspaces.summary({ id: workspaces[0]!.id, from, to })
        expect(summary).toBeTypeOf("object")

        await cm.entries.delete({ id: logged.id })
        expect((await cm.entries.list({ projectId: project.id, from, to })).entries.map((e) => e.id)).toEqual([stopped.id])

        const created = await cm.keys.create({ label: "ci", scope: "read" })
        expect(created.secret).toMatch(/^ck_live_/)
        expect((await cm.keys.list()).map((k) => k.id)).toContain(created.key.id)
        const revoked = await cm.keys.revoke({ id: created.key.id })
        expect(revoked.revokedAt).toEqual(expect.any(String))

        // the stream shows an event once every older transaction on the server has ended (see events.http.test.ts)
        let stream = await cm.events.list({ types: "timer.started,entry.created" })
        for (let i = 0; i < 100 && stream.events.length < 3; i++) {
          await new Promise((resolve) => setTimeout(resolve, 100))
          stream = await cm.events.list({ types: "timer.started,entry.created" })
        }
        expect(stream.events.map((event) => event.type)).toEqual(["timer.started", "entry.created", "entry.created"])
        const entryIds: Array<string> = []
        for (const event of stream.events satisfies ReadonlyArray<ClockMeEvent>) {
          // `type` narrows `data`: the SDK's event types are the contract's envelope
          if (event.type === "timer.started") expect(event.data.timer.id).toBe(started.id)
          if (event.type === "entry.created") entryIds.push(event.data.entry.id)
        }
        expect(entryIds).toEqual([stopped.id, logged.id])
        const rest = await cm.events.list({ after: stream.nextCursor, types: "timer.started,entry.created" })
        expect(rest.events).toEqual([])
        expect(await rejection(cm.events.list({ after: "0.0" }))).toMatchObject({ status: 400, code: "invalid_input" })
      })
    }))

  it.effect("server errors reject with a ClockMeError carrying the server's code, message and status", () =>
    Effect.gen(function*() {
      const base = yield* baseUrl
      const { key } = yield* signUp()
      const cm = new ClockMe({ apiKey: key, baseUrl: base })
      yield* Effect.promise(async () => {
        const notRunning = await rejection(cm.timer.stop())
        expect(notRunning).toBeInstanceOf(ClockMeError)
        expect(notRunning.code).toBe("timer_not_running")
        expect(notRunning.status).toBe(404)
        expect(notRunning.tag).toBe("TimerNotRunning")
        expect(notRunning.message.length).toBeGreaterThan(0)

        const missing = await rejection(cm.projects.get({ id: "0b7f7a0e-8f5e-4a57-9a7e-3f1f3b0b4c11" }))
        expect([missing.code, missing.status]).toEqual(["project_not_found", 404])

        await cm.projects.create({ name: "Taken" })
        const taken = await rejection(cm.projects.create({ name: "taken" }))
        expect([taken.code, taken.status]).toEqual(["project_name_taken", 409])

        const readKey = (await cm.keys.create({ scope: "read" })).secret
        const reader = new ClockMe({ apiKey: readKey, baseUrl: base })
        const scope = await rejection(reader.projects.create({ name: "Nope" }))
        expect([scope.code, scope.status]).toEqual(["insufficient_scope", 403])

        const stranger = new ClockMe({ apiKey: "ck_live_not_a_key", baseUrl: base })
        const unauthorized = await rejection(stranger.projects.list())
        expect([unauthorized.code, unauthorized.status]).toEqual(["unauthorized", 401])

        const invalid = await rejection(cm.entries.create({ projectId: "nope", startTime: "yesterday", durationMinutes: -1 }))
        expect(invalid.code).toBe("invalid_request")
        expect(invalid.message).toContain("projectId")

        const unreachable = await rejection(new ClockMe({ apiKey: key, baseUrl: "http://127.0.0.1:9", retry: { retries: 0 } }).timer.current())
        expect(unreachable.code).toBe("network_error")
      })
    }))

  it.effect("the Effect client fails with the contract's error classes", () =>
    Effect.gen(function*() {
      const base = yield* baseUrl
      const { key } = yield* signUp()
      const client = ClockMeClient.layer({ baseUrl: base, apiKey: key }).pipe(Layer.provide(FetchHttpClient.layer))
      const result = yield* Effect.gen(function*() {
        const clockme = yield* ClockMeClient
        const started = yield* clockme.timer.start({ headers: {}, payload: { projectName: "effect-sdk", autoCreate: true } })
        const stopped = yield* clockme.timer.stop({ headers: {}, payload: { projectId: started.projectId } })
        const error = yield* Effect.flip(clockme.timer.stop({ headers: {}, payload: null }))
        return { started, stopped, error }
      }).pipe(Effect.provide(client))
      expect(result.started.projectName).toBe("effect-sdk")
      expect("timerId" in result.stopped && result.stopped.timerId).toBe(result.started.id)
      expect(result.error).toBeInstanceOf(TimerNotRunning)
    }))

  it.effect("a lost answer to a log call is retried with the same key and creates one entry", () =>
    Effect.gen(function*() {
      const base = yield* baseUrl
      const { key } = yield* signUp()
      yield* Effect.promise(async () => {
        const proxy = await standIn({
          upstream: base,
          answer: async (request, index, forward) => {
            if (request.method === "POST" && index === 0) {
              await forward()
              return { status: 503, body: { code: "unavailable", message: "try again" } }
            }
            return "forward"
          }
        })
        try {
          const cm = new ClockMe({ apiKey: key, baseUrl: proxy.url, retry: { baseDelay: 10 } })
          const direct = new ClockMe({ apiKey: key, baseUrl: base })
          const project = await direct.projects.create({ name: "Retry" })
          const entry = await cm.entries.create({ projectId: project.id, startTime: `${lastWeek}T08:00:00Z`, durationMinutes: 15 })
          expect(proxy.seen.map((r) => r.method)).toEqual(["POST", "POST"])
          const keys = proxy.seen.map((r) => r.headers["idempotency-key"])
          expect(keys[0]).toEqual(expect.any(String))
          expect(keys[1]).toBe(keys[0])
          const listed = await direct.entries.list({ projectId: project.id, from, to })
          expect(listed.entries.map((e) => e.id)).toEqual([entry.id])
        } finally {
          await proxy.close()
        }
      })
    }))
})

describe("retries against a stand-in server", () => {
  test("429 is retried after the Retry-After the server asked for", async () => {
      const proxy = await standIn({
        answer: async (_request, index) =>
          index === 0
            ? { status: 429, headers: { "retry-after": "1" }, body: { code: "rate_limited", message: "slow down" } }
            : { status: 200, body: { timers: [] } }
      })
      try {
        const cm = new ClockMe({ apiKey: "ck_live_x", baseUrl: proxy.url, retry: { baseDelay: 1 } })
        expect(await cm.timer.current()).toEqual({ timers: [] })
        expect(proxy.seen.length).toBe(2)
        expect(proxy.seen[1]!.at - proxy.seen[0]!.at).toBeGreaterThanOrEqual(950)
      } finally {
        await proxy.close()
      }
    })

  test("503 on a GET is retried with exponential backoff, capped at maxDelay, until it succeeds; retries give up with the server's error", async () => {
      // The top of every full-jitter window, so each wait is its bound: 200, 400, then 500 (the cap, not 800) ms.
      const random = vi.spyOn(Math, "random").mockReturnValue(0.999999)
      const proxy = await standIn({
        answer: async (request, index) =>
          request.url.startsWith("/api/projects")
            ? { status: 503, body: { code: "unavailable", message: "maintenance" } }
            : index < 2
            ? { status: 503 }
            : { status: 200, body: { timers: [] } }
      })
      try {
        const cm = new ClockMe({ apiKey: "ck_live_x", baseUrl: proxy.url, retry: { retries: 3, baseDelay: 200, maxDelay: 500 } })
        expect(await cm.timer.current()).toEqual({ timers: [] })
        const gaps = (from: number) => proxy.seen.slice(from + 1).map((r, i) => r.at - proxy.seen[from + i]!.at)
        expect(proxy.seen.length).toBe(3)
        const [first, second] = gaps(0)
        expect(first).toBeGreaterThanOrEqual(195)
        expect(second).toBeGreaterThanOrEqual(395)

        const error = await rejection(cm.projects.list())
        expect(proxy.seen.length).toBe(3 + 4)
        expect([error.code, error.status, error.message]).toEqual(["unavailable", 503, "maintenance"])
        const waits = gaps(3)
        expect(waits[0]).toBeGreaterThanOrEqual(195)
        expect(waits[1]).toBeGreaterThanOrEqual(395)
        expect(waits[2]).toBeGreaterThanOrEqual(495)
        // Uncapped, the third wait would be 800 ms.
        expect(waits[2]).toBeLessThan(780)
      } finally {
        random.mockRestore()
        await proxy.close()
      }
    })

  test("a 503 or a dropped connection is retried; a POST without an idempotency key is not", async () => {
      const proxy = await standIn({
        answer: async (request, index) => {
          if (request.method === "GET" && index === 0) return "destroy"
          if (request.method === "GET" && index === 1) return { status: 503 }
          if (request.method === "GET") return { status: 200, body: { timers: [] } }
          return { status: 503, body: { code: "unavailable", message: "down" } }
        }
      })
      try {
        const cm = new ClockMe({ apiKey: "ck_live_x", baseUrl: proxy.url, retry: { baseDelay: 5 } })
        expect(await cm.timer.current()).toEqual({ timers: [] })
        expect(proxy.seen.length).toBe(3)
        const error = await rejection(cm.projects.create({ name: "Once" }))
        expect(error.status).toBe(503)
        expect(proxy.seen.filter((r) => r.method === "POST").length).toBe(1)
        await rejection(cm.timer.start({ projectName: "x" }))
        const starts = proxy.seen.filter((r) => r.url === "/api/timer/start")
        expect(starts.length).toBe(4)
        expect(new Set(starts.map((r) => r.headers["idempotency-key"])).size).toBe(1)
      } finally {
        await proxy.close()
      }
    })
})
