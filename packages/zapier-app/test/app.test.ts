import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { createAppTester } from "zapier-platform-core"
import { validateAppDefinition } from "zapier-platform-schema"
import { App } from "../src/index.js"
import { samples } from "../src/Samples.js"
import * as http from "node:http"
import { createRequire } from "node:module"
import { zapierServer } from "./lib/ZapierServer.js"

const appTester = createAppTester(App)

/** What `zapier validate` checks: the app as the core compiles and serializes it (functions become `$func$…` markers). */
const { prepareApp, serializeApp } = createRequire(import.meta.url)("zapier-platform-core/src/tools/schema") as {
  prepareApp: (app: unknown) => unknown
  serializeApp: (app: unknown) => unknown
}
/** One of the app's functions by its path, e.g. `creates.start_timer.operation.perform`, as Zapier names them. */
const method = (path: string): never => path.split(".").reduce((at: any, key) => at[key], App) as never
const run = (path: string, bundle: Record<string, unknown>) =>
  Effect.promise(() => appTester(method(path), bundle as never) as Promise<any>)
const fails = (path: string, bundle: Record<string, unknown>) =>
  Effect.promise(() => (appTester(method(path), bundle as never) as Promise<unknown>).then(
    () => expect.fail("expected the operation to fail"),
    (error: Error) => JSON.parse(error.message) as { message: string; code: string; status: number }
  ))

/** The keys of a value, recursively (an array by its first item): what a Zap's later steps can map. */
const shape = (value: unknown): unknown => {
  if (Array.isArray(value)) return typeof value[0] === "object" && value[0] !== null ? [shape(value[0])] : "list"
  if (value === null || typeof value !== "object") return "value"
  return Object.fromEntries(Object.keys(value).sort().map((key) => [key, shape((value as Record<string, unknown>)[key])]))
}

const triggers = [
  ["new_time_entry", "entry.created"],
  ["timer_started", "timer.started"],
  ["timer_stopped", "timer.stopped"],
  ["budget_threshold_reached", "budget_threshold.crossed"]
] as const

