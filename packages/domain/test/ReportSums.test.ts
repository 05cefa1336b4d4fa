import { SqlClient } from "@effect/sql"
import { describe, expect, it } from "@effect/vitest"
import { DateTime, Effect, TestClock } from "effect"
import type { ProjectId, TaskId, WorkspaceId } from "../src/contract/Ids.js"
import type { BillingReport, GroupBy, ReportQuery } from "../src/contract/Report.js"
import { Accounts } from "../src/services/Accounts.js"
import { Entries } from "../src/services/Entries.js"
import { Projects } from "../src/services/Projects.js"
import { Reports } from "../src/services/Reports.js"
import { Tasks } from "../src/services/Tasks.js"
import type { TestAccount } from "./lib/ServiceTest.js"
import { ServiceTest, sharedWorkspace, signUp } from "./lib/ServiceTest.js"

/**
 * Reports against sums made here, in plain arithmetic, from the entries, rates and AI usage the test itself wrote:
 * a seeded random history of two members in a KWD workspace (three decimals), three rate levels, tasks, entries
 * near midnight, AI usage priced and unpriced, read by project, task, day and week, with each filter, in two
 * timezones, over an empty period and the default one.
 */

interface Logged {
  readonly member: "alice" | "bob"
  readonly projectId: ProjectId
  readonly taskId: TaskId | null
  readonly start: string
  readonly seconds: number
  readonly billable: boolean
  /** AI requests: cost in micro-dollars, or null when unpriced. */
  readonly usage: ReadonlyArray<{ readonly model: string; readonly micros: number | null }>
}

interface Rates {
  readonly workspace: number | null
  readonly projects: ReadonlyMap<string, { readonly name: string; readonly rate: number | null }>
  readonly tasks: ReadonlyMap<string, { readonly name: string; readonly rate: number | null }>
}

const random = (seed: number) => () => {
  seed = (seed * 1103515245 + 12345) % 2147483648
  return seed / 2147483648
}

const localDay = (instant: string, timeZone: string) =>
  new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).format(new Date(instant))

const weekOf = (day: string, weekStart: "monday" | "sunday") => {
  const date = new Date(`${day}T00:00:00Z`)
  const back = weekStart === "monday" ? (date.getUTCDay() + 6) % 7 : date.getUTCDay()
  return new Date(date.getTime() - back * 86_400_000).toISOString().slice(0, 10)
}

/** Rates have at most two decimals: in hundredths, an amount is an exact integer sum, rounded half up once. */
const amountOf = (hundredthSeconds: bigint, scale: number) => {
  const denominator = 360_000n
  const scaled = hundredthSeconds * 10n ** BigInt(scale)
  return Number((scaled * 2n + denominator) / (denominator * 2n)) / 10 ** scale
}

const hoursOf = (seconds: number) => Math.round(seconds / 36) / 100

interface Expected {
  readonly key: string
  readonly projectId: string | null
  readonly projectName: string | null
  readonly taskId: string | null
  readonly taskName: string | null
  readonly date: string | null
  readonly hours: number
  readonly billableHours: number
  readonly rate: number | null
  readonly amount: number
  readonly entries: number
  readonly aiCostUsd: number
  readonly unpricedModels: ReadonlyArray<string>
}

