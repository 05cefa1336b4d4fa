import { HttpApiEndpoint, HttpApiGroup, OpenApi } from "@effect/platform"
import { Schema } from "effect"
import { InsufficientScope } from "../Actor.js"
import { Forbidden } from "../Errors.js"
import { ProjectId } from "../Ids.js"
import { ProjectNotFound } from "../Project.js"
import { CreateTask, Task, TaskStatusFilter } from "../Task.js"
import { Authentication } from "./Authentication.js"

export class TasksApi extends HttpApiGroup.make("tasks")
  .add(
    HttpApiEndpoint.get("list", "/tasks")
      .setUrlParams(Schema.Struct({ projectId: ProjectId, status: Schema.optional(TaskStatusFilter) }))
      .addSuccess(Schema.Array(Task))
      .addError(ProjectNotFound)
  )
  .add(
    HttpApiEndpoint.post("create", "/tasks")
      .setPayload(CreateTask)
      .addSuccess(Task, { status: 201 })
      .addError(ProjectNotFound)
      .addError(Forbidden)
  )
  .addError(InsufficientScope)
  .middleware(Authentication)
  .prefix("/api")
  .annotate(OpenApi.Title, "Tasks")
{}
