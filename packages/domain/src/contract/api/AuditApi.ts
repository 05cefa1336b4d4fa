import { HttpApiEndpoint, HttpApiGroup, OpenApi } from "@effect/platform"
import { AuditLog, AuditQuery } from "../Audit.js"
import { WorkspaceNotFound } from "../Workspace.js"
import { Authentication } from "./Authentication.js"

export class AuditApi extends HttpApiGroup.make("audit")
  .add(
    HttpApiEndpoint.get("list", "/audit")
      .setUrlParams(AuditQuery)
      .addSuccess(AuditLog)
      .addError(WorkspaceNotFound)
      .annotate(
        OpenApi.Description,
        "Your account's events (keys created, rotated, revoked, expired; joining, leaving, removal, role changes) " +
          "and every event of the workspaces you own (members, invites, integrations), newest first"
      )
  )
  .middleware(Authentication)
  .prefix("/api")
  .annotate(OpenApi.Title, "Audit")
{}
