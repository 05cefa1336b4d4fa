import { SqlClient } from "@effect/sql"
import { describe, expect, it } from "@effect/vitest"
import { DateTime, Effect, TestClock } from "effect"
import type { ProjectId } from "../src/contract/Ids.js"
import { Budgets } from "../src/services/Budgets.js"
import { Entries } from "../src/services/Entries.js"
import { IdleWatchdog } from "../src/services/IdleWatchdog.js"
import { Projects } from "../src/services/Projects.js"
import { Timers } from "../src/services/Timers.js"
import type { TestAccount } from "./lib/ServiceTest.js"
import { ServiceTest, sharedWorkspace, signUp } from "./lib/ServiceTest.js"

const setNow = (iso: string) => TestClock.setTime(Date.parse(iso))

const logger = (account: TestAccount) =>
  (projectId: ProjectId, startTime: string, durationMinutes: number, extra: { readonly billable?: boolean } = {}) =>
    Effect.flatMap(Entries, (entries) =>
      account.run(entries.create({ projectId, startTime: DateTime.unsafeMake(startTime), durationMinutes, ...extra })))

const outboxOf = (projectId: ProjectId) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    return yield* sql<{ type: string; payload: any; dedupeKey: string; deliveredAt: Date | null }>`
      SELECT type, payload, dedupe_key, delivered_at FROM outbox
      WHERE payload->>'projectId' = ${projectId} ORDER BY created_at, (payload->>'threshold')::int`
  }).pipe(Effect.orDie)

