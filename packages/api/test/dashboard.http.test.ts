import { expect, layer } from "@effect/vitest"
import { Effect, TestClock } from "effect"
import { jsonExport } from "./lib/ClaudeCodeExport.js"
import { baseUrl, call, signUp, TestServerManualSweep } from "./lib/TestServer.js"

const setNow = (iso: string) => TestClock.setTime(Date.parse(iso))

layer(TestServerManualSweep, { timeout: 120_000 })("dashboard", (it) => {
  it.effect("timers with elapsed time, today and this week in the user's timezone and week start, per-project totals, alerts", () =>
    Effect.gen(function*() {
      const base = yield* baseUrl
      const { key } = yield* signUp()
      const other = yield* signUp()
      yield* call(base, "PATCH", "/api/me", { key, body: { timezone: "Asia/Tokyo", weekStart: "monday" } })
      const project = (name: string, body: object = {}) =>
        Effect.map(call(base, "POST", "/api/projects", { key, body: { name, ...body } }), (r) => r.body)
      const alpha = yield* project("Alpha", { budgetHours: 1.5 })
      const beta = yield* project("Beta", { budgetHours: 3.5 })
      const gamma = yield* project("Gamma")
      const delta = yield* project("Delta")

      // timers: Gamma runs from 20:00Z on the 9th; Delta starts a minute later and is paused after 10 minutes
      yield* setNow("2026-06-09T20:00:00Z")
      expect((yield* call(base, "POST", "/api/timer/start", { key, body: { projectId: gamma.id } })).status).toBe(200)
      yield* TestClock.adjust("1 minute")
      expect((yield* call(base, "POST", "/api/timer/start", { key, body: { projectId: delta.id } })).status).toBe(200)
      yield* TestClock.adjust("10 minutes")
      expect((yield* call(base, "POST", "/api/timer/pause", { key, body: { projectId: delta.id } })).status).toBe(200)

      // now: 2026-06-10T14:30Z = Wednesday 23:30 in Tokyo; the Monday week is 06-08..06-14
      yield* setNow("2026-06-10T14:30:00Z")
      const log = (projectId: string, startTime: string, durationMinutes: number, billable = true) =>
        Effect.flatMap(
          call(base, "POST", "/api/entries", { key, body: { projectId, startTime, durationMinutes, billable } }),
          (r) => r.status === 201 ? Effect.void : Effect.dieMessage(JSON.stringify(r.body))
        )
      yield* log(alpha.id, "2026-06-10T00:00:00Z", 60) // Tokyo Wed 09:00: today
      yield* log(alpha.id, "2026-06-09T16:00:00Z", 30) // Tokyo Wed 01:00: today, though the 9th in UTC
      yield* log(beta.id, "2026-06-08T01:00:00Z", 120, false) // Tokyo Mon 10:00: this week
      yield* log(beta.id, "2026-06-07T14:00:00Z", 60) // Tokyo Sun 23:00: last week for a Monday week
      // someone else's time never shows on my dashboard
      const theirs = (yield* call(base, "POST", "/api/projects", { key: other.key, body: { name: "Theirs" } })).body
      yield* call(base, "POST", "/api/entries", {
        key: other.key,
        body: { projectId: theirs.id, startTime: "2026-06-10T01:00:00Z", durationMinutes: 300 }
      })

      const reply = yield* call(base, "GET", "/api/dashboard", { key })
      expect(reply.status).toBe(200)
      const dashboard = reply.body
      expect(dashboard).toMatchObject({
        now: "2026-06-10T14:30:00.000Z",
        timezone: "Asia/Tokyo",
        weekStart: "monday",
        today: { from: "2026-06-10", to: "2026-06-10", hours: 1.5, billableHours: 1.5, entries: 2, aiCostUsd: 0 },
        week: { from: "2026-06-08", to: "2026-06-14", hours: 3.5, billableHours: 1.5, entries: 3, aiCostUsd: 0 }
      })
      expect(dashboard.projects.map((p: any) => [p.projectName, p.hours, p.billableHours, p.entries])).toEqual([
        ["Beta", 2, 0, 1],
        ["Alpha", 1.5, 1.5, 2]
      ])
      expect(dashboard.timers.map((t: any) => [t.projectName, t.state, t.elapsedSeconds])).toEqual([
        ["Gamma", "running", 18.5 * 3600],
        ["Delta", "paused", 600]
      ])
      expect(dashboard.alerts.map((a: any) => [a.kind, a.projectName])).toEqual([
        ["budget_over", "Alpha"],
        ["budget_warning", "Beta"],
        ["long_running_timer", "Gamma"]
      ])
      expect(dashboard.alerts[0].message).toContain("100% of its 1.5 hours")
      expect(dashboard.alerts[1].budget).toMatchObject({ status: "warning", hours: { used: 3, percent: 85.71 } })
      expect(dashboard.alerts[2]).toMatchObject({ timerId: dashboard.timers[0].id, budget: null })
      expect(dashboard.alerts[2].message).toContain("18.5 hours")

      // a week that starts on Sunday takes in Sunday the 7th; in UTC "today" is the 10th in UTC
      yield* call(base, "PATCH", "/api/me", { key, body: { weekStart: "sunday" } })
      const sunday = (yield* call(base, "GET", "/api/dashboard", { key })).body
      expect(sunday.week).toEqual({ from: "2026-06-07", to: "2026-06-13", hours: 4.5, billableHours: 2.5, entries: 4, aiCostUsd: 0 })
      yield* call(base, "PATCH", "/api/me", { key, body: { timezone: "UTC", weekStart: "monday" } })
      const utc = (yield* call(base, "GET", "/api/dashboard", { key })).body
      expect(utc.today).toEqual({ from: "2026-06-10", to: "2026-06-10", hours: 1, billableHours: 1, entries: 1, aiCostUsd: 0 })
      expect(utc.week).toEqual({ from: "2026-06-08", to: "2026-06-14", hours: 3.5, billableHours: 1.5, entries: 3, aiCostUsd: 0 })

      // stopping the forgotten timer clears its alert
      yield* call(base, "POST", "/api/timer/stop", { key, body: { projectId: gamma.id } })
      const after = (yield* call(base, "GET", "/api/dashboard", { key })).body
      expect(after.timers.map((t: any) => t.projectName)).toEqual(["Delta"])
      expect(after.alerts.map((a: any) => a.kind)).not.toContain("long_running_timer")
    }))

  it.effect("a new account: nothing running, zero totals, no alerts; no key is 401", () =>
    Effect.gen(function*() {
      yield* setNow("2026-06-10T14:30:00Z")
      const base = yield* baseUrl
      const { key } = yield* signUp()
      const reply = yield* call(base, "GET", "/api/dashboard", { key })
      expect(reply.body).toMatchObject({
        timers: [],
        projects: [],
        alerts: [],
        today: { hours: 0, entries: 0 },
        week: { from: "2026-06-08", to: "2026-06-14", hours: 0, entries: 0 }
      })
      expect((yield* call(base, "GET", "/api/dashboard")).status).toBe(401)
    }))

  it.effect("in a shared workspace the dashboard shows my timers and hours, and the workspace's budget alerts", () =>
    Effect.gen(function*() {
      yield* setNow("2026-06-10T14:30:00Z")
      const base = yield* baseUrl
      const owner = yield* signUp()
      const member = yield* signUp()
      const ws = (yield* call(base, "POST", "/api/workspaces", { key: owner.key, body: { name: "Team" } })).body
      const code = (yield* call(base, "POST", `/api/workspaces/${ws.id}/invites`, { key: owner.key })).body.code
      yield* call(base, "POST", "/api/workspaces/join", { key: member.key, body: { code } })
      for (const who of [owner, member]) yield* call(base, "POST", `/api/workspaces/${ws.id}/activate`, { key: who.key })
      const shared = (yield* call(base, "POST", "/api/projects", { key: owner.key, body: { name: "Shared", budgetHours: 1 } })).body
      yield* call(base, "POST", "/api/entries", {
        key: owner.key,
        body: { projectId: shared.id, startTime: "2026-06-10T09:00:00Z", durationMinutes: 60 }
      })
      yield* call(base, "POST", "/api/timer/start", { key: owner.key, body: { projectId: shared.id } })
      const mine = (yield* call(base, "GET", "/api/dashboard", { key: member.key })).body
      expect(mine.workspaceId).toBe(ws.id)
      expect(mine.timers).toEqual([])
      expect(mine.today.hours).toBe(0)
      expect(mine.alerts.map((a: any) => [a.kind, a.projectName])).toEqual([["budget_over", "Shared"]])
      const owners = (yield* call(base, "GET", "/api/dashboard", { key: owner.key })).body
      expect(owners.timers.map((t: any) => t.projectName)).toEqual(["Shared"])
      expect(owners.today.hours).toBe(1)
    }))

  it.effect("AI cost beside hours today, this week and per project", () =>
    Effect.gen(function*() {
      const base = yield* baseUrl
      const { key } = yield* signUp()
      const ai = (session: string, request: string, at: string, costUsd: number) =>
        call(base, "POST", "/api/otlp/v1/logs", {
          key,
          rawBody: jsonExport([{ sessionId: session, at: Date.parse(at), requestId: request, model: "claude-sonnet-4-5", costUsd }]),
          headers: { "content-type": "application/json" }
        })
      const session = (projectName: string, sessionId: string, start: string, costs: ReadonlyArray<number>) =>
        Effect.gen(function*() {
          yield* setNow(start)
          yield* call(base, "POST", "/api/timer/start", { key, body: { projectName, autoCreate: true, source: "hook", sessionId } })
          for (const [i, cost] of costs.entries()) expect((yield* ai(sessionId, `${sessionId}-${i}`, start, cost)).status).toBe(200)
          yield* TestClock.adjust("30 minutes")
          yield* call(base, "POST", "/api/timer/stop", { key, body: { sessionId } })
        })
      // UTC, Monday weeks: Monday the 8th and Wednesday the 10th are this week, Sunday the 7th is not
      yield* session("Alpha", "s-sun", "2026-06-07T09:00:00Z", [4])
      yield* session("Alpha", "s-mon", "2026-06-08T09:00:00Z", [1.5])
      yield* session("Beta", "s-wed", "2026-06-10T09:00:00Z", [0.125, 0.000001])
      yield* session("Alpha", "s-wed2", "2026-06-10T10:00:00Z", [0.25])
      const dashboard = (yield* call(base, "GET", "/api/dashboard", { key })).body
      expect(dashboard.today).toMatchObject({ hours: 1, entries: 2, aiCostUsd: 0.375001 })
      expect(dashboard.week).toMatchObject({ hours: 1.5, entries: 3, aiCostUsd: 1.875001 })
      expect(dashboard.projects.map((p: any) => [p.projectName, p.hours, p.aiCostUsd])).toEqual([["Alpha", 1, 1.75], ["Beta", 0.5, 0.125001]])
    }))
})
