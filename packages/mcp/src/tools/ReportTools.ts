import { CurrentActor } from "@clockme/domain/contract/Actor"
import { ProjectBudget } from "@clockme/domain/contract/Budget"
import { CalendarDate } from "@clockme/domain/contract/CalendarDate"
import { Dashboard as DashboardView } from "@clockme/domain/contract/Dashboard"
import { ProjectId } from "@clockme/domain/contract/Ids"
import { BillingReport, ReportQuery } from "@clockme/domain/contract/Report"
import { Budgets } from "@clockme/domain/services/Budgets"
import { Dashboard } from "@clockme/domain/services/Dashboard"
import { Reports } from "@clockme/domain/services/Reports"
import { Workspaces } from "@clockme/domain/services/Workspaces"
import { SummaryQuery, TeamSummary } from "@clockme/domain/contract/Workspace"
import { Effect, Schema } from "effect"
import * as Tool from "../Tool.js"

/** The services answer CSV only when asked (`format: "csv"`); MCP never asks, so anything else is a bug. */
const json = <A>(schema: Schema.Schema<A, any>) => <B, E, R>(effect: Effect.Effect<A | B, E, R>) =>
  Effect.filterOrDieMessage(effect, Schema.is(schema), "expected a JSON report") as Effect.Effect<A, E, R>

const day = (which: string) => `${which}, YYYY-MM-DD, a day in your timezone`

export const ReportTools = Effect.gen(function*() {
  const reports = yield* Reports
  const budgets = yield* Budgets
  const dashboard = yield* Dashboard
  const workspaces = yield* Workspaces
  return [
    Tool.make({
      name: "clockme_get_report",
      title: "Billing report",
      description: "Your hours, billable hours, rates and amounts in the active workspace for a range of days, " +
        "summed by project (and, with groupBy, by task, day or week), with totals in the workspace currency.",
      input: Schema.Struct({ from: CalendarDate, to: CalendarDate, ...ReportQuery.pick("projectId", "groupBy").fields }),
      params: {
        from: `${day("First day of the range")}. Required.`,
        to: `${day("Last day of the range (inclusive)")}, not before from. Required.`,
        projectId: "Only this project (a UUID from clockme_list_projects). Omit for all projects.",
        groupBy: "How the lines are grouped: \"project\" (default), \"task\", \"day\" or \"week\" (weeks start " +
          "on your week start). The by-project summary is always included."
      },
      output: BillingReport,
      hints: Tool.readOnly,
      run: (input) => reports.billing({ ...input, format: "json" }).pipe(json(BillingReport))
    }),
    Tool.make({
      name: "clockme_get_budget",
      title: "Budget burn",
      description: "A project's budget this period: hours used against budgetHours and spend against " +
        "budgetAmount, with remaining, percentages, status (ok below 80%, warning from 80%, over from 100%), " +
        "whether the hard cap now refuses new time, and this period's threshold alerts.",
      input: Schema.Struct({ projectId: ProjectId }),
      params: { projectId: "The project's id (a UUID from clockme_list_projects). Required." },
      output: ProjectBudget,
      hints: Tool.readOnly,
      run: ({ projectId }) => budgets.get(projectId)
    }),
    Tool.make({
      name: "clockme_get_dashboard",
      title: "Dashboard",
      description: "An overview of the active workspace for you: running and paused timers with elapsed time, " +
        "today's and this week's hours, this week per project, and alerts (budgets at warning or over, timers " +
        "running for 12 hours or more).",
      input: Schema.Struct({}),
      params: {},
      output: DashboardView,
      hints: Tool.readOnly,
      run: () => dashboard.get
    }),
    Tool.make({
      name: "clockme_get_team_summary",
      title: "Team summary",
      description: "Hours of the active workspace by member, by project and by member and project, for a range " +
        "of days. In a personal workspace that is just your own hours.",
      input: SummaryQuery.pick("from", "to"),
      params: {
        from: `${day("First day of the range")}. Omit for the first day of this month.`,
        to: `${day("Last day of the range (inclusive)")}. Omit for today (or from, if from is later).`
      },
      output: TeamSummary,
      hints: Tool.readOnly,
      run: (input) =>
        CurrentActor.pipe(
          Effect.flatMap((actor) => workspaces.summary(actor.workspaceId, { ...input, format: "json" })),
          json(TeamSummary)
        )
    })
  ]
})