describe("Budgets: thresholds", () => {
  it.effect("a monthly hours budget: 80% and 100% each emit one event per month, to the outbox and as alerts", () =>
    Effect.gen(function*() {
      yield* setNow("2026-06-15T12:00:00Z")
      const budgets = yield* Budgets
      const projects = yield* Projects
      const me = yield* signUp()
      const project = yield* me.run(projects.create({ name: "Retainer", budgetHours: 10, budgetPeriod: "monthly" }))
      const log = logger(me)
      const budget = () => me.run(budgets.get(project.id))

      yield* log(project.id, "2026-06-01T09:00:00Z", 7 * 60)
      const at70 = yield* budget()
      expect(at70).toMatchObject({
        period: "monthly",
        periodKey: "2026-06",
        periodStart: DateTime.unsafeMake("2026-06-01T00:00:00Z"),
        periodEnd: DateTime.unsafeMake("2026-07-01T00:00:00Z"),
        hours: { limit: 10, used: 7, remaining: 3, percent: 70 },
        amount: { limit: null, remaining: null, percent: null },
        status: "ok",
        alerts: []
      })
      yield* log(project.id, "2026-06-02T09:00:00Z", 60)
      const at80 = yield* budget()
      expect(at80.status).toBe("warning")
      expect(at80.alerts.map((a) => [a.threshold, a.period, a.metric, a.hoursUsed])).toEqual([[80, "2026-06", "hours", 8]])
      yield* log(project.id, "2026-06-03T09:00:00Z", 30)
      expect((yield* budget()).alerts).toHaveLength(1)
      yield* log(project.id, "2026-06-04T09:00:00Z", 90)
      expect(yield* budget()).toMatchObject({ status: "over", exhausted: false, hours: { used: 10, remaining: 0, percent: 100 } })
      yield* log(project.id, "2026-06-05T09:00:00Z", 60)
      const at110 = yield* budget()
      expect(at110.hours).toMatchObject({ limit: 10, used: 11, remaining: -1, percent: 110 })
      expect(at110.alerts.map((a) => a.threshold)).toEqual([100, 80])

      yield* setNow("2026-07-02T12:00:00Z")
      expect(yield* budget()).toMatchObject({ periodKey: "2026-07", status: "ok", hours: { used: 0, percent: 0 }, alerts: [] })
      yield* log(project.id, "2026-07-01T09:00:00Z", 9 * 60)
      expect((yield* budget()).alerts.map((a) => [a.threshold, a.period])).toEqual([[80, "2026-07"]])
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
      const alerts = yield* me.run(budgets.alerts({}))
      expect(alerts.alerts.map((a) => [a.threshold, a.period])).toEqual([[80, "2026-07"], [100, "2026-06"], [80, "2026-06"]])
    }).pipe(Effect.provide(ServiceTest)))

  it.effect("an amount budget counts billable time only and reaches 80% exactly, in whole cents", () =>
    Effect.gen(function*() {
      yield* setNow("2026-06-15T12:00:00Z")
      const budgets = yield* Budgets
      const projects = yield* Projects
      const owner = yield* signUp()
      const member = yield* signUp()
      const id = yield* sharedWorkspace(owner, [member], { name: "Shop", currency: "EUR" })
      const o = owner.with({ workspaceId: id })
      const m = member.with({ workspaceId: id })
      const project = yield* o.run(projects.create({ name: "Fixed price", hourlyRate: 100, budgetAmount: 1000 }))
      yield* logger(o)(project.id, "2026-06-01T09:00:00Z", 474)
      yield* logger(m)(project.id, "2026-06-01T18:00:00Z", 120, { billable: false })
      expect(yield* m.run(budgets.get(project.id))).toMatchObject({
        currency: "EUR",
        status: "ok",
        amount: { limit: 1000, used: 790, remaining: 210, percent: 79 },
        hours: { limit: null, used: 9.9 }
      })
      yield* logger(m)(project.id, "2026-06-02T09:00:00Z", 6)
      const at80 = yield* m.run(budgets.get(project.id))
      expect(at80).toMatchObject({ status: "warning", amount: { used: 800, percent: 80 } })
      expect(at80.alerts.map((a) => [a.threshold, a.metric, a.amountUsed])).toEqual([[80, "amount", 800]])
    }).pipe(Effect.provide(ServiceTest)))

  it.effect("a project without a budget is ok with nulls; another workspace's project is not found", () =>
    Effect.gen(function*() {
      yield* setNow("2026-06-15T12:00:00Z")
      const budgets = yield* Budgets
      const projects = yield* Projects
      const me = yield* signUp()
      const plain = yield* me.run(projects.create({ name: "Plain" }))
      expect(yield* me.run(budgets.get(plain.id))).toMatchObject({
        period: "none",
        periodKey: "total",
        periodStart: null,
        status: "ok",
        exhausted: false,
        hours: { limit: null, used: 0, remaining: null, percent: null },
        amount: { limit: null, used: 0, remaining: null, percent: null }
      })
      const stranger = yield* signUp()
      expect((yield* Effect.flip(stranger.run(budgets.get(plain.id))))._tag).toBe("ProjectNotFound")
      expect((yield* Effect.flip(stranger.run(budgets.alerts({ projectId: plain.id }))))._tag).toBe("ProjectNotFound")
    }).pipe(Effect.provide(ServiceTest)))
})

