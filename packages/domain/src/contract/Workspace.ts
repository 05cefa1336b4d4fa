import { HttpApiSchema } from "@effect/platform"
import { Schema, Struct } from "effect"
import { CalendarDate } from "./CalendarDate.js"
import { CsvDocument, ReportFormat, toCsv } from "./Csv.js"
import { InviteId, ProjectId, UserId, WorkspaceId } from "./Ids.js"
import { Currency, Money } from "./Money.js"
import { TrimmedText } from "./Text.js"
import { Instant } from "./Timestamp.js"
import { strict } from "./Strict.js"

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

/** A workspace's own settings, the same for every member: what workspace events carry. */
export class WorkspaceSettings extends Schema.Class<WorkspaceSettings>("WorkspaceSettings")({
  id: WorkspaceId,
  name: Schema.String,
  kind: WorkspaceKind,
  currency: Schema.String,
  defaultHourlyRate: Schema.NullOr(Schema.Number),
  idleTimeoutMinutes: Schema.Number
}) {
  static readonly of = (workspace: WorkspaceSummaryItem) =>
    new WorkspaceSettings({
      id: workspace.id,
      name: workspace.name,
      kind: workspace.kind,
      currency: workspace.currency,
      defaultHourlyRate: workspace.defaultHourlyRate,
      idleTimeoutMinutes: workspace.idleTimeoutMinutes
    })
}

export const JoinWorkspace = Schema.Struct({
  code: TrimmedText.pipe(Schema.minLength(1, { message: () => "must not be empty" }), Schema.maxLength(200))
}).annotations({ identifier: "JoinWorkspace", ...strict })

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
  memberName: Schema.String,
  projectName: Schema.String,
  hours: Schema.Number,
  billableHours: Schema.Number,
  entries: Schema.Number
}) {}

export class TeamSummary extends Schema.Class<TeamSummary>("TeamSummary")({
  workspaceId: WorkspaceId,
  from: Schema.String,
  to: Schema.String,
  totalHours: Schema.Number,
  totalBillableHours: Schema.Number,
  totalEntries: Schema.Number,
  byMember: Schema.Array(MemberHours),
  byProject: Schema.Array(ProjectHours),
  byMemberProject: Schema.Array(MemberProjectHours)
}) {}

export class WorkspaceNotFound extends Schema.TaggedError<WorkspaceNotFound>()(
  "WorkspaceNotFound",
  { code: Schema.tag("workspace_not_found"), workspaceId: Schema.String, message: Schema.String },
  HttpApiSchema.annotations({ status: 404 })
) {
  static readonly nextStep = (): string => "Call clockme_get_dashboard to see the active workspace."

  /** A workspace that does not exist or that the caller may not see: the two are never told apart. */
  static readonly byId = (workspaceId: string) => new WorkspaceNotFound({ workspaceId, message: `Workspace ${workspaceId} not found` })
}

export const SummaryQuery = Schema.Struct({
  from: Schema.optional(CalendarDate),
  to: Schema.optional(CalendarDate),
  format: Schema.optional(ReportFormat)
})
export type SummaryQuery = typeof SummaryQuery.Type

/** The query of the CSV download: the summary's, without the format switch. */
export const SummaryCsvQuery = SummaryQuery.omit("format")

/** The summary as a spreadsheet: hours per member and project, then a total row. */
export const summaryCsv = (summary: TeamSummary): CsvDocument => {
  const emails = new Map(summary.byMember.map((m) => [m.userId, m.email]))
  return new CsvDocument({
    filename: `clockme-team-${summary.from}-${summary.to}.csv`,
    content: toCsv(
      ["Member", "Email", "Project", "Hours", "Billable hours", "Entries"],
      [
        ...summary.byMemberProject.map((r) => [
          r.memberName,
          emails.get(r.userId) ?? "",
          r.projectName,
          r.hours,
          r.billableHours,
          r.entries
        ]),
        ["Total", "", "", summary.totalHours, summary.totalBillableHours, summary.totalEntries]
      ]
    )
  })
}

const isoCurrencies = new Set(Intl.supportedValuesOf("currency"))

/** An ISO 4217 code the platform knows (its minor unit decides how amounts are rounded). */
export const IsoCurrency = Currency.pipe(
  Schema.filter((code) => isoCurrencies.has(code), { message: (issue) => `${JSON.stringify(issue.actual)} is not an ISO 4217 currency code` })
).annotations({ identifier: "IsoCurrency", description: "ISO 4217 code, e.g. USD, EUR, JPY" })

export const WorkspaceName = TrimmedText.pipe(
  Schema.minLength(1, { message: () => "must not be empty" }),
  Schema.maxLength(200, { message: () => "must be at most 200 characters" })
)

export const IdleTimeoutMinutes = Schema.Number.pipe(
  Schema.int({ message: () => "must be a whole number of minutes" }),
  Schema.between(5, 480, { message: () => "must be between 5 and 480 minutes" })
).annotations({ description: "Minutes without activity after which hook and MCP timers stop (5-480)" })