describe("the Zapier app", () => {
  it("is a valid app for zapier-platform-schema, with every operation of the integration", () => {
    expect(validateAppDefinition(serializeApp(prepareApp(App))).errors).toEqual([])
    expect(Object.keys(App.triggers).sort()).toEqual(
      ["budget_threshold_reached", "new_time_entry", "project", "timer_started", "timer_stopped"]
    )
    expect(Object.keys(App.creates).sort()).toEqual(["create_time_entry", "start_timer", "stop_timer"])
    expect(Object.keys(App.searches).sort()).toEqual(["find_project", "find_running_timer"])
  })

  it.scopedLive("auth: the test call names the key's owner; a wrong key or a wrong server is refused with the server's reason", () =>
    Effect.gen(function*() {
      const s = yield* zapierServer
      const me = yield* run("authentication.test", { authData: { serverUrl: `${s.base}/`, apiKey: s.key } })
      expect(me).toMatchObject({ user: { email: s.user.email }, activeWorkspaceId: s.user.activeWorkspaceId, scope: "full" })
      const label = yield* run("authentication.connectionLabel", { authData: { serverUrl: s.base, apiKey: s.key }, inputData: me })
      expect(label).toBe(s.user.email)
      const wrongKey = yield* fails("authentication.test", { authData: { serverUrl: s.base, apiKey: "ck_live_wrong" } })
      expect(wrongKey).toMatchObject({ status: 401, message: expect.stringMatching(/key/i) })
      // another server altogether: one refusing, one answering 200 with something else
      s.hooks.answer.mode = { status: 404, body: "<html>Not Found</html>" }
      const refusing = yield* fails("authentication.test", { authData: { serverUrl: s.hooks.url, apiKey: s.key } })
      expect(refusing).toEqual({ status: 404, code: "http_404", message: "ClockMe answered 404" })
      s.hooks.answer.mode = { status: 200, body: "<html>Welcome</html>" }
      const other = yield* fails("authentication.test", { authData: { serverUrl: s.hooks.url, apiKey: s.key } })
      expect(other).toEqual({ status: 200, code: "not_clockme", message: `${s.hooks.url} did not answer GET /api/me as a ClockMe server does` })
      // skipHttpPatch: the core left node's http module (the server's, in this process) and fetch as they were
      expect("patchedByZapier" in http).toBe(false)
    }))

  it.scopedLive("triggers: subscribing registers REST hooks, the actions' events arrive, perform and performList give them, unsubscribing removes them", () =>
    Effect.gen(function*() {
      const s = yield* zapierServer
      const authData = { serverUrl: s.base, apiKey: s.key }
      const subscriptions: Record<string, any> = {}
      for (const [key, event] of triggers) {
        const subscribed = yield* run(`triggers.${key}.operation.performSubscribe`, { authData, targetUrl: `${s.hooks.url}/${key}` })
        expect(subscribed).toMatchObject({ event, target_url: `${s.hooks.url}/${key}` })
        subscriptions[key] = subscribed
      }
      const connections = (yield* s.api("GET", "/api/integrations")).body.connections
      expect(connections.map((c: any) => c.config.target_url).sort()).toEqual(triggers.map(([key]) => `${s.hooks.url}/${key}`).sort())

      // the actions, through the app: a budgeted project, an entry filling it, a timer started and stopped
      const created = yield* s.api("POST", "/api/projects", { name: "Zapped", budgetHours: 1, budgetPeriod: "none" })
      expect(created.status).toBe(201)
      const project = created.body
      const entry = yield* run("creates.create_time_entry.operation.perform", {
        authData,
        inputData: { projectId: project.id, startTime: new Date(Date.now() - 3 * 3600_000).toISOString(), durationMinutes: 60, description: "From a Zap" }
      })
      expect(entry).toMatchObject({ projectId: project.id, durationSeconds: 3600, description: "From a Zap" })
      const started = yield* run("creates.start_timer.operation.perform", { authData, inputData: { projectName: "zapped", description: "Zap work" } })
      expect(started).toMatchObject({ projectId: project.id, state: "running", alreadyRunning: false, description: "Zap work" })
      const stopped = yield* run("creates.stop_timer.operation.perform", { authData, inputData: { projectId: project.id } })
      expect(stopped).toMatchObject({ projectId: project.id, description: "Zap work" })
      expect(shape(entry)).toEqual(shape(samples.entry))
      expect(shape(stopped)).toEqual(shape(samples.entry))
      expect((yield* s.api("GET", "/api/timer/current")).body.timers).toEqual([])
      const entries = (yield* s.api("GET", `/api/entries?projectId=${project.id}`)).body
      expect(JSON.stringify(entries)).toContain(entry.id)
      expect(JSON.stringify(entries)).toContain(stopped.id)

      const expected = { new_time_entry: 2, timer_started: 1, timer_stopped: 1, budget_threshold_reached: 2 }
      for (const [key, event] of triggers) {
        const delivered = yield* s.awaitDeliveries(`/${key}`, expected[key])
        expect(delivered).toHaveLength(expected[key])
        for (const item of delivered) {
          expect(item).toMatchObject({ type: event, workspaceId: s.user.activeWorkspaceId })
          // perform hands the delivery to the Zap as it came
          expect(yield* run(`triggers.${key}.operation.perform`, { authData, cleanedRequest: item })).toEqual([item])
          // the sample a user sees before any event has the fields a real one has
          expect(shape(samples[event])).toEqual(shape(item))
        }
        // performList (the Zap editor's test) gives the same items, newest first
        const listed = yield* run(`triggers.${key}.operation.performList`, { authData })
        expect([...listed].sort((a, b) => a.id.localeCompare(b.id))).toEqual([...delivered].sort((a: any, b: any) => a.id.localeCompare(b.id)))
      }
      const [entryEvent] = s.deliveredTo("/new_time_entry") as Array<any>
      expect(entryEvent.data.entry.id).toBe(entry.id)
      expect((s.deliveredTo("/timer_stopped")[0] as any).data.entry.id).toBe(stopped.id)
      expect((s.deliveredTo("/timer_started")[0] as any).data.timer.id).toBe(started.id)
      expect((s.deliveredTo("/budget_threshold_reached") as Array<any>).map((e) => e.data.threshold).sort()).toEqual([100, 80])

      // Zapier answers 410 for a Zap it deleted: the server removes that subscription itself, and turning the
      // Zap off afterwards still succeeds
      s.hooks.answer.byPath = (path) => path === "/new_time_entry" ? { status: 410 } : undefined
      const logEntry = (hoursAgo: number) =>
        run("creates.create_time_entry.operation.perform", {
          authData,
          inputData: { projectId: project.id, startTime: new Date(Date.now() - hoursAgo * 3600_000).toISOString(), durationMinutes: 5 }
        })
      yield* logEntry(6)
      const zapTargets = Effect.map(s.api("GET", "/api/integrations"), (r) => r.body.connections.map((c: any) => c.config.target_url))
      for (let i = 0; i < 500 && (yield* zapTargets).includes(`${s.hooks.url}/new_time_entry`); i++) yield* Effect.sleep("20 millis")
      expect(yield* zapTargets).not.toContain(`${s.hooks.url}/new_time_entry`)
      expect(yield* run("triggers.new_time_entry.operation.performUnsubscribe", { authData, subscribeData: subscriptions.new_time_entry }))
        .toEqual({ id: subscriptions.new_time_entry.id, removed: false })

      for (const [key] of triggers.filter(([key]) => key !== "new_time_entry")) {
        expect(yield* run(`triggers.${key}.operation.performUnsubscribe`, { authData, subscribeData: subscriptions[key] }))
          .toMatchObject({ id: subscriptions[key].id })
      }
      expect((yield* s.api("GET", "/api/integrations")).body.connections).toEqual([])
      // nothing more is delivered once unsubscribed
      const before = s.hooks.received.length
      yield* logEntry(8)
      yield* Effect.sleep("300 millis")
      expect(s.hooks.received.length).toBe(before)
    }))

  it.scopedLive("searches: Find Project by name (exact first, then containing), Find Running Timer on any or one project; the dropdown lists projects", () =>
    Effect.gen(function*() {
      const s = yield* zapierServer
      const authData = { serverUrl: s.base, apiKey: s.key }
      const web = (yield* s.api("POST", "/api/projects", { name: "Web" })).body
      const website = (yield* s.api("POST", "/api/projects", { name: "Website redesign" })).body
      yield* s.api("POST", "/api/projects", { name: "Mobile" })

      const found = yield* run("searches.find_project.operation.perform", { authData, inputData: { name: " web " } })
      expect(found.map((p: any) => p.id)).toEqual([web.id, website.id])
      expect(shape(found[0])).toEqual(shape(samples.project))
      expect(yield* run("searches.find_project.operation.perform", { authData, inputData: { name: "Backend" } })).toEqual([])
      const dropdown = yield* run("triggers.project.operation.perform", { authData })
      expect(dropdown.map((p: any) => p.name).sort()).toEqual(["Mobile", "Web", "Website redesign"])

      expect(yield* run("searches.find_running_timer.operation.perform", { authData, inputData: {} })).toEqual([])
      const started = yield* run("creates.start_timer.operation.perform", { authData, inputData: { projectId: website.id } })
      expect(shape(started)).toEqual(shape(samples.startedTimer))
      const again = yield* run("creates.start_timer.operation.perform", { authData, inputData: { projectId: website.id } })
      expect(again).toMatchObject({ id: started.id, alreadyRunning: true })
      const running = yield* run("searches.find_running_timer.operation.perform", { authData, inputData: {} })
      expect(running).toMatchObject([{ id: started.id, projectId: website.id, projectName: "Website redesign", state: "running" }])
      expect(shape(running[0])).toEqual(shape(samples.timer))
      expect(yield* run("searches.find_running_timer.operation.perform", { authData, inputData: { projectId: website.id } }))
        .toMatchObject([{ id: started.id }])
      expect(yield* run("searches.find_running_timer.operation.perform", { authData, inputData: { projectId: web.id } })).toEqual([])
    }))

  it.scopedLive("actions refused by the server fail the Zap step with the server's reason and change nothing", () =>
    Effect.gen(function*() {
      const s = yield* zapierServer
      const authData = { serverUrl: s.base, apiKey: s.key }
      const noTimer = yield* fails("creates.stop_timer.operation.perform", { authData, inputData: {} })
      expect(noTimer).toEqual({ message: "No timer is running", code: "timer_not_running", status: 404 })
      const unknown = yield* fails("creates.start_timer.operation.perform", { authData, inputData: { projectName: "Nothing like it" } })
      expect(unknown).toMatchObject({ code: "project_not_found", status: 404 })
      const badTime = yield* fails("creates.create_time_entry.operation.perform", {
        authData,
        inputData: { projectId: "00000000-0000-4000-8000-000000000000", startTime: "yesterday", durationMinutes: 30 }
      })
      expect(badTime).toMatchObject({ code: "invalid_input", status: 400, message: expect.stringContaining("startTime") })
      expect((yield* s.api("GET", "/api/entries")).body).toMatchObject({ entries: [] })
      expect((yield* s.api("GET", "/api/timer/current")).body.timers).toEqual([])
    }))
})
