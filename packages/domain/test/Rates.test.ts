import { describe, expect, it } from "@effect/vitest"
import { DateTime, Effect, TestClock } from "effect"
import type { ProjectId, TaskId } from "../src/contract/Ids.js"
import { Accounts } from "../src/services/Accounts.js"
import { Entries } from "../src/services/Entries.js"
import { minorUnits } from "../src/services/Periods.js"
import { Projects } from "../src/services/Projects.js"
import { Reports } from "../src/services/Reports.js"
import { Tasks } from "../src/services/Tasks.js"
import { Workspaces } from "../src/services/Workspaces.js"
import type { TestAccount } from "./lib/ServiceTest.js"
import { ServiceTest, sharedWorkspace, signUp } from "./lib/ServiceTest.js"

const log = (
  account: TestAccount,
  projectId: ProjectId,
  startTime: string,
  durationMinutes: number,
  extra: { readonly taskId?: TaskId; readonly billable?: boolean } = {}
) =>
  Effect.flatMap(Entries, (entries) =>
    account.run(entries.create({ projectId, startTime: DateTime.unsafeMake(startTime), durationMinutes, ...extra })))

const june = { from: "2026-06-01", to: "2026-06-07" }

/**
 * Alice, in New York, bills in a shared EUR workspace whose default rate is 80. Alpha has rate 100, its
 * task Design 150, its task Build none; Beta has no rate. Bob logs in the same workspace.
 */
const agency = Effect.gen(function*() {
  yield* TestClock.setTime(Date.parse("2026-06-10T12:00:00Z"))
  const projects = yield* Projects
  const tasks = yield* Tasks
  const accounts = yield* Accounts
  const owner = yield* signUp()
  const other = yield* signUp()
  const id = yield* sharedWorkspace(owner, [other], { name: "Agency", currency: "EUR", defaultHourlyRate: 80 })
  const alice = owner.with({ workspaceId: id })
  const bob = other.with({ workspaceId: id })
  yield* alice.run(accounts.update({ timezone: "America/New_York" }))
  const alpha = yield* alice.run(projects.create({ name: "Alpha", hourlyRate: 100 }))
  const beta = yield* alice.run(projects.create({ name: "Beta, Inc." }))
  const design = yield* alice.run(tasks.create({ projectId: alpha.id, name: "Design", hourlyRate: 150 }))
  const build = yield* alice.run(tasks.create({ projectId: alpha.id, name: "Build" }))
  yield* log(alice, alpha.id, "2026-06-01T14:00:00Z", 90, { taskId: design.id })
  yield* log(alice, alpha.id, "2026-06-02T14:00:00Z", 45)
  for (const hour of ["14", "15", "16"]) yield* log(alice, alpha.id, `2026-06-03T${hour}:00:00Z`, 20, { taskId: build.id })
  yield* log(alice, beta.id, "2026-06-04T03:30:00Z", 50)
  yield* log(alice, beta.id, "2026-06-07T14:00:00Z", 30, { billable: false })
  yield* log(alice, alpha.id, "2026-06-08T03:59:00Z", 10, { taskId: design.id })
  yield* log(alice, beta.id, "2026-06-01T03:00:00Z", 60)
  yield* log(bob, alpha.id, "2026-06-02T10:00:00Z", 480)
  return { alice, bob, alpha, beta, design, build }
})

const billing = (account: TestAccount, query: Parameters<Reports["billing"]>[0]) =>
  Effect.flatMap(Reports, (reports) => account.run(reports.billing(query))).pipe(
    Effect.flatMap((report) => "lines" in report ? Effect.succeed(report) : Effect.dieMessage("expected JSON"))
  )

