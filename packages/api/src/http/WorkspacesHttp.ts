import { Api } from "@clockme/domain/api/Api"
import { Workspaces } from "@clockme/domain/services/Workspaces"
import { HttpApiBuilder } from "@effect/platform"
import { Effect } from "effect"

export const WorkspacesHttp = HttpApiBuilder.group(Api, "workspaces", (handlers) =>
  Effect.map(Workspaces, (workspaces) =>
    handlers
      .handle("list", () => workspaces.list)
      .handle("join", ({ payload }) => workspaces.join(payload.code))
      .handle("summary", ({ path, urlParams }) => workspaces.summary(path.id, urlParams))))
