import { DateTime, Effect, Option } from "effect"
import { CurrentActor } from "../contract/Actor.js"
import { AlertList, BudgetExhausted, BudgetUsage, ProjectBudget } from "../contract/Budget.js"
import type { BudgetMetric, BudgetState, Threshold } from "../contract/Budget.js"
import type { Entry } from "../contract/Entry.js"
import { BudgetThresholdCrossed } from "../contract/Events.js"
import { EventId } from "../contract/Ids.js"
import type { ProjectId, WorkspaceId } from "../contract/Ids.js"
import { ProjectNotFound } from "../contract/Project.js"
import { BudgetsRepo } from "../repos/BudgetsRepo.js"
import type { UsageRow } from "../repos/BudgetsRepo.js"
import { ProjectsRepo } from "../repos/ProjectsRepo.js"
import { WorkspacesRepo } from "../repos/WorkspacesRepo.js"
import { Events } from "./Events.js"
import { hoursOf, minorUnits } from "./Periods.js"

const THRESHOLDS: ReadonlyArray<Threshold> = [80, 100]

/** The calendar month (UTC) that holds an instant: a monthly budget counts the entries that start in it. */
export const monthOf = (instant: DateTime.Utc) => {
  const start = DateTime.startOf(instant, "month")
  const end = DateTime.add(start, { months: 1 })
  return { start, end, key: DateTime.formatIso(start).slice(0, 7) }
}

const round2 = (n: number) => Math.round(n * 100) / 100

interface Evaluation {
  readonly hours: BudgetUsage
  readonly amount: BudgetUsage
  readonly status: BudgetState
  /** The first metric that reached each threshold. */
  readonly reached: ReadonlyArray<{ readonly threshold: Threshold; readonly metric: BudgetMetric }>
}

/**
 * Compares usage with the limits in whole units (seconds, hundredths of hours, cents) so that exactly
 * 80% or 100% counts as reached, with no floating-point drift.
 */
export const evaluate = (row: UsageRow): Evaluation => {
  const hoursLimitCenti = row.budgetHours === null ? null : Math.round(row.budgetHours * 100)
  const amountLimitCents = row.budgetAmount === null ? null : Math.round(row.budgetAmount * 100)
  const spentCents = Math.round(row.amount * 100)
  const hoursReach = (t: number) => hoursLimitCenti !== null && row.seconds * 10_000 >= t * hoursLimitCenti * 3600
  const amountReach = (t: number) => amountLimitCents !== null && spentCents * 100 >= t * amountLimitCents
  const usedHours = hoursOf(row.seconds)
  const hours = new BudgetUsage({
    limit: row.budgetHours,
    used: usedHours,
    remaining: row.budgetHours === null ? null : round2(row.budgetHours - row.seconds / 3600),
    percent: row.budgetHours === null ? null : row.budgetHours === 0 ? 100 : round2(row.seconds / 36 / row.budgetHours)
  })
  const amount = new BudgetUsage({
    limit: row.budgetAmount,
    used: row.amount,
    remaining: amountLimitCents === null ? null : (amountLimitCents - spentCents) / 100,
    percent: amountLimitCents === null ? null : amountLimitCents === 0 ? 100 : round2(spentCents * 100 / amountLimitCents)
  })
  const reached = THRESHOLDS.flatMap((threshold): Evaluation["reached"] =>
    hoursReach(threshold)
      ? [{ threshold, metric: "hours" }]
      : amountReach(threshold)
      ? [{ threshold, metric: "amount" }]
      : []
  )
  const status: BudgetState = reached.some((r) => r.threshold === 100)
    ? "over"
    : reached.length > 0
    ? "warning"
    : "ok"
  return { hours, amount, status, reached }
}

const describe = (row: UsageRow, currency: string, periodKey: string) => {
  const parts: Array<string> = []
  if (row.budgetHours !== null) parts.push(`${hoursOf(row.seconds)} of ${row.budgetHours} hours`)
  if (row.budgetAmount !== null) parts.push(`${row.amount} of ${row.budgetAmount} ${currency}`)
  const when = row.budgetPeriod === "monthly" ? ` for ${periodKey}` : ""
  return `${parts.join(", ")}${when}`
}

