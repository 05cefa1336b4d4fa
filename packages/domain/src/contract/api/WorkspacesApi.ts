import { HttpApiEndpoint, HttpApiGroup, HttpApiSchema, OpenApi } from "@effect/platform"
import { Schema } from "effect"
import { InsufficientScope } from "../Actor.js"
import { alsoAnswersCsv, CsvText } from "../Csv.js"
import { Forbidden, InvalidInput } from "../Errors.js"
import { InviteId, UserId, WorkspaceId } from "../Ids.js"
import {
  CreateInviteBody,
  CreateWorkspace,
  Invite,
  InviteInvalid,
  InviteNotFound,
  InviteUnusable,
  JoinedWorkspace,
  JoinWorkspace,
  LastOwner,
  Member,
  MemberNotFound,
  PersonalWorkspace,
  SummaryCsvQuery,
  SummaryQuery,
  TeamSummary,
  UpdateMember,
  UpdateWorkspace,
  WorkspaceNotFound,
  WorkspaceSummaryItem
} from "../Workspace.js"
import { Authentication } from "./Authentication.js"
import { McpTool, readOnly } from "./McpTool.js"
import { ownersOf, RequiredRole, RequiredScope } from "./Access.js"

const WorkspacePath = Schema.Struct({ id: WorkspaceId })
const Accept = Schema.Struct({ accept: Schema.optional(Schema.String) })