export const CreateWorkspace = Schema.Struct({
  name: WorkspaceName,
  currency: Schema.optional(IsoCurrency),
  defaultHourlyRate: Schema.optional(Schema.NullOr(Money)),
  idleTimeoutMinutes: Schema.optional(IdleTimeoutMinutes)
}).annotations({ identifier: "CreateWorkspace", ...strict })
export type CreateWorkspace = typeof CreateWorkspace.Type

export const UpdateWorkspace = Schema.Struct({
  name: Schema.optional(WorkspaceName),
  currency: Schema.optional(IsoCurrency),
  defaultHourlyRate: Schema.optional(Schema.NullOr(Money)),
  idleTimeoutMinutes: Schema.optional(IdleTimeoutMinutes)
}).annotations({ identifier: "UpdateWorkspace", ...strict })
export type UpdateWorkspace = typeof UpdateWorkspace.Type

export const InviteStatus = Schema.Literal("active", "expired", "revoked", "used_up")

/** The dashboard page that opens an invite for someone without an account; the code travels in the fragment, never to a server log. */
export const inviteLink = (code: string) => `/invite#code=${code}`

export class Invite extends Schema.Class<Invite>("Invite")({
  id: InviteId,
  workspaceId: WorkspaceId,
  code: Schema.String.annotations({ description: "Give it to the invitee: POST /api/workspaces/join {code}" }),
  link: Schema.String.annotations({
    description: "The dashboard path (on this server) where someone without an account joins: /invite#code=…"
  }),
  createdBy: UserId,
  expiresAt: Schema.NullOr(Schema.DateTimeUtc),
  maxUses: Schema.NullOr(Schema.Number),
  uses: Schema.Number,
  revokedAt: Schema.NullOr(Schema.DateTimeUtc),
  createdAt: Schema.DateTimeUtc,
  status: InviteStatus
}) {}

/** An invite without its code: the code lets anyone join, so it never leaves the invites endpoints. */
export class InviteDetails extends Schema.Class<InviteDetails>("InviteDetails")(Struct.omit(Invite.fields, "code", "link")) {
  static readonly of = ({ code: _code, link: _link, ...details }: Invite) => new InviteDetails(details)
}

export const CreateInvite = Schema.Struct({
  expiresAt: Schema.optional(Schema.NullOr(Instant)).annotations({
    description: "When the code stops working (ISO 8601); none: it does not expire"
  }),
  maxUses: Schema.optional(Schema.NullOr(Schema.Number.pipe(
    Schema.int({ message: () => "must be a whole number" }),
    Schema.between(1, 10_000, { message: () => "must be between 1 and 10000" })
  ))).annotations({ description: "How many people may join with the code; none: no limit" })
}).annotations({ identifier: "CreateInvite", ...strict })
export type CreateInvite = typeof CreateInvite.Type

/** A POST body that may be absent (no body at all arrives as null). */
export const CreateInviteBody = Schema.NullOr(CreateInvite)

export class Member extends Schema.Class<Member>("Member")({
  userId: UserId,
  name: Schema.String,
  email: Schema.String,
  role: Role,
  joinedAt: Schema.DateTimeUtc
}) {}

export const UpdateMember = Schema.Struct({ role: Role }).annotations({ identifier: "UpdateMember", ...strict })
export type UpdateMember = typeof UpdateMember.Type

export class InviteNotFound extends Schema.TaggedError<InviteNotFound>()(
  "InviteNotFound",
  { code: Schema.tag("invite_not_found"), inviteId: Schema.String, message: Schema.String },
  HttpApiSchema.annotations({ status: 404 })
) {}

export class MemberNotFound extends Schema.TaggedError<MemberNotFound>()(
  "MemberNotFound",
  { code: Schema.tag("member_not_found"), userId: Schema.String, message: Schema.String },
  HttpApiSchema.annotations({ status: 404 })
) {}

export class LastOwner extends Schema.TaggedError<LastOwner>()(
  "LastOwner",
  { code: Schema.tag("last_owner"), workspaceId: Schema.String, message: Schema.String },
  HttpApiSchema.annotations({ status: 422, description: "A workspace always keeps at least one owner" })
) {}

export class PersonalWorkspace extends Schema.TaggedError<PersonalWorkspace>()(
  "PersonalWorkspace",
  { code: Schema.tag("personal_workspace"), workspaceId: Schema.String, message: Schema.String },
  HttpApiSchema.annotations({ status: 422, description: "Personal workspaces have one member and cannot be shared or left" })
) {}

/** The code exists but can no longer be used. */
export class InviteUnusable extends Schema.TaggedError<InviteUnusable>()(
  "InviteUnusable",
  { code: Schema.tag("invite_unusable"), reason: Schema.Literal("expired", "revoked", "used_up"), message: Schema.String },
  HttpApiSchema.annotations({ status: 410 })
) {}

export class InviteInvalid extends Schema.TaggedError<InviteInvalid>()(
  "InviteInvalid",
  { code: Schema.tag("invite_invalid"), reason: Schema.Literal("unknown", "expired", "revoked", "used_up"), message: Schema.String },
  HttpApiSchema.annotations({ status: 404 })
) {}
