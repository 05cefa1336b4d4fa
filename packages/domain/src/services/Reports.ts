import { Effect } from "effect"
import { CurrentActor } from "../Actor.js"
import { BillingReport, ReportLine } from "../Report.js"
import type { ReportQuery } from "../Report.js"
import { AccountsRepo } from "../repos/AccountsRepo.js"
import { ReportsRepo } from "../repos/ReportsRepo.js"
import { WorkspacesRepo } from "../repos/WorkspacesRepo.js"
import type { ProjectId } from "../Ids.js"
import { hoursOf, minorUnits, resolvePeriod } from "./Periods.js"

export class Reports extends Effect.Service<Reports>()("@clockme/domain/Reports", {
  effect: Effect.gen(function*() {
    const repo = yield* ReportsRepo
    const accounts = yield* AccountsRepo
    const workspaces = yield* WorkspacesRepo

    /** The caller's own hours and amounts by project in the active workspace. */
    const billing = Effect.fn("Reports.billing")(function*(query: ReportQuery) {
      const actor = yield* CurrentActor
      const user = yield* accounts.findUserById(actor.userId).pipe(Effect.flatMap(Effect.orDie))
      const period = yield* resolvePeriod(query, user.timezone)
      const currency = yield* workspaces.currencyOf(actor.workspaceId)
      const scale = minorUnits(currency)
      const rows = yield* repo.billing(actor.userId, actor.workspaceId, period, scale)
      const lines = rows.map((row) =>
        new ReportLine({
          projectId: row.projectId as ProjectId,
          projectName: row.projectName,
          hours: hoursOf(row.seconds),
          billableHours: hoursOf(row.billableSeconds),
          rate: row.rate,
          amount: row.amount,
          entries: row.entries
        })
      )
      const factor = 10 ** scale
      return new BillingReport({
        from: period.from,
        to: period.to,
        timezone: period.timezone,
        currency,
        projects: lines,
        totals: {
          hours: hoursOf(rows.reduce((sum, row) => sum + row.seconds, 0)),
          billableHours: hoursOf(rows.reduce((sum, row) => sum + row.billableSeconds, 0)),
          amount: rows.reduce((sum, row) => sum + Math.round(row.amount * factor), 0) / factor,
          entries: rows.reduce((sum, row) => sum + row.entries, 0)
        }
      })
    })

    return { billing } as const
  }),
  dependencies: [ReportsRepo.Default, AccountsRepo.Default, WorkspacesRepo.Default]
}) {}
