import { Effect, Option } from "effect"
import { CurrentActor } from "../contract/Actor.js"
import type { ProjectId, TaskId, UserId, WorkspaceId } from "../contract/Ids.js"
import { ProjectNotFound } from "../contract/Project.js"
import { BillingReport, ReportLine } from "../contract/Report.js"
import type { GroupBy, ReportQuery } from "../contract/Report.js"
import { AccountsRepo } from "../repos/AccountsRepo.js"
import { ProjectsRepo } from "../repos/ProjectsRepo.js"
import { ReportsRepo } from "../repos/ReportsRepo.js"
import type { BillingRow, HoursRow } from "../repos/ReportsRepo.js"
import { TasksRepo } from "../repos/TasksRepo.js"
import { TaskNotFound } from "../contract/Task.js"
import { MemberHours, MemberProjectHours, ProjectHours, TeamSummary } from "../contract/Workspace.js"
import type { SummaryQuery } from "../contract/Workspace.js"
import { givenPeriod, hoursOf, minorUnits, resolvePeriod } from "./Periods.js"
import { WorkspaceAccess } from "./WorkspaceAccess.js"

/**
 * Lines and summaries are made from SQL's typed columns without the constructors' validation: checking each
 * again (ids, numbers) cost more than the query of a month, and a year's team summary has thousands of rows.
 */
const toLine = (row: BillingRow) =>
  new ReportLine({
    projectId: row.projectId as ProjectId | null,
    projectName: row.projectName,
    taskId: row.taskId as TaskId | null,
    taskName: row.taskName,
    date: row.day,
    hours: hoursOf(row.seconds),
    billableHours: hoursOf(row.billableSeconds),
    rate: row.rate,
    amount: row.amount,
    entries: row.entries,
    aiCostUsd: row.aiCostUsd,
    unpricedModels: row.unpricedModels
  }, true)

