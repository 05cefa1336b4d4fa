import { HttpApiEndpoint, HttpApiGroup, OpenApi } from "@effect/platform"
import { Schema } from "effect"
import { InvalidInput } from "../Errors.js"
import { ProjectNotFound } from "../Project.js"
import { alsoAnswersCsv, CsvText } from "../Csv.js"
import { BillingReport, ReportCsvQuery, ReportQuery } from "../Report.js"
import { TaskNotFound } from "../Task.js"
import { Authentication } from "./Authentication.js"
import { McpTool, readOnly } from "./McpTool.js"

const day = (which: string) => `${which}, YYYY-MM-DD, a day in your timezone`

export class ReportsApi extends HttpApiGroup.make("reports")
  .add(
    HttpApiEndpoint.get("billing", "/reports")
      .setUrlParams(ReportQuery)
      .setHeaders(Schema.Struct({ accept: Schema.optional(Schema.String) }))
      .addSuccess(BillingReport)
      .addError(InvalidInput)
      .addError(ProjectNotFound)
      .addError(TaskNotFound)
      .annotate(
        OpenApi.Description,
        "Your hours and amounts in the active workspace; from/to are days in your timezone (default: this month). " +
          "Filter by projectId, taskId, billable; groupBy project, task, day or week. CSV with format=csv or Accept: text/csv " +
          "(or from GET /api/reports/csv)."
      )
      .annotate(OpenApi.Transform, alsoAnswersCsv)
      .annotate(McpTool, {
        name: "clockme_get_report",
        title: "Billing report",
        description: "Your hours, billable hours, rates, amounts and AI cost (US dollars) in the active workspace for " +
          "a range of days, summed by project (and, with groupBy, by task, day or week), with totals in the workspace " +
          "currency; unpricedModels names models whose cost is unknown.",
        ...readOnly,
        params: {
          from: `${day("First day of the range")}. Required.`,
          to: `${day("Last day of the range (inclusive)")}, not before from. Required.`,
          projectId: "Only this project (a UUID from clockme_list_projects). Omit for all projects.",
          groupBy: "How the lines are grouped: \"project\" (default), \"task\", \"day\" or \"week\" (weeks start " +
            "on your week start). The by-project summary is always included."
        },
        required: ["from", "to"]
      })
  )
  .add(
    HttpApiEndpoint.get("billingCsv", "/reports/csv")
      .setUrlParams(ReportCsvQuery)
      .addSuccess(CsvText)
      .addError(InvalidInput)
      .addError(ProjectNotFound)
      .addError(TaskNotFound)
      .annotate(OpenApi.Description, "The billing report as CSV: a row per line, then a total row; the same query as GET /api/reports")
  )
  .middleware(Authentication)
  .prefix("/api")
  .annotate(OpenApi.Title, "Reports")
{}
