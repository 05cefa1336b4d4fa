import { Api } from "@clockme/domain/contract/api/Api"
import { Tasks } from "@clockme/domain/services/Tasks"
import { HttpApiBuilder } from "@effect/platform"
import { Effect } from "effect"

export const TasksHttp = HttpApiBuilder.group(Api, "tasks", (handlers) =>
  Effect.map(Tasks, (tasks) =>
    handlers
      .handle("list", ({ urlParams }) => tasks.list(urlParams.projectId, urlParams.status))
      .handle("create", ({ payload }) => tasks.create(payload))))