describe("rates and rounding", () => {
  it.effect("task rate, then project rate, then the workspace default; each line rounded once", () =>
    Effect.gen(function*() {
      const { alice, build, design } = yield* agency
      const byTask = yield* billing(alice, { ...june, groupBy: "task" })
      expect(byTask.lines.map((l) => [l.projectName, l.taskId, l.hours, l.rate, l.amount])).toEqual([
        ["Alpha", null, 0.75, 100, 75],
        ["Alpha", build.id, 1, 100, 100],
        ["Alpha", design.id, 1.67, 150, 250],
        ["Beta, Inc.", null, 1.33, 80, 66.67]
      ])
      const byProject = yield* billing(alice, june)
      expect(byProject.projects.map((l) => [l.projectName, l.hours, l.billableHours, l.rate, l.amount, l.entries])).toEqual([
        ["Alpha", 3.42, 3.42, null, 425, 6],
        ["Beta, Inc.", 1.33, 0.83, 80, 66.67, 2]
      ])
      expect(byProject.totals).toEqual({ hours: 4.75, billableHours: 4.25, amount: 491.67, entries: 8, aiCostUsd: 0, unpricedModels: [] })
    }).pipe(Effect.provide(ServiceTest)))

  it.effect("non-billable time counts in hours only; each member's report holds only their own time", () =>
    Effect.gen(function*() {
      const { alice, bob } = yield* agency
      const nonBillable = yield* billing(alice, { ...june, billable: false })
      expect(nonBillable.projects.map((l) => [l.projectName, l.hours, l.billableHours, l.amount])).toEqual([
        ["Beta, Inc.", 0.5, 0, 0]
      ])
      const bobs = yield* billing(bob, june)
      expect(bobs.projects.map((l) => [l.projectName, l.hours, l.amount])).toEqual([["Alpha", 8, 800]])
    }).pipe(Effect.provide(ServiceTest)))

  it.effect("days are calendar days in the user's timezone; weeks start on the user's weekStart", () =>
    Effect.gen(function*() {
      const { alice } = yield* agency
      const accounts = yield* Accounts
      const byDay = yield* billing(alice, { ...june, groupBy: "day" })
      expect(byDay.lines.map((l) => [l.date, l.hours, l.amount, l.entries])).toEqual([
        ["2026-06-01", 1.5, 225, 1],
        ["2026-06-02", 0.75, 75, 1],
        ["2026-06-03", 1.83, 166.67, 4],
        ["2026-06-07", 0.67, 25, 2]
      ])
      yield* alice.run(accounts.update({ weekStart: "sunday" }))
      const weeks = yield* billing(alice, { ...june, groupBy: "week" })
      expect(weeks.lines.map((l) => [l.date, l.hours, l.amount])).toEqual([["2026-05-31", 4.08, 466.67], ["2026-06-07", 0.67, 25]])
      yield* alice.run(accounts.update({ timezone: "UTC" }))
      const utc = yield* billing(alice, { ...june, groupBy: "day" })
      expect(utc.totals).toEqual({ hours: 5.58, billableHours: 5.08, amount: 546.67, entries: 8, aiCostUsd: 0, unpricedModels: [] })
    }).pipe(Effect.provide(ServiceTest)))

  it.effect("JPY has no minor unit: a line is rounded once to whole yen, not per entry", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(Date.parse("2026-06-10T12:00:00Z"))
      const workspaces = yield* Workspaces
      const projects = yield* Projects
      const me = yield* signUp()
      yield* me.run(workspaces.update(me.actor.workspaceId, { currency: "JPY", defaultHourlyRate: 1234.5 }))
      const project = yield* me.run(projects.create({ name: "Tokyo" }))
      // 20 min -> 411.5 and 10 min -> 205.75: per entry that would be 412 + 206 = 618; exact is 617.25
      yield* log(me, project.id, "2026-06-02T01:00:00Z", 20)
      yield* log(me, project.id, "2026-06-02T02:00:00Z", 10)
      const report = yield* billing(me, { from: "2026-06-01", to: "2026-06-30" })
      expect(report.currency).toBe("JPY")
      expect(report.projects[0]).toMatchObject({ hours: 0.5, rate: 1234.5, amount: 617 })
      expect(report.totals.amount).toBe(617)
    }).pipe(Effect.provide(ServiceTest)))

  it.effect("three thirds of an hour at 100 make 100.00, not 99.99; the project default rate changes apply", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(Date.parse("2026-06-10T12:00:00Z"))
      const projects = yield* Projects
      const me = yield* signUp()
      const project = yield* me.run(projects.create({ name: "Thirds", hourlyRate: 100 }))
      for (const hour of ["09", "10", "11"]) yield* log(me, project.id, `2026-06-03T${hour}:00:00Z`, 20)
      expect((yield* billing(me, june)).projects[0]).toMatchObject({ hours: 1, amount: 100, rate: 100 })
      yield* me.run(projects.update(project.id, { hourlyRate: 90 }))
      expect((yield* billing(me, june)).projects[0]).toMatchObject({ amount: 90, rate: 90 })
    }).pipe(Effect.provide(ServiceTest)))

  it("minor units come from ISO 4217", () => {
    expect([minorUnits("EUR"), minorUnits("USD"), minorUnits("JPY"), minorUnits("KWD")]).toEqual([2, 2, 0, 3])
  })
})
