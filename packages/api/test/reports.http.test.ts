import { expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import { createProject, expectBadInput, keyWithScope, logEntry, setNow } from "./lib/Fixtures.js"
import { baseUrl, call, signUp, TestServerManualSweep as TestServer } from "./lib/TestServer.js"

const line = (report: any, name: string) => report.projects.find((p: any) => p.projectName === name)

layer(TestServer, { timeout: 120_000 })("reports over HTTP", (it) => {
  it.effect("hours and amounts by project, computed by hand from known entries and rates", () =>
    Effect.gen(function*() {
      yield* setNow("2026-06-10T12:00:00Z")
      const base = yield* baseUrl
      const { key, user } = yield* signUp()
      const stranger = yield* signUp()
      const a = yield* createProject(base, key, { name: "Client A", hourlyRate: 120 })
      const b = yield* createProject(base, key, { name: "Client B", hourlyRate: 80.5 })
      const free = yield* createProject(base, key, { name: "No rate" })
      const late = yield* createProject(base, key, { name: "Late", hourlyRate: 100 })
      const log = (projectId: string, startTime: string, durationMinutes: number, extra: object = {}) =>
        logEntry(base, key, { projectId, startTime, durationMinutes, ...extra })

      yield* log(a.id, "2026-06-02T09:00:00Z", 90) // 1.5 h billable
      yield* log(a.id, "2026-06-03T09:00:00Z", 45) // 0.75 h billable
      yield* log(a.id, "2026-06-04T09:00:00Z", 30, { billable: false }) // 0.5 h, not billed
      yield* log(b.id, "2026-06-05T09:00:00Z", 20) // 1/3 h at 80.50 = 26.8333…
      yield* log(free.id, "2026-06-06T09:00:00Z", 60) // 1 h, no rate
      yield* log(late.id, "2026-06-01T02:00:00Z", 60) // 1 h at 100; May 31 in New York
      yield* log(a.id, "2026-05-31T23:30:00Z", 30) // before the period in UTC
      const theirs = yield* createProject(base, stranger.key, { name: "Client A", hourlyRate: 1000 })
      yield* logEntry(base, stranger.key, { projectId: theirs.id, startTime: "2026-06-02T09:00:00Z", durationMinutes: 600 })

      const reply = yield* call(base, "GET", "/api/reports?from=2026-06-01&to=2026-06-30", { key })
      expect(reply.status).toBe(200)
      const report = reply.body
      expect(report).toMatchObject({ from: "2026-06-01", to: "2026-06-30", timezone: "UTC", currency: "USD" })
      expect(report.projects.map((p: any) => p.projectName)).toEqual(["Client A", "Client B", "Late", "No rate"])
      expect(line(report, "Client A")).toMatchObject({
        projectId: a.id,
        hours: 2.75,
        billableHours: 2.25,
        rate: 120,
        amount: 270,
        entries: 3,
        aiCostUsd: 0
      })
      expect(line(report, "Client B")).toMatchObject({ projectId: b.id, hours: 0.33, billableHours: 0.33, rate: 80.5, amount: 26.83, entries: 1, aiCostUsd: 0, unpricedModels: [] })
      expect(line(report, "Late")).toMatchObject({ hours: 1, billableHours: 1, rate: 100, amount: 100, entries: 1, aiCostUsd: 0, unpricedModels: [] })
      expect(line(report, "No rate")).toMatchObject({ hours: 1, billableHours: 1, rate: null, amount: 0, entries: 1, aiCostUsd: 0, unpricedModels: [] })
      // 9900 + 1200 + 3600 + 3600 seconds; billable 8100 + 1200 + 3600 + 3600
      expect(report.totals).toEqual({ hours: 5.08, billableHours: 4.58, amount: 396.83, entries: 6, aiCostUsd: 0, unpricedModels: [] })

      const narrow = yield* call(base, "GET", "/api/reports?from=2026-06-02&to=2026-06-03", { key })
      expect(narrow.body.projects).toHaveLength(1)
      expect(line(narrow.body, "Client A")).toMatchObject({ hours: 2.25, amount: 270, entries: 2, aiCostUsd: 0, unpricedModels: [] })
      expect(narrow.body.totals).toEqual({ hours: 2.25, billableHours: 2.25, amount: 270, entries: 2, aiCostUsd: 0, unpricedModels: [] })

      const may = yield* call(base, "GET", "/api/reports?from=2026-05-01&to=2026-05-31", { key })
      expect(may.body.totals).toEqual({ hours: 0.5, billableHours: 0.5, amount: 60, entries: 1, aiCostUsd: 0, unpricedModels: [] })

      // days are the user's: in New York the Late entry and the 23:30 UTC one both fall on May 31
      yield* call(base, "PATCH", "/api/me", { key, body: { timezone: "America/New_York" } })
      const nyMay31 = yield* call(base, "GET", "/api/reports?from=2026-05-31&to=2026-05-31", { key })
      expect(nyMay31.body.timezone).toBe("America/New_York")
      expect(nyMay31.body.projects.map((p: any) => p.projectName)).toEqual(["Client A", "Late"])
      expect(nyMay31.body.totals).toEqual({ hours: 1.5, billableHours: 1.5, amount: 160, entries: 2, aiCostUsd: 0, unpricedModels: [] })

      // by default: the current month up to today, in the user's zone
      const current = yield* call(base, "GET", "/api/reports", { key })
      expect(current.body).toMatchObject({ from: "2026-06-01", to: "2026-06-10" })
      expect(current.body.totals.entries).toBe(5)

      // the stranger sees only their own time
      const theirReport = yield* call(base, "GET", "/api/reports?from=2026-06-01&to=2026-06-30", { key: stranger.key })
      expect(theirReport.body.projects).toHaveLength(1)
      expect(theirReport.body.totals).toEqual({ hours: 10, billableHours: 10, amount: 10000, entries: 1, aiCostUsd: 0, unpricedModels: [] })

      // a read key may read reports
      const read = yield* keyWithScope(user.id, "read")
      const readReply = yield* call(base, "GET", "/api/reports?from=2026-06-01&to=2026-06-30", { key: read })
      expect(readReply.status).toBe(200)
    }))

  it.effect("an empty period is a report of zeros", () =>
    Effect.gen(function*() {
      yield* setNow("2026-06-10T12:00:00Z")
      const base = yield* baseUrl
      const { key } = yield* signUp()
      const reply = yield* call(base, "GET", "/api/reports?from=2026-01-01&to=2026-01-31", { key })
      expect(reply.status).toBe(200)
      expect(reply.body.projects).toEqual([])
      expect(reply.body.totals).toEqual({ hours: 0, billableHours: 0, amount: 0, entries: 0, aiCostUsd: 0, unpricedModels: [] })
    }))

  it.effect("bad dates are 400 naming the parameter", () =>
    Effect.gen(function*() {
      const base = yield* baseUrl
      const { key } = yield* signUp()
      expectBadInput(yield* call(base, "GET", "/api/reports?from=2026-13-01", { key }), ["from"])
      expectBadInput(yield* call(base, "GET", "/api/reports?from=2026-02-29&to=2026-03-01", { key }), ["from"])
      expectBadInput(yield* call(base, "GET", "/api/reports?to=tomorrow", { key }), ["to"])
      expectBadInput(yield* call(base, "GET", "/api/reports?from=2026-06-10&to=2026-06-01", { key }), ["to"])
    }))
})
