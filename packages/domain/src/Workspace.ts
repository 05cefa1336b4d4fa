import { HttpApiSchema } from "@effect/platform"
import { Schema } from "effect"
import { ProjectId, UserId, WorkspaceId } from "./Ids.js"

export const WorkspaceKind = Schema.Literal("personal", "shared")
export const Role = Schema.Literal("owner", "member")
export type Role = typeof Role.Type

export class WorkspaceSummaryItem extends Schema.Class<WorkspaceSummaryItem>("WorkspaceListItem")({
  id: WorkspaceId,
  name: Schema.String,
  kind: WorkspaceKind,
  role: Role,
  memberCount: Schema.Number,
  currency: Schema.String,
  defaultHourlyRate: Schema.NullOr(Schema.Number),
  idleTimeoutMinutes: Schema.Number,
  active: Schema.Boolean
}) {}

export const JoinWorkspace = Schema.Struct({
  code: Schema.Trim.pipe(Schema.minLength(1, { message: () => "must not be empty" }), Schema.maxLength(200))
}).annotations({ identifier: "JoinWorkspace", parseOptions: { onExcessProperty: "error", errors: "all" } })

export class JoinedWorkspace extends Schema.Class<JoinedWorkspace>("JoinedWorkspace")({
  workspace: WorkspaceSummaryItem,
  alreadyMember: Schema.Boolean
}) {}

export class MemberHours extends Schema.Class<MemberHours>("MemberHours")({
  userId: UserId,
  name: Schema.String,
  email: Schema.String,
  hours: Schema.Number,
  billableHours: Schema.Number,
  entries: Schema.Number
}) {}

export class ProjectHours extends Schema.Class<ProjectHours>("ProjectHours")({
  projectId: ProjectId,
  name: Schema.String,
  hours: Schema.Number,
  billableHours: Schema.Number,
  entries: Schema.Number
}) {}

export class MemberProjectHours extends Schema.Class<MemberProjectHours>("MemberProjectHours")({
  userId: UserId,
  projectId: ProjectId,
  hours: Schema.Number,
  entries: Schema.Number
}) {}

export class TeamSummary extends Schema.Class<TeamSummary>("TeamSummary")({
  workspaceId: WorkspaceId,
  from: Schema.String,
  to: Schema.String,
  totalHours: Schema.Number,
  byMember: Schema.Array(MemberHours),
  byProject: Schema.Array(ProjectHours),
  byMemberProject: Schema.Array(MemberProjectHours)
}) {}

export class WorkspaceNotFound extends Schema.TaggedError<WorkspaceNotFound>()(
  "WorkspaceNotFound",
  { code: Schema.tag("workspace_not_found"), workspaceId: Schema.String, message: Schema.String },
  HttpApiSchema.annotations({ status: 404 })
) {}

export class InviteInvalid extends Schema.TaggedError<InviteInvalid>()(
  "InviteInvalid",
  { code: Schema.tag("invite_invalid"), reason: Schema.Literal("unknown", "expired", "revoked", "used_up"), message: Schema.String },
  HttpApiSchema.annotations({ status: 404 })
) {}