/** The report as it must be, computed from the logged entries alone. */
const expectedReport = (
  logged: ReadonlyArray<Logged>,
  rates: Rates,
  query: { readonly from: string; readonly to: string; readonly groupBy: GroupBy } & Omit<ReportQuery, "groupBy">,
  settings: { readonly timezone: string; readonly weekStart: "monday" | "sunday"; readonly scale: number }
) => {
  const rateOf = (entry: Logged) =>
    (entry.taskId === null ? null : rates.tasks.get(entry.taskId)!.rate) ?? rates.projects.get(entry.projectId)!.rate ??
      rates.workspace
  const kept = logged.filter((entry) => {
    const day = localDay(entry.start, settings.timezone)
    return entry.member === "alice" && day >= query.from && day <= query.to &&
      (query.projectId === undefined || entry.projectId === query.projectId) &&
      (query.taskId === undefined || entry.taskId === query.taskId) &&
      (query.billable === undefined || entry.billable === query.billable)
  })
  const linesOf = (groupBy: GroupBy) => {
    const groups = new Map<string, Array<Logged>>()
    for (const entry of kept) {
      const day = localDay(entry.start, settings.timezone)
      const key = groupBy === "project"
        ? entry.projectId
        : groupBy === "task"
        ? `${entry.projectId}/${entry.taskId ?? ""}`
        : groupBy === "day"
        ? day
        : weekOf(day, settings.weekStart)
      groups.set(key, [...(groups.get(key) ?? []), entry])
    }
    const lines: Array<Expected> = [...groups].map(([key, entries]) => {
      const first = entries[0]!
      const lineRates = new Set(entries.map(rateOf))
      const seconds = entries.reduce((sum, e) => sum + e.seconds, 0)
      const billable = entries.filter((e) => e.billable)
      const usage = entries.flatMap((e) => e.usage)
      const byEntity = groupBy === "project" || groupBy === "task"
      return {
        key,
        projectId: byEntity ? first.projectId : null,
        projectName: byEntity ? rates.projects.get(first.projectId)!.name : null,
        taskId: groupBy === "task" ? first.taskId : null,
        taskName: groupBy === "task" && first.taskId !== null ? rates.tasks.get(first.taskId)!.name : null,
        date: byEntity ? null : key,
        hours: hoursOf(seconds),
        billableHours: hoursOf(billable.reduce((sum, e) => sum + e.seconds, 0)),
        rate: lineRates.size === 1 ? [...lineRates][0]! : null,
        amount: amountOf(billable.reduce((sum, e) => sum + BigInt(e.seconds) * BigInt(Math.round((rateOf(e) ?? 0) * 100)), 0n), settings.scale),
        entries: entries.length,
        aiCostUsd: usage.reduce((sum, u) => sum + (u.micros ?? 0), 0) / 1_000_000,
        unpricedModels: [...new Set(usage.filter((u) => u.micros === null).map((u) => u.model))].sort()
      }
    })
    const order = (line: Expected) =>
      groupBy === "project"
        ? `${line.projectName}/${line.projectId}`
        : groupBy === "task"
        ? `${line.projectName}/${line.projectId}/${line.taskName ?? ""}/${line.taskId ?? ""}`
        : line.date!
    return lines.sort((a, b) => order(a) < order(b) ? -1 : order(a) > order(b) ? 1 : 0).map(({ key: _, ...line }) => line)
  }
  const lines = linesOf(query.groupBy)
  const seconds = kept.reduce((sum, e) => sum + e.seconds, 0)
  const factor = 10 ** settings.scale
  return {
    lines,
    projects: linesOf("project"),
    totals: {
      hours: hoursOf(seconds),
      billableHours: hoursOf(kept.filter((e) => e.billable).reduce((sum, e) => sum + e.seconds, 0)),
      amount: lines.reduce((sum, line) => sum + Math.round(line.amount * factor), 0) / factor,
      entries: kept.length,
      aiCostUsd: kept.flatMap((e) => e.usage).reduce((sum, u) => sum + (u.micros ?? 0), 0) / 1_000_000,
      unpricedModels: [...new Set(lines.flatMap((line) => line.unpricedModels))].sort()
    }
  }
}

const plain = (report: BillingReport) => ({
  lines: report.lines.map((line) => ({ ...line })),
  projects: report.projects.map((line) => ({ ...line })),
  totals: report.totals
})

