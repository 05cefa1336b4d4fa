import { HttpApiEndpoint, HttpApiGroup, OpenApi } from "@effect/platform"
import { InvalidInput } from "../Errors.js"
import { BillingReport, ReportQuery } from "../Report.js"
import { Authentication } from "./Authentication.js"

export class ReportsApi extends HttpApiGroup.make("reports")
  .add(
    HttpApiEndpoint.get("billing", "/reports")
      .setUrlParams(ReportQuery)
      .addSuccess(BillingReport)
      .addError(InvalidInput)
      .annotate(OpenApi.Description, "Your hours and amounts by project; from/to are days in your timezone (default: this month)")
  )
  .middleware(Authentication)
  .prefix("/api")
  .annotate(OpenApi.Title, "Reports")
{}
