import { HttpApiSchema } from "@effect/platform"
import { Schema } from "effect"
import { quoted } from "./Errors.js"
import { ProjectId, WorkspaceId } from "./Ids.js"
import { Hours, Money } from "./Money.js"
import { Timestamp } from "./Timestamp.js"
import { TrimmedText } from "./Text.js"
import { strict } from "./Strict.js"

export const ProjectName = TrimmedText.pipe(
  Schema.minLength(1, { message: () => "must not be empty" }),
  Schema.maxLength(200, { message: () => "must be at most 200 characters" })
).annotations({ identifier: "ProjectName", description: "Project name, unique per workspace ignoring case" })

export const Color = Schema.String.pipe(
  Schema.pattern(/^#[0-9a-fA-F]{6}$/, { message: () => "must be a hex colour like #3b82f6" })
)

export const BudgetPeriod = Schema.Literal("none", "monthly").annotations({
  description: "none: the budget covers all time; monthly: it resets on the first of each month (UTC)"
})
export type BudgetPeriod = typeof BudgetPeriod.Type

export const BudgetHardCap = Schema.Boolean.annotations({
  description: "When true, reaching 100% of the budget refuses new timers and entries on the project"
})

export const BudgetIncludesAiCost = Schema.Boolean.annotations({
  description: "When true, the money budget counts the AI spend of the project's entries (US dollars, added as they are) " +
    "beside their billable amount"
})

export class Project extends Schema.Class<Project>("Project")({
  id: ProjectId,
  workspaceId: WorkspaceId,
  name: Schema.String,
  color: Schema.NullOr(Schema.String),
  hourlyRate: Schema.NullOr(Schema.Number),
  budgetHours: Schema.NullOr(Schema.Number),
  budgetAmount: Schema.NullOr(Schema.Number),
  budgetPeriod: BudgetPeriod,
  budgetHardCap: Schema.Boolean,
  // a default, so that projects in events stored before the field existed still decode
  budgetIncludesAiCost: Schema.optionalWith(BudgetIncludesAiCost, { default: () => false }),
  billable: Schema.Boolean,
  archived: Schema.Boolean,
  createdAt: Timestamp,
  updatedAt: Timestamp
}) {}

export const CreateProject = Schema.Struct({
  name: ProjectName,
  color: Schema.optional(Color),
  hourlyRate: Schema.optional(Schema.NullOr(Money)),
  budgetHours: Schema.optional(Schema.NullOr(Hours)),
  budgetAmount: Schema.optional(Schema.NullOr(Money)),
  budgetPeriod: Schema.optional(BudgetPeriod),
  budgetHardCap: Schema.optional(BudgetHardCap),
  budgetIncludesAiCost: Schema.optional(BudgetIncludesAiCost),
  billable: Schema.optional(Schema.Boolean)
}).annotations({ identifier: "CreateProject", ...strict })
export type CreateProject = typeof CreateProject.Type

export const UpdateProject = Schema.Struct({
  name: Schema.optional(ProjectName),
  color: Schema.optional(Schema.NullOr(Color)),
  hourlyRate: Schema.optional(Schema.NullOr(Money)),
  budgetHours: Schema.optional(Schema.NullOr(Hours)),
  budgetAmount: Schema.optional(Schema.NullOr(Money)),
  budgetPeriod: Schema.optional(BudgetPeriod),
  budgetHardCap: Schema.optional(BudgetHardCap),
  budgetIncludesAiCost: Schema.optional(BudgetIncludesAiCost),
  billable: Schema.optional(Schema.Boolean),
  archived: Schema.optional(Schema.Boolean)
}).annotations({ identifier: "UpdateProject", ...strict })
export type UpdateProject = typeof UpdateProject.Type

export class ProjectNotFound extends Schema.TaggedError<ProjectNotFound>()(
  "ProjectNotFound",
  {
    code: Schema.tag("project_not_found"),
    message: Schema.String,
    projectId: Schema.optional(Schema.String),
    projectName: Schema.optional(Schema.String),
    suggestions: Schema.optional(Schema.Array(Schema.String))
  },
  HttpApiSchema.annotations({ status: 404 })
) {
  static readonly nextStep = (error: ProjectNotFound): string => {
    const suggestions = error.suggestions ?? []
    if (error.projectName !== undefined) {
      return suggestions.length > 0
        ? `The closest project names are ${quoted(suggestions)}: call again with one of them (or its projectId), ` +
          `or with autoCreate: true to create "${error.projectName}".`
        : `Call clockme_list_projects to see the projects, or call again with autoCreate: true to create ` +
          `"${error.projectName}".`
    }
    return "Call clockme_list_projects for the ids of the projects in the active workspace."
  }

  static readonly byId = (projectId: string) =>
    new ProjectNotFound({ projectId, message: `Project ${projectId} not found in the active workspace` })
}

export class ProjectNameTaken extends Schema.TaggedError<ProjectNameTaken>()(
  "ProjectNameTaken",
  { code: Schema.tag("project_name_taken"), name: Schema.String, message: Schema.String },
  HttpApiSchema.annotations({ status: 409 })
) {
  static readonly nextStep = (): string => "Call clockme_list_projects to get that project's id, or choose another name."
}

export class ProjectArchived extends Schema.TaggedError<ProjectArchived>()(
  "ProjectArchived",
  { code: Schema.tag("project_archived"), projectId: Schema.String, message: Schema.String },
  HttpApiSchema.annotations({ status: 422 })
) {
  static readonly nextStep = (error: ProjectArchived): string =>
    `Restore it with clockme_update_project {"projectId": "${error.projectId}", "archived": false}, or use another project.`
}