/** Alice (with the given zone) and Bob log a seeded month in a KWD workspace with rates at three levels. */
const history = (timezone: string) =>
  Effect.gen(function*() {
    yield* TestClock.setTime(Date.parse("2026-06-10T12:00:00Z"))
    const projects = yield* Projects
    const tasks = yield* Tasks
    const accounts = yield* Accounts
    const entries = yield* Entries
    const sql = yield* SqlClient.SqlClient
    const owner = yield* signUp()
    const other = yield* signUp()
    const workspaceId = yield* sharedWorkspace(owner, [other], { name: "Sums", currency: "KWD", defaultHourlyRate: 80.5 })
    const alice = owner.with({ workspaceId })
    const bob = other.with({ workspaceId })
    yield* alice.run(accounts.update({ timezone, weekStart: "sunday" }))
    const made = [
      yield* alice.run(projects.create({ name: "alpha", hourlyRate: 100 })),
      yield* alice.run(projects.create({ name: "beta" })),
      yield* alice.run(projects.create({ name: "gamma", hourlyRate: 37.25 }))
    ]
    const taskList = [
      yield* alice.run(tasks.create({ projectId: made[0]!.id, name: "build" })),
      yield* alice.run(tasks.create({ projectId: made[0]!.id, name: "design", hourlyRate: 150 })),
      yield* alice.run(tasks.create({ projectId: made[1]!.id, name: "review", hourlyRate: 60.1 }))
    ]
    const rates: Rates = {
      workspace: 80.5,
      projects: new Map(made.map((p) => [p.id, { name: p.name, rate: p.hourlyRate }])),
      tasks: new Map(taskList.map((t) => [t.id, { name: t.name, rate: t.hourlyRate }]))
    }
    const next = random(20261207)
    const logged: Array<Logged> = []
    for (let i = 0; i < 70; i++) {
      const member = i % 7 === 6 ? "bob" : "alice"
      const project = made[Math.floor(next() * made.length)]!
      const candidates = taskList.filter((t) => t.projectId === project.id)
      const task = next() < 0.5 || candidates.length === 0 ? null : candidates[Math.floor(next() * candidates.length)]!
      // whole minutes before today, half of them within an hour of midnight in UTC or in New York
      const near = next()
      const minute = near < 0.25
        ? (23 * 60 + Math.floor(next() * 120)) % 1440
        : near < 0.5
        ? 3 * 60 + Math.floor(next() * 120)
        : Math.floor(next() * 1440)
      const start = new Date(Date.parse("2026-05-24T00:00:00Z") + Math.floor(next() * 17) * 86_400_000 + minute * 60_000)
        .toISOString()
      const minutes = 1 + Math.floor(next() * 240)
      const billable = next() < 0.75
      const usage = next() < 0.4
        ? Array.from({ length: 1 + Math.floor(next() * 3) }, () =>
          next() < 0.25
            ? { model: ["m-one", "m-two", "m-three"][Math.floor(next() * 3)]!, micros: null }
            : { model: "priced", micros: Math.floor(next() * 2_000_000) })
        : []
      const account = member === "alice" ? alice : bob
      const entry = yield* account.run(entries.create({
        projectId: project.id,
        startTime: DateTime.unsafeMake(start),
        durationMinutes: minutes,
        billable,
        ...(task === null ? {} : { taskId: task.id })
      }))
      if (usage.length > 0) {
        const [timer] = yield* sql<{ timerId: string }>`
          UPDATE entries SET timer_id = gen_random_uuid() WHERE id = ${entry.id} RETURNING timer_id`
        for (const [n, u] of usage.entries()) {
          yield* sql`
            INSERT INTO ai_usage (workspace_id, user_id, session_id, request_key, timer_id, model, input_tokens, output_tokens,
              cache_read_tokens, cache_creation_tokens, cost_usd, cost_source, occurred_at, received_at)
            VALUES (${workspaceId}, ${account.actor.userId}, 's', ${`${entry.id}/${n}`}, ${timer!.timerId}, ${u.model}, 1, 1, 0, 0,
              ${u.micros === null ? null : (u.micros / 1_000_000).toFixed(6)}, ${u.micros === null ? "unpriced" : "reported"},
              ${start}, ${start})`
        }
      }
      logged.push({ member, projectId: project.id, taskId: task?.id ?? null, start, seconds: minutes * 60, billable, usage })
    }
    return { alice, bob, workspaceId, rates, logged, made, taskList }
  })

const billing = (account: TestAccount, query: ReportQuery) =>
  Effect.flatMap(Reports, (reports) => account.run(reports.billing(query)))

const period = { from: "2026-05-27", to: "2026-06-12" }

