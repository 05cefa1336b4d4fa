import { SqlClient } from "@effect/sql"
import { expect, layer } from "@effect/vitest"
import { Effect, TestClock } from "effect"
import { jsonExport } from "./lib/ClaudeCodeExport.js"
import { baseUrl, call, signUp, TestServerManualSweep } from "./lib/TestServer.js"

const setNow = (iso: string) => TestClock.setTime(Date.parse(iso))

const logger = (base: string, key: string) => (projectId: string, startTime: string, durationMinutes: number, extra: object = {}) =>
  call(base, "POST", "/api/entries", { key, body: { projectId, startTime, durationMinutes, ...extra } })

const outboxOf = (projectId: string) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    return yield* sql<{ type: string; payload: any; dedupeKey: string; deliveredAt: Date | null }>`
      SELECT type, payload, dedupe_key, delivered_at FROM outbox
      WHERE payload->>'projectId' = ${projectId} ORDER BY created_at, (payload->>'threshold')::int`.pipe(Effect.orDie)
  })

layer(TestServerManualSweep, { timeout: 120_000 })("budgets and alerts", (it) => {
  it.effect("a monthly hours budget: 80% and 100% each emit one event per month, written to the outbox", () =>
    Effect.gen(function*() {
      yield* setNow("2026-06-15T12:00:00Z")
      const base = yield* baseUrl
      const { key } = yield* signUp()
      const project = (yield* call(base, "POST", "/api/projects", {
        key,
        body: { name: "Retainer", budgetHours: 10, budgetPeriod: "monthly" }
      })).body
      expect(project).toMatchObject({ budgetHours: 10, budgetPeriod: "monthly", budgetHardCap: false })
      const log = logger(base, key)
      const budget = () => call(base, "GET", `/api/projects/${project.id}/budget`, { key })

      expect((yield* log(project.id, "2026-06-01T09:00:00Z", 7 * 60)).status).toBe(201)
      const at70 = yield* budget()
      expect(at70.status).toBe(200)
      expect(at70.body).toMatchObject({
        period: "monthly",
        periodKey: "2026-06",
        periodStart: "2026-06-01T00:00:00.000Z",
        periodEnd: "2026-07-01T00:00:00.000Z",
        hours: { limit: 10, used: 7, remaining: 3, percent: 70 },
        amount: { limit: null, remaining: null, percent: null },
        status: "ok",
        alerts: []
      })

      yield* log(project.id, "2026-06-02T09:00:00Z", 60)
      const at80 = yield* budget()
      expect(at80.body.status).toBe("warning")
      expect(at80.body.hours.percent).toBe(80)
      expect(at80.body.alerts.map((a: any) => [a.threshold, a.period, a.metric, a.hoursUsed])).toEqual([[80, "2026-06", "hours", 8]])

      yield* log(project.id, "2026-06-03T09:00:00Z", 30)
      expect((yield* budget()).body.alerts).toHaveLength(1)
      yield* log(project.id, "2026-06-04T09:00:00Z", 90)
      const at100 = yield* budget()
      expect(at100.body).toMatchObject({ status: "over", exhausted: false, hours: { used: 10, remaining: 0, percent: 100 } })
      yield* log(project.id, "2026-06-05T09:00:00Z", 60)
      const at110 = yield* budget()
      expect(at110.body.hours).toEqual({ limit: 10, used: 11, remaining: -1, percent: 110 })
      expect(at110.body.alerts.map((a: any) => a.threshold)).toEqual([100, 80])

      // a new month starts from zero and may warn again
      yield* setNow("2026-07-02T12:00:00Z")
      const july = yield* budget()
      expect(july.body).toMatchObject({ periodKey: "2026-07", status: "ok", hours: { used: 0, percent: 0 }, alerts: [] })
      yield* log(project.id, "2026-07-01T09:00:00Z", 9 * 60)
      const julyWarn = yield* budget()
      expect(julyWarn.body.status).toBe("warning")
      expect(julyWarn.body.alerts.map((a: any) => [a.threshold, a.period])).toEqual([[80, "2026-07"]])
      // a late June entry logged in July counts for June, whose thresholds were already reported
      yield* log(project.id, "2026-06-30T09:00:00Z", 60)

      const outbox = yield* outboxOf(project.id)
      expect(outbox.map((row) => [row.type, row.payload.threshold, row.payload.period, row.dedupeKey])).toEqual([
        ["BudgetThresholdCrossed", 80, "2026-06", `budget:${project.id}:80:2026-06`],
        ["BudgetThresholdCrossed", 100, "2026-06", `budget:${project.id}:100:2026-06`],
        ["BudgetThresholdCrossed", 80, "2026-07", `budget:${project.id}:80:2026-07`]
      ])
      expect(outbox[0]!.payload).toMatchObject({
        projectName: "Retainer",
        metric: "hours",
        hoursUsed: 8,
        hoursLimit: 10,
        currency: "USD",
        occurredAt: "2026-06-15T12:00:00.000Z"
      })
      expect(outbox.every((row) => row.deliveredAt === null)).toBe(true)

      const alerts = yield* call(base, "GET", "/api/alerts", { key })
      expect(alerts.body.alerts.map((a: any) => [a.threshold, a.period])).toEqual([[80, "2026-07"], [100, "2026-06"], [80, "2026-06"]])
      const filtered = yield* call(base, "GET", `/api/alerts?projectId=${project.id}`, { key })
      expect(filtered.body.alerts).toHaveLength(3)
    }))

  it.effect("entries that cross a threshold together still emit it exactly once", () =>
    Effect.gen(function*() {
      yield* setNow("2026-06-15T12:00:00Z")
      const base = yield* baseUrl
      const { key } = yield* signUp()
      const project = (yield* call(base, "POST", "/api/projects", { key, body: { name: "Race", budgetHours: 1 } })).body
      const log = logger(base, key)
      const replies = yield* Effect.all(
        ["09", "10", "11", "12"].map((hour) => log(project.id, `2026-06-10T${hour}:00:00Z`, 20)),
        { concurrency: 4 }
      )
      expect(replies.map((r) => r.status)).toEqual([201, 201, 201, 201])
      const outbox = yield* outboxOf(project.id)
      expect(outbox.map((row) => [row.payload.threshold, row.payload.period])).toEqual([[80, "total"], [100, "total"]])
      const budget = yield* call(base, "GET", `/api/projects/${project.id}/budget`, { key })
      expect(budget.body).toMatchObject({ period: "none", periodKey: "total", periodStart: null, status: "over" })
      expect(budget.body.hours).toEqual({ limit: 1, used: 1.33, remaining: -0.33, percent: 133.33 })
    }))

  it.effect("an amount budget with a hard cap: spend counts billable time only; reaching it refuses more time with 422", () =>
    Effect.gen(function*() {
      yield* setNow("2026-06-15T12:00:00Z")
      const base = yield* baseUrl
      const owner = yield* signUp()
      const member = yield* signUp()
      const ws = (yield* call(base, "POST", "/api/workspaces", { key: owner.key, body: { name: "Shop", currency: "EUR" } })).body
      yield* call(base, "POST", `/api/workspaces/${ws.id}/activate`, { key: owner.key })
      const code = (yield* call(base, "POST", `/api/workspaces/${ws.id}/invites`, { key: owner.key })).body.code
      yield* call(base, "POST", "/api/workspaces/join", { key: member.key, body: { code } })
      yield* call(base, "POST", `/api/workspaces/${ws.id}/activate`, { key: member.key })

      const project = (yield* call(base, "POST", "/api/projects", {
        key: owner.key,
        body: { name: "Fixed price", hourlyRate: 100, budgetAmount: 1000, budgetHardCap: true }
      })).body
      const logOwner = logger(base, owner.key)
      const logMember = logger(base, member.key)
      const budget = () => call(base, "GET", `/api/projects/${project.id}/budget`, { key: member.key })

      expect((yield* logOwner(project.id, "2026-06-01T09:00:00Z", 474)).status).toBe(201) // 790.00
      expect((yield* logMember(project.id, "2026-06-01T18:00:00Z", 120, { billable: false })).status).toBe(201)
      const at79 = yield* budget()
      expect(at79.body).toMatchObject({
        currency: "EUR",
        status: "ok",
        amount: { limit: 1000, used: 790, remaining: 210, percent: 79 },
        hours: { limit: null, used: 9.9 }
      })
      yield* logMember(project.id, "2026-06-02T09:00:00Z", 6) // 10.00 -> exactly 800.00
      const at80 = yield* budget()
      expect(at80.body).toMatchObject({ status: "warning", amount: { used: 800, percent: 80 } })
      expect(at80.body.alerts.map((a: any) => [a.threshold, a.metric, a.amountUsed])).toEqual([[80, "amount", 800]])
      yield* logOwner(project.id, "2026-06-03T09:00:00Z", 120) // 1000.00
      const spent = yield* budget()
      expect(spent.body).toMatchObject({ status: "over", hardCap: true, exhausted: true, amount: { used: 1000, remaining: 0, percent: 100 } })

      for (const log of [logOwner, logMember]) {
        const refused = yield* log(project.id, "2026-06-04T09:00:00Z", 30)
        expect(refused.status).toBe(422)
        expect(refused.body.code).toBe("budget_exhausted")
        expect(refused.body.projectId).toBe(project.id)
        expect(refused.body.message).toContain("budget")
        expect(refused.body.message).toContain("spent")
        expect(refused.body.message).toContain("1000 of 1000 EUR")
      }
      // moving an entry onto the spent project is refused as well
      const other = (yield* call(base, "POST", "/api/projects", { key: owner.key, body: { name: "Other" } })).body
      const elsewhere = (yield* logMember(other.id, "2026-06-05T09:00:00Z", 30)).body
      const moved = yield* call(base, "PATCH", `/api/entries/${elsewhere.id}`, { key: member.key, body: { projectId: project.id } })
      expect(moved.status).toBe(422)
      expect(moved.body.code).toBe("budget_exhausted")

      // raising the cap lets time in again
      const raised = yield* call(base, "PATCH", `/api/projects/${project.id}`, { key: owner.key, body: { budgetAmount: 2000 } })
      expect(raised.status).toBe(200)
      expect((yield* logMember(project.id, "2026-06-04T09:00:00Z", 30)).status).toBe(201)
      const after = yield* budget()
      expect(after.body).toMatchObject({ status: "ok", exhausted: false, amount: { used: 1050, percent: 52.5 } })
      // thresholds already reported for this period are not reported again
      expect(after.body.alerts.map((a: any) => a.threshold)).toEqual([100, 80])
    }))

  it.effect("a monthly hard cap blocks for the rest of the month and lets time in next month", () =>
    Effect.gen(function*() {
      yield* setNow("2026-06-20T12:00:00Z")
      const base = yield* baseUrl
      const { key } = yield* signUp()
      const project = (yield* call(base, "POST", "/api/projects", {
        key,
        body: { name: "Capped", budgetHours: 2, budgetPeriod: "monthly", budgetHardCap: true }
      })).body
      const log = logger(base, key)
      expect((yield* log(project.id, "2026-06-01T09:00:00Z", 120)).status).toBe(201)
      const refused = yield* log(project.id, "2026-06-02T09:00:00Z", 15)
      expect(refused.status).toBe(422)
      expect(refused.body.message).toContain("2 of 2 hours for 2026-06")
      expect(refused.body.message).toContain("resets on 2026-07-01")
      yield* setNow("2026-07-01T08:00:00Z")
      expect((yield* log(project.id, "2026-07-01T07:00:00Z", 15)).status).toBe(201)
    }))

  it.effect("budget fields are validated; a project without a budget is ok; other workspaces' projects are 404", () =>
    Effect.gen(function*() {
      yield* setNow("2026-06-15T12:00:00Z")
      const base = yield* baseUrl
      const { key } = yield* signUp()
      const bad = yield* call(base, "POST", "/api/projects", { key, body: { name: "X", budgetPeriod: "weekly" } })
      expect(bad.status).toBe(400)
      const badCap = yield* call(base, "POST", "/api/projects", { key, body: { name: "X", budgetHardCap: "yes" } })
      expect(badCap.status).toBe(400)
      const plain = (yield* call(base, "POST", "/api/projects", { key, body: { name: "Plain" } })).body
      expect(plain).toMatchObject({ budgetPeriod: "none", budgetHardCap: false })
      const budget = yield* call(base, "GET", `/api/projects/${plain.id}/budget`, { key })
      expect(budget.body).toMatchObject({
        status: "ok",
        exhausted: false,
        hours: { limit: null, used: 0, remaining: null, percent: null },
        amount: { limit: null, used: 0, remaining: null, percent: null }
      })
      const patched = yield* call(base, "PATCH", `/api/projects/${plain.id}`, {
        key,
        body: { budgetHours: 5, budgetPeriod: "monthly", budgetHardCap: true }
      })
      expect(patched.body).toMatchObject({ budgetHours: 5, budgetPeriod: "monthly", budgetHardCap: true })

      const stranger = yield* signUp()
      const foreign = yield* call(base, "GET", `/api/projects/${plain.id}/budget`, { key: stranger.key })
      expect(foreign.status).toBe(404)
      expect(foreign.body.code).toBe("project_not_found")
      const strangerAlerts = yield* call(base, "GET", `/api/alerts?projectId=${plain.id}`, { key: stranger.key })
      expect(strangerAlerts.status).toBe(404)
      const notUuid = yield* call(base, "GET", "/api/projects/nope/budget", { key })
      expect(notUuid.status).toBe(400)
    }))

  it.effect("with budgetIncludesAiCost the money budget counts the entries' AI spend; its alerts work as before", () =>
    Effect.gen(function*() {
      yield* setNow("2026-06-15T12:00:00Z")
      const base = yield* baseUrl
      const { key } = yield* signUp()
      const project = (yield* call(base, "POST", "/api/projects", {
        key,
        body: { name: "AI heavy", hourlyRate: 60, budgetAmount: 10, budgetIncludesAiCost: true }
      })).body
      expect(project).toMatchObject({ budgetAmount: 10, budgetIncludesAiCost: true })
      const plain = (yield* call(base, "POST", "/api/projects", { key, body: { name: "Hours only", hourlyRate: 60, budgetAmount: 10 } })).body
      expect(plain.budgetIncludesAiCost).toBe(false)
      const budgetOf = (id: string) => Effect.map(call(base, "GET", `/api/projects/${id}/budget`, { key }), (r) => r.body)

      for (const [p, session] of [[project, "ai-1"], [plain, "plain-1"]] as const) {
        expect((yield* call(base, "POST", "/api/timer/start", { key, body: { projectId: p.id, source: "hook", sessionId: session } })).status)
          .toBe(200)
        const exported = yield* call(base, "POST", "/api/otlp/v1/logs", {
          key,
          rawBody: jsonExport([{ sessionId: session, at: Date.parse("2026-06-15T12:00:30Z"), requestId: `req-${session}`, model: "claude-sonnet-4-5", costUsd: 7.5 }]),
          headers: { "content-type": "application/json" }
        })
        expect(exported.status).toBe(200)
        yield* TestClock.adjust("2 minutes")
        expect((yield* call(base, "POST", "/api/timer/stop", { key, body: { projectId: p.id } })).status).toBe(200)
      }
      // 2 minutes at 60 an hour, plus $7.50 of AI spend: 9.50 of 10
      const withAi = yield* budgetOf(project.id)
      expect(withAi).toMatchObject({ status: "warning", amount: { limit: 10, used: 9.5, remaining: 0.5, percent: 95 } })
      expect(withAi.alerts.map((a: any) => [a.threshold, a.metric, a.amountUsed])).toEqual([[80, "amount", 9.5]])
      expect((yield* outboxOf(project.id)).map((row) => row.payload.threshold)).toEqual([80])
      const without = yield* budgetOf(plain.id)
      expect(without).toMatchObject({ status: "ok", amount: { used: 2, percent: 20 }, alerts: [] })

      const switched = yield* call(base, "PATCH", `/api/projects/${plain.id}`, { key, body: { budgetIncludesAiCost: true } })
      expect(switched.body.budgetIncludesAiCost).toBe(true)
      expect((yield* budgetOf(plain.id)).amount).toMatchObject({ used: 9.5, percent: 95 })
      const bad = yield* call(base, "PATCH", `/api/projects/${plain.id}`, { key, body: { budgetIncludesAiCost: "yes" } })
      expect(bad.status).toBe(400)
      expect(bad.body.message).toContain("budgetIncludesAiCost")
    }))
})
