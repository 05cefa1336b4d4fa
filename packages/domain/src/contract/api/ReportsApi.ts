import { HttpApiEndpoint, HttpApiGroup, OpenApi } from "@effect/platform"
import { Schema } from "effect"
import { InvalidInput } from "../Errors.js"
import { ProjectNotFound } from "../Project.js"
import { BillingReport, ReportQuery } from "../Report.js"
import { TaskNotFound } from "../Task.js"
import { Authentication } from "./Authentication.js"

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
          "Filter by projectId, taskId, billable; groupBy project, task, day or week. CSV with format=csv or Accept: text/csv."
      )
  )
  .middleware(Authentication)
  .prefix("/api")
  .annotate(OpenApi.Title, "Reports")
{}