export class Reports extends Effect.Service<Reports>()("@clockme/domain/Reports", {
  effect: Effect.gen(function*() {
    const repo = yield* ReportsRepo
    const accounts = yield* AccountsRepo
    const projects = yield* ProjectsRepo
    const tasks = yield* TasksRepo
    const access = yield* WorkspaceAccess

    /** As `findUserById` reads it: a stored timezone the database cannot use reads as UTC. */
    const settingsOf = (userId: UserId, workspaceId: WorkspaceId) =>
      Effect.gen(function*() {
        const settings = yield* repo.settingsOf(userId, workspaceId)
        const known = yield* accounts.knownTimezone(settings.timezone)
        return Option.isSome(known) ? settings : { ...settings, timezone: "UTC" }
      })

    /**
     * The settings and rows of the caller's report. With both days given the period needs no timezone, so the
     * settings and the lines come in one call; the default period (this month to today) is the user's, so their
     * settings are read first. A stored zone the server does not know is read as UTC, as `settingsOf` does.
     */
    const reportOf = (actor: { readonly userId: UserId; readonly workspaceId: WorkspaceId }, query: ReportQuery, groupBy: GroupBy) =>
      Effect.gen(function*() {
        const call = {
          userId: actor.userId,
          workspaceId: actor.workspaceId,
          groupBy,
          projectId: query.projectId,
          taskId: query.taskId,
          billable: query.billable
        }
        if (query.from !== undefined && query.to !== undefined) {
          const days = yield* givenPeriod(query.from, query.to)
          const result = yield* repo.report({ ...call, ...days, timezone: undefined })
          const known = yield* accounts.knownTimezone(result.settings.timezone)
          if (Option.isSome(known) && result.usableZone) {
            return { ...result, period: { ...days, timezone: result.settings.timezone } }
          }
          const utc = yield* repo.report({ ...call, ...days, timezone: "UTC" })
          return { ...utc, period: { ...days, timezone: "UTC" } }
        }
        const settings = yield* settingsOf(actor.userId, actor.workspaceId)
        const period = yield* resolvePeriod(query, settings.timezone)
        const result = yield* repo.report({ ...call, from: period.from, to: period.to, timezone: period.timezone })
        return { ...result, period }
      })

    /** The caller's own hours and amounts in the active workspace. */
    const billing = Effect.fn("Reports.billing")(function*(query: ReportQuery) {
      const actor = yield* CurrentActor
      if (query.projectId !== undefined && Option.isNone(yield* projects.findById(actor.workspaceId, query.projectId))) {
        return yield* ProjectNotFound.byId(query.projectId)
      }
      if (query.taskId !== undefined && Option.isNone(yield* tasks.findById(actor.workspaceId, query.taskId))) {
        return yield* TaskNotFound.byId(query.taskId)
      }
      const groupBy = query.groupBy ?? "project"
      const { lines: rows, period, projects: projectRows, settings } = yield* reportOf(actor, query, groupBy)
      const currency = settings.currency
      const scale = minorUnits(currency)
      const lines = rows.map(toLine)
      const byProject = groupBy === "project" ? lines : projectRows.map(toLine)
      const factor = 10 ** scale
      return new BillingReport({
        from: period.from,
        to: period.to,
        timezone: period.timezone,
        weekStart: settings.weekStart,
        currency,
        groupBy,
        projects: byProject,
        lines,
        totals: {
          hours: hoursOf(rows.reduce((sum, row) => sum + row.seconds, 0)),
          billableHours: hoursOf(rows.reduce((sum, row) => sum + row.billableSeconds, 0)),
          amount: lines.reduce((sum, line) => sum + Math.round(line.amount * factor), 0) / factor,
          entries: lines.reduce((sum, line) => sum + line.entries, 0),
          // in micro-dollars, so that the sum of six-decimal figures stays exact
          aiCostUsd: lines.reduce((sum, line) => sum + Math.round(line.aiCostUsd * 1_000_000), 0) / 1_000_000,
          unpricedModels: [...new Set(lines.flatMap((line) => line.unpricedModels))].sort()
        }
      }, true)
    })

    /** Hours, billable amounts and AI cost of every member by member, by project and by both; any member may read it. */
    const teamSummary = Effect.fn("Reports.teamSummary")(function*(id: WorkspaceId, query: SummaryQuery) {
      const actor = yield* CurrentActor
      yield* access.membership(id)
      const settings = yield* settingsOf(actor.userId, id)
      const period = yield* resolvePeriod(query, settings.timezone)
      const currency = settings.currency
      const scale = minorUnits(currency)
      const rows = yield* repo.teamHours(id, period, scale)
      const figures = (r: HoursRow) => ({
        hours: hoursOf(r.seconds),
        billableHours: hoursOf(r.billableSeconds),
        entries: r.entries,
        amount: r.amount,
        aiCostUsd: r.aiCostUsd
      })
      const memberRows = rows.filter((r) => r.byMember && !r.byProject)
      const total = (pick: (r: HoursRow) => number) => memberRows.reduce((sum, r) => sum + pick(r), 0)
      return new TeamSummary({
        workspaceId: id,
        from: period.from,
        to: period.to,
        totalHours: hoursOf(total((r) => r.seconds)),
        totalBillableHours: hoursOf(total((r) => r.billableSeconds)),
        totalEntries: total((r) => r.entries),
        currency,
        totalAmount: total((r) => Math.round(r.amount * 10 ** scale)) / 10 ** scale,
        // in micro-dollars, so that the sum of six-decimal figures stays exact
        totalAiCostUsd: total((r) => Math.round(r.aiCostUsd * 1_000_000)) / 1_000_000,
        byMember: memberRows.map((r) =>
          new MemberHours({ userId: r.userId as UserId, name: r.memberName ?? "", email: r.email ?? "", ...figures(r) }, true)
        ),
        byProject: rows.filter((r) => r.byProject && !r.byMember).map((r) =>
          new ProjectHours({ projectId: r.projectId as ProjectId, name: r.projectName ?? "", ...figures(r) }, true)
        ),
        byMemberProject: rows.filter((r) => r.byMember && r.byProject).map((r) =>
          new MemberProjectHours({
            userId: r.userId as UserId,
            projectId: r.projectId as ProjectId,
            memberName: r.memberName ?? "",
            projectName: r.projectName ?? "",
            ...figures(r)
          }, true)
        )
      }, true)
    })

    return { billing, teamSummary } as const
  }),
  dependencies: [
    ReportsRepo.Default,
    AccountsRepo.Default,
    ProjectsRepo.Default,
    TasksRepo.Default,
    WorkspaceAccess.Default
  ]
}) {}
