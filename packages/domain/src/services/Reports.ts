import { Effect, Option } from "effect"
import { CurrentActor } from "../contract/Actor.js"
import type { ProjectId, TaskId } from "../contract/Ids.js"
import { ProjectNotFound } from "../contract/Project.js"
import { BillingReport, ReportLine } from "../contract/Report.js"
import type { ReportQuery } from "../contract/Report.js"
import { AccountsRepo } from "../repos/AccountsRepo.js"
import { ProjectsRepo } from "../repos/ProjectsRepo.js"
import { ReportsRepo } from "../repos/ReportsRepo.js"
import type { BillingRow } from "../repos/ReportsRepo.js"
import { TasksRepo } from "../repos/TasksRepo.js"
import { WorkspacesRepo } from "../repos/WorkspacesRepo.js"
import { TaskNotFound } from "../contract/Task.js"
import { hoursOf, minorUnits, resolvePeriod } from "./Periods.js"

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
    unpricedModels: typeof row.unpricedModels === "string" ? JSON.parse(row.unpricedModels) : row.unpricedModels
  })

export class Reports extends Effect.Service<Reports>()("@clockme/domain/Reports", {
  effect: Effect.gen(function*() {
    const repo = yield* ReportsRepo
    const accounts = yield* AccountsRepo
    const workspaces = yield* WorkspacesRepo
    const projects = yield* ProjectsRepo
    const tasks = yield* TasksRepo

    /** The caller's own hours and amounts in the active workspace. */
    const billing = Effect.fn("Reports.billing")(function*(query: ReportQuery) {
      const actor = yield* CurrentActor
      if (query.projectId !== undefined && Option.isNone(yield* projects.findById(actor.workspaceId, query.projectId))) {
        return yield* ProjectNotFound.byId(query.projectId)
      }
      if (query.taskId !== undefined && Option.isNone(yield* tasks.findById(actor.workspaceId, query.taskId))) {
        return yield* TaskNotFound.byId(query.taskId)
      }
      const user = yield* accounts.findUserById(actor.userId).pipe(Effect.flatMap(Effect.orDie))
      const period = yield* resolvePeriod(query, user.timezone)
      const currency = yield* workspaces.currencyOf(actor.workspaceId)
      const scale = minorUnits(currency)
      const groupBy = query.groupBy ?? "project"
      const filter = {
        userId: actor.userId,
        workspaceId: actor.workspaceId,
        period,
        projectId: query.projectId,
        taskId: query.taskId,
        billable: query.billable,
        weekStart: user.weekStart,
        scale
      }
      const rows = yield* repo.billing({ ...filter, groupBy })
      const lines = rows.map(toLine)
      const byProject = groupBy === "project" ? lines : (yield* repo.billing({ ...filter, groupBy: "project" })).map(toLine)
      const factor = 10 ** scale
      return new BillingReport({
        from: period.from,
        to: period.to,
        timezone: period.timezone,
        weekStart: user.weekStart,
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
      })
    })

    return { billing } as const
  }),
  dependencies: [ReportsRepo.Default, AccountsRepo.Default, WorkspacesRepo.Default, ProjectsRepo.Default, TasksRepo.Default]
}) {}
