import { Api } from "@clockme/domain/contract/api/Api"
import { Workspaces } from "@clockme/domain/services/Workspaces"
import { HttpApiBuilder } from "@effect/platform"
import { Effect } from "effect"
import { csvOrJson } from "./CsvResponse.js"

export const WorkspacesHttp = HttpApiBuilder.group(Api, "workspaces", (handlers) =>
  Effect.map(Workspaces, (workspaces) =>
    handlers
      .handle("list", () => workspaces.list)
      .handle("create", ({ payload }) => workspaces.create(payload))
      .handle("join", ({ payload }) => workspaces.join(payload.code))
      .handle("get", ({ path }) => workspaces.get(path.id))
      .handle("update", ({ path, payload }) => workspaces.update(path.id, payload))
      .handle("activate", ({ path }) => workspaces.activate(path.id))
      .handle("leave", ({ path }) => workspaces.leave(path.id))
      .handle("createInvite", ({ path, payload }) => workspaces.createInvite(path.id, payload))
      .handle("listInvites", ({ path }) => workspaces.listInvites(path.id))
      .handle("revokeInvite", ({ path }) => workspaces.revokeInvite(path.id, path.inviteId))
      .handle("members", ({ path }) => workspaces.members(path.id))
      .handle("updateMember", ({ path, payload }) => workspaces.setRole(path.id, path.userId, payload))
      .handle("removeMember", ({ path }) => workspaces.removeMember(path.id, path.userId))
      .handle("summary", ({ headers, path, urlParams }) =>
        workspaces.summary(path.id, urlParams, headers.accept).pipe(Effect.map(csvOrJson)))))
