import { HttpApiEndpoint, HttpApiGroup, OpenApi } from "@effect/platform"
import { Dashboard } from "../Dashboard.js"
import { Authentication } from "./Authentication.js"
import { McpTool, readOnly } from "./McpTool.js"

export class DashboardApi extends HttpApiGroup.make("dashboard")
  .add(
    HttpApiEndpoint.get("get", "/dashboard")
      .addSuccess(Dashboard)
      .annotate(
        OpenApi.Description,
        "Your running and paused timers with elapsed time, today's and this week's totals (your timezone and week " +
          "start), this week per project, and alerts: budgets at warning or over, timers running 12 hours or more"
      )
      .annotate(McpTool, {
        name: "clockme_get_dashboard",
        title: "Dashboard",
        description: "An overview of the active workspace for you: running and paused timers with elapsed time, " +
          "today's and this week's hours, this week per project, and alerts (budgets at warning or over, timers " +
          "running for 12 hours or more).",
        ...readOnly,
        params: {}
      })
  )
  .middleware(Authentication)
  .prefix("/api")
  .annotate(OpenApi.Title, "Dashboard")
{}
