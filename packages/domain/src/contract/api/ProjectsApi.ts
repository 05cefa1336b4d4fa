import { HttpApiEndpoint, HttpApiGroup, OpenApi } from "@effect/platform"
import { Schema } from "effect"
import { InsufficientScope } from "../Actor.js"
import { Forbidden } from "../Errors.js"
import { ProjectId } from "../Ids.js"
import { CreateProject, Project, ProjectNameTaken, ProjectNotFound, UpdateProject } from "../Project.js"
import { ProjectDetails } from "../ProjectDetails.js"
import { Authentication } from "./Authentication.js"
import { McpTool, readOnly } from "./McpTool.js"

const field = {
  hourlyRate: "Hourly rate in the workspace currency, at most two decimals (e.g. 120 or 87.5); null for none " +
    "(the workspace default rate applies).",
  budgetHours: "Budget in hours, at most two decimals; null for no hours budget.",
  budgetAmount: "Budget in money (workspace currency), at most two decimals; null for no money budget.",
  budgetPeriod: "\"none\": the budget covers all time; \"monthly\": it resets on the first of each month (UTC).",
  budgetHardCap: "true: once a budget is used up, new timers and entries on the project are refused.",
  budgetIncludesAiCost: "true: the money budget counts the AI spend (US dollars) of the project's entries beside their " +
    "billable amount; its alerts and hard cap work the same.",
  billable: "Whether new time on the project is billable.",
  color: "A hex colour like #3b82f6 for the dashboard."
}

const projectId = "The project's id (a UUID from clockme_list_projects). Required."

export class ProjectsApi extends HttpApiGroup.make("projects")
  .add(
    HttpApiEndpoint.get("list", "/projects")
      .setUrlParams(Schema.Struct({ includeArchived: Schema.optional(Schema.BooleanFromString) }))
      .addSuccess(Schema.Array(Project))
      .annotate(McpTool, {
        name: "clockme_list_projects",
        title: "List projects",
        description: "The projects of the active workspace (every member sees them) with their ids, hourly rates, " +
          "budgets and billable flag. Use the ids with the other tools.",
        ...readOnly,
        params: { includeArchived: "true to include archived projects as well. Default false: active projects only." },
        resultKey: "projects"
      })
  )
  .add(
    HttpApiEndpoint.post("create", "/projects")
      .setPayload(CreateProject)
      .addSuccess(Project, { status: 201 })
      .addError(ProjectNameTaken)
      .addError(Forbidden)
      .annotate(McpTool, {
        name: "clockme_create_project",
        title: "Create a project",
        description: "Create a project in the active workspace and return it with its id. Names are unique among the " +
          "workspace's active projects ignoring case, so creating an existing name fails; use clockme_list_projects " +
          "to find it instead.",
        // Names are unique, so a repeat changes nothing (it fails with project_name_taken).
        destructive: false,
        idempotent: true,
        params: {
          name: "The project's name, 1 to 200 characters, unique among active projects ignoring case. Required.",
          color: `${field.color} Omit for none.`,
          hourlyRate: `${field.hourlyRate} Omit for none.`,
          budgetHours: `${field.budgetHours} Omit for none.`,
          budgetAmount: `${field.budgetAmount} Omit for none.`,
          budgetPeriod: `${field.budgetPeriod} Default "none".`,
          budgetHardCap: `${field.budgetHardCap} Default false (only alerts at 80% and 100%).`,
          budgetIncludesAiCost: `${field.budgetIncludesAiCost} Default false.`,
          billable: `${field.billable} Default true.`
        }
      })
  )
  .add(
    HttpApiEndpoint.get("get", "/projects/:id")
      .setPath(Schema.Struct({ id: ProjectId }))
      .addSuccess(Project)
      .addError(ProjectNotFound)
  )
  .add(
    HttpApiEndpoint.get("details", "/projects/:id/details")
      .setPath(Schema.Struct({ id: ProjectId }))
      .addSuccess(ProjectDetails)
      .addError(ProjectNotFound)
      .annotate(OpenApi.Description, "One project with its tasks, its budget burn this period and its all-time hours")
      .annotate(McpTool, {
        name: "clockme_get_project",
        title: "Project details",
        description: "One project with everything about it: its settings, all its tasks, its budget burn this period " +
          "(hours and spend against the limits, status ok / warning / over) and its all-time hours (everyone's and yours).",
        ...readOnly,
        rename: { id: "projectId" },
        params: { projectId }
      })
  )
  .add(
    HttpApiEndpoint.patch("update", "/projects/:id")
      .setPath(Schema.Struct({ id: ProjectId }))
      .setPayload(UpdateProject)
      .addSuccess(Project)
      .addError(ProjectNotFound)
      .addError(ProjectNameTaken)
      .addError(Forbidden)
      .annotate(
        OpenApi.Description,
        "In a shared workspace only owners change hourlyRate, billable, budgets or archived; members may rename and recolour"
      )
      .annotate(McpTool, {
        name: "clockme_update_project",
        title: "Update a project",
        description: "Change any field of a project: name, rate, budgets, billable, colour, or archive it. Fields " +
          "you omit stay as they are.",
        destructive: true,
        idempotent: true,
        rename: { id: "projectId" },
        params: {
          projectId,
          name: "A new name, 1 to 200 characters, unique among active projects ignoring case. Omit to keep it.",
          color: `${field.color} null clears it. Omit to keep it.`,
          hourlyRate: `${field.hourlyRate} Omit to keep it.`,
          budgetHours: `${field.budgetHours} Omit to keep it.`,
          budgetAmount: `${field.budgetAmount} Omit to keep it.`,
          budgetPeriod: `${field.budgetPeriod} Omit to keep it.`,
          budgetHardCap: `${field.budgetHardCap} Omit to keep it.`,
          budgetIncludesAiCost: `${field.budgetIncludesAiCost} Omit to keep it.`,
          billable: `${field.billable} Omit to keep it.`,
          archived: "true archives the project (hidden from lists, no new time); false restores it. Omit to keep it."
        }
      })
  )
  .addError(InsufficientScope)
  .middleware(Authentication)
  .prefix("/api")
  .annotate(OpenApi.Title, "Projects")
  .annotate(OpenApi.Description, "Projects of the active workspace")
{}
