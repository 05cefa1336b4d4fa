import { ProjectId, TaskId } from "@clockme/domain/contract/Ids"
import { Tasks } from "@clockme/domain/services/Tasks"
import { CreateTask, Task, TaskStatusFilter } from "@clockme/domain/contract/Task"
import { Effect, Schema } from "effect"
import * as Tool from "../Tool.js"

export const TaskTools = Effect.gen(function*() {
  const tasks = yield* Tasks
  return [
    Tool.make({
      name: "clockme_list_tasks",
      title: "List tasks",
      description: "The tasks of a project with their ids, estimates, rates and status.",
      input: Schema.Struct({ projectId: ProjectId, status: Schema.optional(TaskStatusFilter) }),
      params: {
        projectId: "The project's id (a UUID from clockme_list_projects). Required.",
        status: "\"active\", \"complete\" or \"all\". Default \"active\"."
      },
      output: Schema.Struct({ tasks: Schema.Array(Task) }),
      hints: Tool.readOnly,
      run: ({ projectId, status }) => Effect.map(tasks.list(projectId, status), (list) => ({ tasks: list }))
    }),
    Tool.make({
      name: "clockme_create_task",
      title: "Create a task",
      description: "Create a task in a project; returns it with its id, to pass as taskId when starting a timer " +
        "or logging time.",
      input: CreateTask,
      params: {
        projectId: "The project's id (a UUID from clockme_list_projects). Required.",
        name: "The task's name, 1 to 200 characters. Required.",
        estimatedHours: "Estimated effort in hours, at most two decimals. Omit or null for none.",
        hourlyRate: "An hourly rate for time on this task, overriding the project's, at most two decimals. " +
          "Omit or null to use the project's rate."
      },
      output: Task,
      hints: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
      run: (input) => tasks.create(input)
    }),
    Tool.make({
      name: "clockme_complete_task",
      title: "Complete a task",
      description: "Mark a task as complete. Completing a task that is already complete changes nothing.",
      input: Schema.Struct({ taskId: TaskId }),
      params: { taskId: "The task's id (a UUID from clockme_list_tasks). Required." },
      output: Task,
      hints: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
      run: ({ taskId }) => tasks.complete(taskId)
    })
  ]
})