describe("Budgets: hard cap", () => {
  it.effect("a spent hard-capped amount budget refuses entries, moves and timers for everyone; raising it lets time in", () =>
    Effect.gen(function*() {
      yield* setNow("2026-06-15T12:00:00Z")
      const budgets = yield* Budgets
      const projects = yield* Projects
      const entries = yield* Entries
      const timers = yield* Timers
      const owner = yield* signUp()
      const member = yield* signUp()
      const id = yield* sharedWorkspace(owner, [member], { name: "Shop", currency: "EUR" })
      const o = owner.with({ workspaceId: id })
      const m = member.with({ workspaceId: id })
      const project = yield* o.run(
        projects.create({ name: "Fixed price", hourlyRate: 100, budgetAmount: 1000, budgetHardCap: true })
      )
      yield* logger(o)(project.id, "2026-06-01T09:00:00Z", 600)
      expect(yield* m.run(budgets.get(project.id))).toMatchObject({
        status: "over",
        hardCap: true,
        exhausted: true,
        amount: { used: 1000, remaining: 0, percent: 100 }
      })
      for (const who of [o, m]) {
        const refused = yield* Effect.flip(logger(who)(project.id, "2026-06-04T09:00:00Z", 30))
        expect(refused).toMatchObject({ _tag: "BudgetExhausted", projectId: project.id })
        expect(refused.message).toContain("1000 of 1000 EUR")
      }
      const other = yield* o.run(projects.create({ name: "Other" }))
      const elsewhere = yield* logger(m)(other.id, "2026-06-05T09:00:00Z", 30)
      expect((yield* Effect.flip(m.run(entries.update(elsewhere.id, { projectId: project.id }))))._tag).toBe("BudgetExhausted")
      expect((yield* Effect.flip(m.run(timers.start({ projectId: project.id }))))._tag).toBe("BudgetExhausted")
      expect((yield* Effect.flip(m.run(timers.heartbeat({ projectName: "Fixed price", autoStart: true }))))._tag).toBe(
        "BudgetExhausted"
      )

      yield* o.run(projects.update(project.id, { budgetAmount: 2000 }))
      yield* logger(m)(project.id, "2026-06-04T09:00:00Z", 30)
      const after = yield* m.run(budgets.get(project.id))
      expect(after).toMatchObject({ status: "ok", exhausted: false, amount: { used: 1050, percent: 52.5 } })
      expect(after.alerts.map((a) => a.threshold)).toEqual([100, 80])
    }).pipe(Effect.provide(ServiceTest)))

  it.effect("a monthly hard cap blocks for the rest of the month and lets time in next month", () =>
    Effect.gen(function*() {
      yield* setNow("2026-06-20T12:00:00Z")
      const projects = yield* Projects
      const me = yield* signUp()
      const project = yield* me.run(
        projects.create({ name: "Capped", budgetHours: 2, budgetPeriod: "monthly", budgetHardCap: true })
      )
      const log = logger(me)
      yield* log(project.id, "2026-06-01T09:00:00Z", 120)
      const refused = yield* Effect.flip(log(project.id, "2026-06-02T09:00:00Z", 15))
      expect(refused.message).toContain("2 of 2 hours for 2026-06")
      expect(refused.message).toContain("resets on 2026-07-01")
      yield* setNow("2026-07-01T08:00:00Z")
      expect((yield* log(project.id, "2026-07-01T07:00:00Z", 15)).durationSeconds).toBe(900)
    }).pipe(Effect.provide(ServiceTest)))

  it.effect("timers count: a stop crossing 80% emits one event; the watchdog's entry spends the cap", () =>
    Effect.gen(function*() {
      yield* setNow("2026-06-01T09:00:00Z")
      const budgets = yield* Budgets
      const projects = yield* Projects
      const timers = yield* Timers
      const watchdog = yield* IdleWatchdog
      const me = yield* signUp()
      const project = yield* me.run(projects.create({ name: "capped", budgetHours: 1, budgetHardCap: true }))
      yield* me.run(timers.start({ projectId: project.id, source: "hook" }))
      yield* TestClock.adjust("50 minutes")
      expect(yield* me.run(timers.stop({}))).toMatchObject({ durationSeconds: 3000 })
      expect((yield* outboxOf(project.id)).map((e) => e.payload.threshold)).toEqual([80])
      yield* me.run(timers.start({ projectId: project.id, source: "hook" }))
      yield* TestClock.adjust("20 minutes")
      yield* me.run(timers.heartbeat({}))
      yield* TestClock.adjust("1 hour")
      expect(yield* watchdog.sweep).toBe(1)
      const budget = yield* me.run(budgets.get(project.id))
      expect(budget).toMatchObject({ status: "over", exhausted: true })
      expect(budget.alerts.map((a) => a.threshold)).toEqual([100, 80])
      expect((yield* Effect.flip(me.run(timers.start({ projectId: project.id }))))._tag).toBe("BudgetExhausted")
    }).pipe(Effect.provide(ServiceTest)))
})
