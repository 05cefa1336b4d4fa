import { DateTime, Effect } from "effect"
import { CurrentActor } from "../contract/Actor.js"
import { Dashboard as DashboardView, DashboardAlert, DashboardTimer, PeriodTotals, ProjectWeek } from "../contract/Dashboard.js"
import { LONG_RUNNING_SECONDS, timerViewOf } from "../contract/Timer.js"
import { AccountsRepo } from "../repos/AccountsRepo.js"
import { DashboardRepo } from "../repos/DashboardRepo.js"
import { Budgets } from "./Budgets.js"
import { hoursOf, today as todayIn, weekOf } from "./Periods.js"

export class Dashboard extends Effect.Service<Dashboard>()("@clockme/domain/Dashboard", {
  effect: Effect.gen(function*() {
    const repo = yield* DashboardRepo
    const accounts = yield* AccountsRepo
    const budgets = yield* Budgets

    /** The caller's timers, today's and this week's hours, and what needs attention, in the active workspace. */
    const get = Effect.gen(function*() {
      const actor = yield* CurrentActor
      const user = yield* accounts.findUserById(actor.userId).pipe(Effect.flatMap(Effect.orDie))
      const now = yield* DateTime.now
      const today = yield* todayIn(user.timezone)
      const week = weekOf(today, user.weekStart)
      const timerRows = yield* repo.timers(actor.userId, actor.workspaceId)
      const rows = yield* repo.week(actor.userId, actor.workspaceId, { ...week, timezone: user.timezone }, today)
      const atRisk = yield* budgets.atRisk(actor.workspaceId)

      const timers = timerRows.map(({ projectName, timer }) => new DashboardTimer(timerViewOf(timer, projectName, now)))
      const sum = (pick: (row: (typeof rows)[number]) => number) => rows.reduce((total, row) => total + pick(row), 0)
      const alerts = [
        ...atRisk.map((budget) =>
          new DashboardAlert({
            kind: budget.status === "over" ? "budget_over" : "budget_warning",
            message: `Project "${budget.projectName}" has used ` +
              [
                budget.hours.percent === null ? null : `${budget.hours.percent}% of its ${budget.hours.limit} hours`,
                budget.amount.percent === null
                  ? null
                  : `${budget.amount.percent}% of its ${budget.amount.limit} ${budget.currency}`
              ].filter((part) => part !== null).join(" and ") +
              (budget.period === "monthly" ? ` in ${budget.periodKey}` : "") +
              (budget.exhausted ? "; its hard cap now refuses new time" : ""),
            projectId: budget.projectId,
            projectName: budget.projectName,
            timerId: null,
            budget
          })
        ),
        ...timers.filter((timer) => timer.elapsedSeconds >= LONG_RUNNING_SECONDS).map((timer) =>
          new DashboardAlert({
            kind: "long_running_timer",
            message: `The timer on "${timer.projectName}" has run for ${hoursOf(timer.elapsedSeconds)} hours; ` +
              `stop it or correct the entry if it was forgotten`,
            projectId: timer.projectId,
            projectName: timer.projectName,
            timerId: timer.id,
            budget: null
          })
        )
      ]
      return new DashboardView({
        workspaceId: actor.workspaceId,
        now,
        timezone: user.timezone,
        weekStart: user.weekStart,
        timers,
        today: new PeriodTotals({
          from: today,
          to: today,
          hours: hoursOf(sum((row) => row.todaySeconds)),
          billableHours: hoursOf(sum((row) => row.todayBillableSeconds)),
          entries: sum((row) => row.todayEntries)
        }),
        week: new PeriodTotals({
          from: week.from,
          to: week.to,
          hours: hoursOf(sum((row) => row.seconds)),
          billableHours: hoursOf(sum((row) => row.billableSeconds)),
          entries: sum((row) => row.entries)
        }),
        projects: rows.map((row) =>
          new ProjectWeek({
            projectId: row.projectId,
            projectName: row.projectName,
            hours: hoursOf(row.seconds),
            billableHours: hoursOf(row.billableSeconds),
            entries: row.entries
          })
        ),
        alerts
      })
    }).pipe(Effect.withSpan("Dashboard.get"))

    return { get } as const
  }),
  dependencies: [DashboardRepo.Default, AccountsRepo.Default, Budgets.Default]
}) {}
