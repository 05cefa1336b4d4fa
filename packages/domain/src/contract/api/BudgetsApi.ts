import { HttpApiEndpoint, HttpApiGroup, OpenApi } from "@effect/platform"
import { Schema } from "effect"
import { AlertList, ProjectBudget } from "../Budget.js"
import { ProjectId } from "../Ids.js"
import { ProjectNotFound } from "../Project.js"
import { Authentication } from "./Authentication.js"
import { McpTool, readOnly } from "./McpTool.js"

export class BudgetsApi extends HttpApiGroup.make("budgets")
  .add(
    HttpApiEndpoint.get("get", "/projects/:id/budget")
      .setPath(Schema.Struct({ id: ProjectId }))
      .addSuccess(ProjectBudget)
      .addError(ProjectNotFound)
      .annotate(
        OpenApi.Description,
        "Budget burn this period: hours used vs budgetHours, spend vs budgetAmount, percentages, remaining, " +
          "status ok / warning (80%) / over (100%), and this period's threshold alerts"
      )
      .annotate(McpTool, {
        name: "clockme_get_budget",
        title: "Budget burn",
        description: "A project's budget this period: hours used against budgetHours and spend against " +
          "budgetAmount, with remaining, percentages, status (ok below 80%, warning from 80%, over from 100%), " +
          "whether the hard cap now refuses new time, and this period's threshold alerts.",
        ...readOnly,
        rename: { id: "projectId" },
        params: { projectId: "The project's id (a UUID from clockme_list_projects). Required." }
      })
  )
  .add(
    HttpApiEndpoint.get("alerts", "/alerts")
      .setUrlParams(Schema.Struct({ projectId: Schema.optional(ProjectId) }))
      .addSuccess(AlertList)
      .addError(ProjectNotFound)
      .annotate(OpenApi.Description, "Budget thresholds (80%, 100%) crossed in the active workspace, newest first")
  )
  .middleware(Authentication)
  .prefix("/api")
  .annotate(OpenApi.Title, "Budgets")
{}
