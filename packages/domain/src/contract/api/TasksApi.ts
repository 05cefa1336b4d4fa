import { HttpApiEndpoint, HttpApiGroup, OpenApi } from "@effect/platform"
import { Schema } from "effect"
import { InsufficientScope } from "../Actor.js"
import { Forbidden } from "../Errors.js"
import { ProjectId, TaskId } from "../Ids.js"
import { ProjectNotFound } from "../Project.js"
import { CreateTask, Task, TaskNotFound, TaskStatusFilter } from "../Task.js"
import { Authentication } from "./Authentication.js"
import { McpTool, readOnly } from "./McpTool.js"

export class TasksApi extends HttpApiGroup.make("tasks")
  .add(
    HttpApiEndpoint.get("list", "/tasks")
      .setUrlParams(Schema.Struct({ projectId: ProjectId, status: Schema.optional(TaskStatusFilter) }))
      .addSuccess(Schema.Array(Task))
      .addError(ProjectNotFound)
      .annotate(McpTool, {
        name: "clockme_list_tasks",
        title: "List tasks",
        description: "The tasks of a project with their ids, estimates, rates and status.",
        ...readOnly,
        params: {
          projectId: "The project's id (a UUID from clockme_list_projects). Required.",
          status: "\"active\", \"complete\" or \"all\". Default \"active\"."
        },
        resultKey: "tasks"
      })
  )
  .add(
    HttpApiEndpoint.post("create", "/tasks")
      .setPayload(CreateTask)
      .addSuccess(Task, { status: 201 })
      .addError(ProjectNotFound)
      .addError(Forbidden)
      .annotate(McpTool, {
        name: "clockme_create_task",
        title: "Create a task",
        description: "Create a task in a project; returns it with its id, to pass as taskId when starting a timer " +
          "or logging time.",
        destructive: false,
        idempotent: false,
        params: {
          projectId: "The project's id (a UUID from clockme_list_projects). Required.",
          name: "The task's name, 1 to 200 characters. Required.",
          estimatedHours: "Estimated effort in hours, at most two decimals. Omit or null for none.",
          hourlyRate: "An hourly rate for time on this task, overriding the project's, at most two decimals. " +
            "Omit or null to use the project's rate."
        }
      })
  )
  .add(
    HttpApiEndpoint.post("complete", "/tasks/:id/complete")
      .setPath(Schema.Struct({ id: TaskId }))
      .addSuccess(Task)
      .addError(TaskNotFound)
      .annotate(OpenApi.Description, "Mark a task complete; completing it again changes nothing")
      .annotate(McpTool, {
        name: "clockme_complete_task",
        title: "Complete a task",
        description: "Mark a task as complete. Completing a task that is already complete changes nothing.",
        destructive: false,
        idempotent: true,
        rename: { id: "taskId" },
        params: { taskId: "The task's id (a UUID from clockme_list_tasks). Required." }
      })
  )
  .addError(InsufficientScope)
  .middleware(Authentication)
  .prefix("/api")
  .annotate(OpenApi.Title, "Tasks")
{}
