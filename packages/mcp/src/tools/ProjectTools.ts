import { ProjectId } from "@clockme/domain/contract/Ids"
import { CreateProject, Project, UpdateProject } from "@clockme/domain/contract/Project"
import { ProjectDetails as ProjectDetailsView } from "@clockme/domain/contract/ProjectDetails"
import { ProjectDetails } from "@clockme/domain/services/ProjectDetails"
import { Projects } from "@clockme/domain/services/Projects"
import { Effect, Schema } from "effect"
import * as Tool from "../Tool.js"

const fields = {
  hourlyRate: "Hourly rate in the workspace currency, at most two decimals (e.g. 120 or 87.5); null for none " +
    "(the workspace default rate applies).",
  budgetHours: "Budget in hours, at most two decimals; null for no hours budget.",
  budgetAmount: "Budget in money (workspace currency), at most two decimals; null for no money budget.",
  budgetPeriod: "\"none\": the budget covers all time; \"monthly\": it resets on the first of each month (UTC).",
  budgetHardCap: "true: once a budget is used up, new timers and entries on the project are refused.",
  billable: "Whether new time on the project is billable.",
  color: "A hex colour like #3b82f6 for the dashboard."
}

export const ProjectTools = Effect.gen(function*() {
  const projects = yield* Projects
  const details = yield* ProjectDetails
  return [
    Tool.make({
      name: "clockme_list_projects",
      title: "List projects",
      description: "The projects of the active workspace (every member sees them) with their ids, hourly rates, " +
        "budgets and billable flag. Use the ids with the other tools.",
      input: Schema.Struct({ includeArchived: Schema.optional(Schema.Boolean) }),
      params: { includeArchived: "true to include archived projects as well. Default false: active projects only." },
      output: Schema.Struct({ projects: Schema.Array(Project) }),
      hints: Tool.readOnly,
      run: (input) => Effect.map(projects.list(input), (list) => ({ projects: list }))
    }),
    Tool.make({
      name: "clockme_get_project",
      title: "Project details",
      description: "One project with everything about it: its settings, all its tasks, its budget burn this period " +
        "(hours and spend against the limits, status ok / warning / over) and its all-time hours (everyone's and yours).",
      input: Schema.Struct({ projectId: ProjectId }),
      params: { projectId: "The project's id (a UUID from clockme_list_projects). Required." },
      output: ProjectDetailsView,
      hints: Tool.readOnly,
      run: ({ projectId }) => details.get(projectId)
    }),
    Tool.make({
      name: "clockme_create_project",
      title: "Create a project",
      description: "Create a project in the active workspace and return it with its id. Names are unique among the " +
        "workspace's active projects ignoring case, so creating an existing name fails; use clockme_list_projects " +
        "to find it instead.",
      input: CreateProject,
      params: {
        name: "The project's name, 1 to 200 characters, unique among active projects ignoring case. Required.",
        color: `${fields.color} Omit for none.`,
        hourlyRate: `${fields.hourlyRate} Omit for none.`,
        budgetHours: `${fields.budgetHours} Omit for none.`,
        budgetAmount: `${fields.budgetAmount} Omit for none.`,
        budgetPeriod: `${fields.budgetPeriod} Default "none".`,
        budgetHardCap: `${fields.budgetHardCap} Default false (only alerts at 80% and 100%).`,
        billable: `${fields.billable} Default true.`
      },
      output: Project,
      // Names are unique, so a repeat changes nothing (it fails with project_name_taken).
      hints: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
      run: (input) => projects.create(input)
    }),
    Tool.make({
      name: "clockme_update_project",
      title: "Update a project",
      description: "Change any field of a project: name, rate, budgets, billable, colour, or archive it. Fields " +
        "you omit stay as they are.",
      input: Schema.Struct({ projectId: ProjectId, ...UpdateProject.fields }),
      params: {
        projectId: "The project's id (a UUID from clockme_list_projects). Required.",
        name: "A new name, 1 to 200 characters, unique among active projects ignoring case. Omit to keep it.",
        color: `${fields.color} null clears it. Omit to keep it.`,
        hourlyRate: `${fields.hourlyRate} Omit to keep it.`,
        budgetHours: `${fields.budgetHours} Omit to keep it.`,
        budgetAmount: `${fields.budgetAmount} Omit to keep it.`,
        budgetPeriod: `${fields.budgetPeriod} Omit to keep it.`,
        budgetHardCap: `${fields.budgetHardCap} Omit to keep it.`,
        billable: `${fields.billable} Omit to keep it.`,
        archived: "true archives the project (hidden from lists, no new time); false restores it. Omit to keep it."
      },
      output: Project,
      hints: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
      run: ({ projectId, ...patch }) => projects.update(projectId, patch)
    })
  ]
})
