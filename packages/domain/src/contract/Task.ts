import { HttpApiSchema } from "@effect/platform"
import { Schema } from "effect"
import { ProjectId, TaskId, WorkspaceId } from "./Ids.js"
import { Hours, Money } from "./Money.js"
import { TrimmedText } from "./Text.js"
import { NullableTimestamp, Timestamp } from "./Timestamp.js"
import { strict } from "./Strict.js"

export const TaskStatus = Schema.Literal("active", "complete")
export type TaskStatus = typeof TaskStatus.Type

export class Task extends Schema.Class<Task>("Task")({
  id: TaskId,
  workspaceId: WorkspaceId,
  projectId: ProjectId,
  name: Schema.String,
  estimatedHours: Schema.NullOr(Schema.Number),
  hourlyRate: Schema.NullOr(Schema.Number),
  status: TaskStatus,
  createdAt: Timestamp,
  completedAt: NullableTimestamp
}) {}

export const CreateTask = Schema.Struct({
  projectId: ProjectId,
  name: TrimmedText.pipe(
    Schema.minLength(1, { message: () => "must not be empty" }),
    Schema.maxLength(200, { message: () => "must be at most 200 characters" })
  ),
  estimatedHours: Schema.optional(Schema.NullOr(Hours)),
  hourlyRate: Schema.optional(Schema.NullOr(Money))
}).annotations({ identifier: "CreateTask", ...strict })
export type CreateTask = typeof CreateTask.Type

export const TaskStatusFilter = Schema.Literal("active", "complete", "all")

export class TaskNotFound extends Schema.TaggedError<TaskNotFound>()(
  "TaskNotFound",
  { code: Schema.tag("task_not_found"), taskId: Schema.String, message: Schema.String },
  HttpApiSchema.annotations({ status: 404 })
) {
  static readonly nextStep = (): string =>
    "Call clockme_list_tasks with the project's id (status \"all\" includes completed tasks) for valid task ids."

  static readonly byId = (taskId: string) => new TaskNotFound({ taskId, message: `Task ${taskId} not found in the active workspace` })
}