describe("reports against independently computed sums", () => {
  it.effect("by project, task, day and week, with each filter, in New York", () =>
    Effect.gen(function*() {
      const { alice, logged, made, rates, taskList } = yield* history("America/New_York")
      const settings = { timezone: "America/New_York", weekStart: "sunday" as const, scale: 3 }
      for (const groupBy of ["project", "task", "day", "week"] as const) {
        const queries: Array<ReportQuery & { readonly from: string; readonly to: string; readonly groupBy: GroupBy }> = [
          { ...period, groupBy },
          { ...period, groupBy, projectId: made[0]!.id },
          { ...period, groupBy, taskId: taskList[1]!.id },
          { ...period, groupBy, billable: true },
          { ...period, groupBy, billable: false }
        ]
        for (const query of queries) {
          const report = yield* billing(alice, query)
          expect(report).toMatchObject({ from: period.from, to: period.to, timezone: "America/New_York", currency: "KWD", groupBy })
          expect(plain(report), JSON.stringify(query)).toEqual(expectedReport(logged, rates, query, settings))
        }
      }
      // the history has what the comparison is meant to cover
      const all = expectedReport(logged, rates, { ...period, groupBy: "project" }, settings)
      expect(all.lines.some((line) => line.rate === null)).toBe(true)
      expect(all.totals.aiCostUsd).toBeGreaterThan(0)
      expect(all.totals.unpricedModels.length).toBeGreaterThan(0)
      expect(all.lines.some((line) => Math.round(line.amount * 1000) % 10 !== 0)).toBe(true)
    }).pipe(Effect.provide(ServiceTest)))

  it.effect("in UTC, a zone the database does not know, the default period and an empty one", () =>
    Effect.gen(function*() {
      const { alice, logged, rates } = yield* history("UTC")
      const utc = { timezone: "UTC", weekStart: "sunday" as const, scale: 3 }
      for (const groupBy of ["project", "day"] as const) {
        expect(plain(yield* billing(alice, { ...period, groupBy }))).toEqual(expectedReport(logged, rates, { ...period, groupBy }, utc))
      }
      // a stored zone the database cannot use reads as UTC
      const sql = yield* SqlClient.SqlClient
      yield* sql`UPDATE users SET timezone = 'US/Pacific-New' WHERE id = ${alice.actor.userId}`
      const unknown = yield* billing(alice, { ...period, groupBy: "week" })
      expect(unknown.timezone).toBe("UTC")
      expect(plain(unknown)).toEqual(expectedReport(logged, rates, { ...period, groupBy: "week" }, utc))
      yield* sql`UPDATE users SET timezone = 'UTC' WHERE id = ${alice.actor.userId}`
      // by default this month up to today; from alone runs to today
      const june = { from: "2026-06-01", to: "2026-06-10" }
      const current = yield* billing(alice, {})
      expect(current).toMatchObject(june)
      expect(plain(current)).toEqual(expectedReport(logged, rates, { ...june, groupBy: "project" }, utc))
      const fromOnly = yield* billing(alice, { from: "2026-06-05", groupBy: "task" })
      expect(fromOnly).toMatchObject({ from: "2026-06-05", to: "2026-06-10" })
      expect(plain(fromOnly)).toEqual(expectedReport(logged, rates, { from: "2026-06-05", to: "2026-06-10", groupBy: "task" }, utc))
      // nothing logged: no lines, zero totals, whatever the grouping
      for (const groupBy of ["project", "task", "day", "week"] as const) {
        const empty = yield* billing(alice, { from: "2025-01-01", to: "2025-01-31", groupBy })
        expect(plain(empty)).toEqual({
          lines: [],
          projects: [],
          totals: { hours: 0, billableHours: 0, amount: 0, entries: 0, aiCostUsd: 0, unpricedModels: [] }
        })
      }
    }).pipe(Effect.provide(ServiceTest)))

  it.effect("the team summary's totals, members and projects are the entries' sums", () =>
    Effect.gen(function*() {
      const { alice, bob, logged, rates, workspaceId } = yield* history("UTC")
      const summary = yield* Effect.flatMap(Reports, (reports) => alice.run(reports.teamSummary(workspaceId as WorkspaceId, period)))
      const inPeriod = logged.filter((e) => e.start.slice(0, 10) >= period.from && e.start.slice(0, 10) <= period.to)
      const rateOf = (e: Logged) =>
        (e.taskId === null ? null : rates.tasks.get(e.taskId)!.rate) ?? rates.projects.get(e.projectId)!.rate ?? rates.workspace
      const figures = (entries: ReadonlyArray<Logged>) => ({
        hours: hoursOf(entries.reduce((sum, e) => sum + e.seconds, 0)),
        billableHours: hoursOf(entries.filter((e) => e.billable).reduce((sum, e) => sum + e.seconds, 0)),
        entries: entries.length,
        amount: amountOf(
          entries.filter((e) => e.billable).reduce((sum, e) => sum + BigInt(e.seconds) * BigInt(Math.round((rateOf(e) ?? 0) * 100)), 0n),
          3
        ),
        aiCostUsd: entries.flatMap((e) => e.usage).reduce((sum, u) => sum + (u.micros ?? 0), 0) / 1_000_000
      })
      const alices = figures(inPeriod.filter((e) => e.member === "alice"))
      const bobs = figures(inPeriod.filter((e) => e.member === "bob"))
      expect(summary).toMatchObject({
        totalHours: hoursOf(inPeriod.reduce((sum, e) => sum + e.seconds, 0)),
        totalEntries: inPeriod.length,
        totalAmount: Math.round((alices.amount + bobs.amount) * 1000) / 1000,
        totalAiCostUsd: (Math.round(alices.aiCostUsd * 1e6) + Math.round(bobs.aiCostUsd * 1e6)) / 1e6,
        currency: "KWD"
      })
      expect(summary.byMember.map(({ billableHours, entries, hours, amount, aiCostUsd, userId }) => ({ userId, hours, billableHours, entries, amount, aiCostUsd })))
        .toEqual(expect.arrayContaining([{ userId: alice.actor.userId, ...alices }, { userId: bob.actor.userId, ...bobs }]))
      for (const project of summary.byProject) {
        expect({ ...project }).toEqual({ projectId: project.projectId, name: rates.projects.get(project.projectId)!.name, ...figures(inPeriod.filter((e) => e.projectId === project.projectId)) })
      }
      const empty = yield* Effect.flatMap(Reports, (reports) => alice.run(reports.teamSummary(workspaceId as WorkspaceId, { from: "2025-01-01", to: "2025-01-31" })))
      expect(empty).toMatchObject({ totalHours: 0, totalEntries: 0, totalAmount: 0, totalAiCostUsd: 0, byMember: [], byProject: [], byMemberProject: [] })
    }).pipe(Effect.provide(ServiceTest)))
})
