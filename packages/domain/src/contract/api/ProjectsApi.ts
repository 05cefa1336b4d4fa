import { HttpApiEndpoint, HttpApiGroup, OpenApi } from "@effect/platform"
import { Schema } from "effect"
import { InsufficientScope } from "../Actor.js"
import { Forbidden } from "../Errors.js"
import { ProjectId } from "../Ids.js"
import { CreateProject, Project, ProjectNameTaken, ProjectNotFound, UpdateProject } from "../Project.js"
import { Authentication } from "./Authentication.js"

export class ProjectsApi extends HttpApiGroup.make("projects")
  .add(
    HttpApiEndpoint.get("list", "/projects")
      .setUrlParams(Schema.Struct({ includeArchived: Schema.optional(Schema.BooleanFromString) }))
      .addSuccess(Schema.Array(Project))
  )
  .add(
    HttpApiEndpoint.post("create", "/projects")
      .setPayload(CreateProject)
      .addSuccess(Project, { status: 201 })
      .addError(ProjectNameTaken)
      .addError(Forbidden)
  )
  .add(
    HttpApiEndpoint.get("get", "/projects/:id")
      .setPath(Schema.Struct({ id: ProjectId }))
      .addSuccess(Project)
      .addError(ProjectNotFound)
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
  )
  .addError(InsufficientScope)
  .middleware(Authentication)
  .prefix("/api")
  .annotate(OpenApi.Title, "Projects")
  .annotate(OpenApi.Description, "Projects of the active workspace")
{}
