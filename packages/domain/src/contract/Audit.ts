import { Schema } from "effect"
import { ApiKeyId, UserId, WorkspaceId } from "./Ids.js"
import { Timestamp } from "./Timestamp.js"
import { JsonValue } from "./Text.js"

export const AuditEventType = Schema.Literal(
  "key.created",
  "key.rotated",
  "key.revoked",
  "key.expired",
  "member.joined",
  "member.left",
  "member.removed",
  "member.role_changed",
  "invite.created",
  "invite.revoked",
  "integration.connected",
  "integration.secrets_changed",
  "integration.verification_token_revealed",
  "integration.disconnected"
)
export type AuditEventType = typeof AuditEventType.Type

export class AuditEvent extends Schema.Class<AuditEvent>("AuditEvent")({
  id: Schema.UUID,
  type: AuditEventType,
  actorUserId: Schema.NullOr(UserId).annotations({ description: "Who did it; null: the server itself" }),
  actorKeyId: Schema.NullOr(ApiKeyId).annotations({ description: "The API key used, when there was one" }),
  userId: Schema.NullOr(UserId).annotations({ description: "The account it concerns (the key's owner, the member)" }),
  workspaceId: Schema.NullOr(WorkspaceId),
  targetId: Schema.NullOr(Schema.String).annotations({ description: "The key, invite, member or integration" }),
  details: Schema.Record({ key: Schema.String, value: JsonValue }),
  createdAt: Timestamp
}) {}

export const AuditQuery = Schema.Struct({
  workspaceId: Schema.optional(WorkspaceId).annotations({ description: "Only events of this workspace" }),
  type: Schema.optional(AuditEventType),
  limit: Schema.optional(
    Schema.NumberFromString.pipe(
      Schema.int({ message: () => "must be a whole number" }),
      Schema.between(1, 500, { message: () => "must be between 1 and 500" })
    )
  )
})
export type AuditQuery = typeof AuditQuery.Type

export class AuditLog extends Schema.Class<AuditLog>("AuditLog")({
  events: Schema.Array(AuditEvent)
}) {}