export class WorkspacesApi extends HttpApiGroup.make("workspaces")
  .add(
    HttpApiEndpoint.get("list", "/workspaces")
      .addSuccess(Schema.Array(WorkspaceSummaryItem))
      .annotate(OpenApi.Description, "Workspaces you belong to, with your role, the member count and which one is active")
  )
  .add(
    HttpApiEndpoint.post("create", "/workspaces").annotate(RequiredScope, "full")
      .setPayload(CreateWorkspace)
      .addSuccess(WorkspaceSummaryItem, { status: 201 })
      .addError(Forbidden)
      .annotate(OpenApi.Description, "Create a shared workspace; you become its owner (needs a full-scope key)")
  )
  .add(
    HttpApiEndpoint.post("join", "/workspaces/join").annotate(RequiredScope, "full")
      .setPayload(JoinWorkspace)
      .addSuccess(JoinedWorkspace)
      .addError(InviteInvalid)
      .addError(InviteUnusable)
      .addError(Forbidden)
      .annotate(OpenApi.Description, "Join with an invite code; joining a workspace you are in already changes nothing")
  )
  .add(
    HttpApiEndpoint.get("get", "/workspaces/:id")
      .setPath(WorkspacePath)
      .addSuccess(WorkspaceSummaryItem)
      .addError(WorkspaceNotFound)
  )
  .add(
    HttpApiEndpoint.patch("update", "/workspaces/:id").annotate(RequiredScope, "full")
      .annotate(RequiredRole, ownersOf("path", "change its settings"))
      .setPath(WorkspacePath)
      .setPayload(UpdateWorkspace)
      .addSuccess(WorkspaceSummaryItem)
      .addError(WorkspaceNotFound)
      .addError(Forbidden)
      .annotate(OpenApi.Description, "Owners: name, currency (ISO 4217), defaultHourlyRate, idleTimeoutMinutes (5-480)")
  )
  .add(
    HttpApiEndpoint.post("activate", "/workspaces/:id/activate").annotate(RequiredScope, "full")
      .setPath(WorkspacePath)
      .addSuccess(WorkspaceSummaryItem)
      .addError(WorkspaceNotFound)
      .annotate(OpenApi.Description, "Make this your active workspace: later calls act in it")
  )
  .add(
    HttpApiEndpoint.post("leave", "/workspaces/:id/leave").annotate(RequiredScope, "full")
      .setPath(WorkspacePath)
      .addSuccess(HttpApiSchema.NoContent)
      .addError(WorkspaceNotFound)
      .addError(MemberNotFound)
      .addError(LastOwner)
      .addError(PersonalWorkspace)
      .annotate(OpenApi.Description, "Leave a shared workspace; the entries you authored there stay")
  )
  .add(
    HttpApiEndpoint.post("createInvite", "/workspaces/:id/invites").annotate(RequiredScope, "full")
      .annotate(RequiredRole, ownersOf("path", "create invites"))
      .setPath(WorkspacePath)
      .setPayload(CreateInviteBody)
      .addSuccess(Invite, { status: 201 })
      .addError(WorkspaceNotFound)
      .addError(Forbidden)
      .addError(PersonalWorkspace)
      .addError(InvalidInput)
      .annotate(OpenApi.Description, "Owners: a new invite code, optionally with expiresAt and maxUses")
  )
  .add(
    HttpApiEndpoint.get("listInvites", "/workspaces/:id/invites").annotate(RequiredScope, "full")
      .annotate(RequiredRole, ownersOf("path", "see its invites"))
      .setPath(WorkspacePath)
      .addSuccess(Schema.Array(Invite))
      .addError(WorkspaceNotFound)
      .addError(Forbidden)
  )
  .add(
    HttpApiEndpoint.del("revokeInvite", "/workspaces/:id/invites/:inviteId").annotate(RequiredScope, "full")
      .annotate(RequiredRole, ownersOf("path", "revoke invites"))
      .setPath(Schema.Struct({ id: WorkspaceId, inviteId: InviteId }))
      .addSuccess(Invite)
      .addError(WorkspaceNotFound)
      .addError(InviteNotFound)
      .addError(Forbidden)
      .annotate(OpenApi.Description, "Owners: revoke an invite code; people who joined with it stay")
  )
  .add(
    HttpApiEndpoint.get("members", "/workspaces/:id/members")
      .setPath(WorkspacePath)
      .addSuccess(Schema.Array(Member))
      .addError(WorkspaceNotFound)
  )
  .add(
    HttpApiEndpoint.patch("updateMember", "/workspaces/:id/members/:userId").annotate(RequiredScope, "full")
      .annotate(RequiredRole, ownersOf("path", "change roles"))
      .setPath(Schema.Struct({ id: WorkspaceId, userId: UserId }))
      .setPayload(UpdateMember)
      .addSuccess(Member)
      .addError(WorkspaceNotFound)
      .addError(MemberNotFound)
      .addError(Forbidden)
      .addError(LastOwner)
      .annotate(OpenApi.Description, "Owners: change a member's role; the last owner cannot be demoted")
  )
  .add(
    HttpApiEndpoint.del("removeMember", "/workspaces/:id/members/:userId").annotate(RequiredScope, "full")
      .annotate(RequiredRole, ownersOf("path", "remove members"))
      .setPath(Schema.Struct({ id: WorkspaceId, userId: UserId }))
      .addSuccess(HttpApiSchema.NoContent)
      .addError(WorkspaceNotFound)
      .addError(MemberNotFound)
      .addError(Forbidden)
      .addError(LastOwner)
      .addError(PersonalWorkspace)
      .annotate(OpenApi.Description, "Owners: remove a member; the entries they authored stay")
  )
  .add(
    HttpApiEndpoint.get("summary", "/workspaces/:id/summary")
      .setPath(WorkspacePath)
      .setUrlParams(SummaryQuery)
      .setHeaders(Accept)
      .addSuccess(TeamSummary)
      .addError(WorkspaceNotFound)
      .addError(InvalidInput)
      .annotate(
        OpenApi.Description,
        "Hours by member, by project and by both (any member may read it); CSV with format=csv or Accept: text/csv " +
          "(or from GET /api/workspaces/{id}/summary/csv)"
      )
      .annotate(OpenApi.Transform, alsoAnswersCsv)
      .annotate(McpTool, {
        name: "clockme_get_team_summary",
        title: "Team summary",
        description: "Hours of the active workspace by member, by project and by member and project, for a range " +
          "of days. In a personal workspace that is just your own hours.",
        ...readOnly,
        activeWorkspace: "id",
        params: {
          from: "First day of the range, YYYY-MM-DD, a day in your timezone. Omit for the first day of this month.",
          to: "Last day of the range (inclusive), YYYY-MM-DD, a day in your timezone. Omit for today (or from, if " +
            "from is later)."
        }
      })
  )
  .add(
    HttpApiEndpoint.get("summaryCsv", "/workspaces/:id/summary/csv")
      .setPath(WorkspacePath)
      .setUrlParams(SummaryCsvQuery)
      .addSuccess(CsvText)
      .addError(WorkspaceNotFound)
      .addError(InvalidInput)
      .annotate(OpenApi.Description, "The team summary as CSV: hours per member and project, then a total row")
  )
  .addError(InsufficientScope)
  .middleware(Authentication)
  .prefix("/api")
  .annotate(OpenApi.Title, "Workspaces")
  .annotate(OpenApi.Description, "Personal and shared workspaces, members, roles, invites and the team summary")
{}