export class Budgets extends Effect.Service<Budgets>()("@clockme/domain/Budgets", {
  effect: Effect.gen(function*() {
    const repo = yield* BudgetsRepo
    const workspaces = yield* WorkspacesRepo
    const projects = yield* ProjectsRepo
    const events = yield* Events

    const usageNow = Effect.fn("Budgets.usageNow")(function*(workspaceId: WorkspaceId, projectId?: ProjectId) {
      const now = yield* DateTime.now
      const month = monthOf(now)
      const currency = yield* workspaces.currencyOf(workspaceId)
      const rows = yield* repo.usage({
        workspaceId,
        projectId,
        monthStart: DateTime.toDate(month.start),
        monthEnd: DateTime.toDate(month.end),
        scale: minorUnits(currency)
      })
      return { rows, month, currency }
    })

    const toBudget = (
      row: UsageRow,
      currency: string,
      month: ReturnType<typeof monthOf>,
      alerts: ProjectBudget["alerts"]
    ) => {
      const evaluation = evaluate(row)
      const monthly = row.budgetPeriod === "monthly"
      return new ProjectBudget({
        projectId: row.projectId,
        projectName: row.projectName,
        period: row.budgetPeriod,
        periodKey: monthly ? month.key : "total",
        periodStart: monthly ? month.start : null,
        periodEnd: monthly ? month.end : null,
        currency,
        hours: evaluation.hours,
        amount: evaluation.amount,
        hardCap: row.budgetHardCap,
        exhausted: row.budgetHardCap && evaluation.status === "over",
        status: evaluation.status,
        alerts
      })
    }

    /** Hours and spend of a project against its budget in the current period. */
    const get = Effect.fn("Budgets.get")(function*(projectId: ProjectId) {
      const actor = yield* CurrentActor
      const { currency, month, rows } = yield* usageNow(actor.workspaceId, projectId)
      const row = rows[0]
      if (row === undefined) {
        return yield* ProjectNotFound.byId(projectId)
      }
      const alerts = yield* repo.listAlerts({
        workspaceId: actor.workspaceId,
        projectId,
        periodKey: row.budgetPeriod === "monthly" ? month.key : "total",
        limit: 10
      })
      return toBudget(row, currency, month, alerts)
    })

    /** Every budgeted project of a workspace at warning or over, this period. */
    const atRisk = Effect.fn("Budgets.atRisk")(function*(workspaceId: WorkspaceId) {
      const { currency, month, rows } = yield* usageNow(workspaceId)
      return rows.map((row) => toBudget(row, currency, month, [])).filter((budget) => budget.status !== "ok")
    })

    /** Refuses to track time on a project whose hard-capped budget is spent. */
    const ensureCanTrack = Effect.fn("Budgets.ensureCanTrack")(function*(projectId: ProjectId) {
      const actor = yield* CurrentActor
      const { currency, month, rows } = yield* usageNow(actor.workspaceId, projectId)
      const row = rows[0]
      if (row === undefined || !row.budgetHardCap) return
      const periodKey = row.budgetPeriod === "monthly" ? month.key : "total"
      if (evaluate(row).status !== "over") return
      const reset = row.budgetPeriod === "monthly" ? ` It resets on ${DateTime.formatIso(month.end).slice(0, 10)}.` : ""
      return yield* new BudgetExhausted({
        projectId,
        message: `The budget of project "${row.projectName}" is spent (${describe(row, currency, periodKey)}) and its ` +
          `hard cap is on, so no more time can be tracked on it.${reset} An owner can raise budgetHours or ` +
          `budgetAmount, or set budgetHardCap to false.`
      })
    })

    /**
     * Call in the transaction that inserted or changed an entry: emits BudgetThresholdCrossed (to the
     * outbox, with an alert) for each of 80% and 100% that the entry's period has reached and not yet
     * reported. Needs no actor, so timer stops and the idle watchdog can call it.
     */
    const recordUsage = Effect.fn("Budgets.recordUsage")(
      function*(entry: Pick<Entry, "id" | "workspaceId" | "userId" | "projectId" | "startTime">) {
        const currency = yield* workspaces.currencyOf(entry.workspaceId)
        const month = monthOf(entry.startTime)
        const query = {
          workspaceId: entry.workspaceId,
          projectId: entry.projectId,
          monthStart: DateTime.toDate(month.start),
          monthEnd: DateTime.toDate(month.end),
          scale: minorUnits(currency)
        }
        const first = yield* repo.usageOf(query)
        if (Option.isNone(first) || (first.value.budgetHours === null && first.value.budgetAmount === null)) return 0
        yield* repo.lockProject(entry.projectId)
        const row = Option.getOrElse(yield* repo.usageOf(query), () => first.value)
        const periodKey = row.budgetPeriod === "monthly" ? month.key : "total"
        const now = yield* DateTime.now
        let emitted = 0
        for (const { metric, threshold } of evaluate(row).reached) {
          const eventId = EventId.make(crypto.randomUUID())
          const inserted = yield* repo.insertAlert({
            workspaceId: entry.workspaceId,
            projectId: entry.projectId,
            threshold,
            periodKey,
            metric,
            hoursUsed: hoursOf(row.seconds),
            amountUsed: row.amount,
            entryId: entry.id,
            eventId,
            now: DateTime.toDate(now)
          })
          if (Option.isNone(inserted)) continue
          yield* events.publish(
            new BudgetThresholdCrossed({
              id: eventId,
              occurredAt: now,
              workspaceId: entry.workspaceId,
              userId: entry.userId,
              alertId: inserted.value,
              projectId: entry.projectId,
              projectName: row.projectName,
              threshold,
              metric,
              period: periodKey,
              hoursUsed: hoursOf(row.seconds),
              hoursLimit: row.budgetHours,
              amountUsed: row.amount,
              amountLimit: row.budgetAmount,
              currency,
              hardCap: row.budgetHardCap,
              entryId: entry.id
            }),
            { dedupeKey: `budget:${entry.projectId}:${threshold}:${periodKey}` }
          )
          emitted++
        }
        return emitted
      }
    )

    /** Threshold crossings in the active workspace, newest first. */
    const alerts = Effect.fn("Budgets.alerts")(function*(query: { readonly projectId?: ProjectId | undefined }) {
      const actor = yield* CurrentActor
      if (query.projectId !== undefined && Option.isNone(yield* projects.findById(actor.workspaceId, query.projectId))) {
        return yield* ProjectNotFound.byId(query.projectId)
      }
      const list = yield* repo.listAlerts({ workspaceId: actor.workspaceId, projectId: query.projectId, limit: 200 })
      return new AlertList({ alerts: list })
    })

    return { get, atRisk, ensureCanTrack, recordUsage, alerts } as const
  }),
  dependencies: [BudgetsRepo.Default, WorkspacesRepo.Default, ProjectsRepo.Default, Events.Default]
}) {}
