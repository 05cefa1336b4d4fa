import { HttpApiEndpoint, HttpApiGroup, OpenApi } from "@effect/platform"
import { Schema } from "effect"
import { InsufficientScope } from "../Actor.js"
import { InvalidInput } from "../Errors.js"
import { WorkspaceId } from "../Ids.js"
import { ReportQuery } from "../Report.js"
import { InviteInvalid, JoinedWorkspace, JoinWorkspace, TeamSummary, WorkspaceNotFound, WorkspaceSummaryItem } from "../Workspace.js"
import { Authentication } from "./Authentication.js"

export class WorkspacesApi extends HttpApiGroup.make("workspaces")
  .add(HttpApiEndpoint.get("list", "/workspaces").addSuccess(Schema.Array(WorkspaceSummaryItem)))
  .add(
    HttpApiEndpoint.post("join", "/workspaces/join")
      .setPayload(JoinWorkspace)
      .addSuccess(JoinedWorkspace)
      .addError(InviteInvalid)
  )
  .add(
    HttpApiEndpoint.get("summary", "/workspaces/:id/summary")
      .setPath(Schema.Struct({ id: WorkspaceId }))
      .setUrlParams(ReportQuery)
      .addSuccess(TeamSummary)
      .addError(WorkspaceNotFound)
      .addError(InvalidInput)
  )
  .addError(InsufficientScope)
  .middleware(Authentication)
  .prefix("/api")
  .annotate(OpenApi.Title, "Workspaces")
{}
