import { Api } from "@clockme/domain/contract/api/Api"
import { Projects } from "@clockme/domain/services/Projects"
import { HttpApiBuilder } from "@effect/platform"
import { Effect } from "effect"

export const ProjectsHttp = HttpApiBuilder.group(Api, "projects", (handlers) =>
  Effect.map(Projects, (projects) =>
    handlers
      .handle("list", ({ urlParams }) => projects.list(urlParams))
      .handle("create", ({ payload }) => projects.create(payload))
      .handle("get", ({ path }) => projects.get(path.id))
      .handle("update", ({ path, payload }) => projects.update(path.id, payload))))
