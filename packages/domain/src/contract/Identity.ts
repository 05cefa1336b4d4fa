import { HttpApiSchema } from "@effect/platform"
import { Schema } from "effect"
import { UserId } from "./Ids.js"
import { strict } from "./Strict.js"
import { Text } from "./Text.js"
import { Timestamp } from "./Timestamp.js"

export const ExternalId = Text.pipe(
  Schema.minLength(1, { message: () => "must not be empty" }),
  Schema.maxLength(200, { message: () => "must be at most 200 characters" })
).annotations({
  identifier: "ExternalId",
  description: "The provider's id of a user: a GitHub login, a Linear user id, a Slack user id"
})

export const MapIdentity = Schema.Union(
  Schema.Struct({ externalId: ExternalId, email: Text.annotations({ description: "A member's email" }) })
    .annotations(strict),
  Schema.Struct({ externalId: ExternalId, userId: UserId.annotations({ description: "A member's user id" }) })
    .annotations(strict)
).annotations({
  identifier: "MapIdentity",
  description: "Maps a provider's user to a member of the workspace, named by email or by user id"
})
export type MapIdentity = typeof MapIdentity.Type

export class ExternalIdentity extends Schema.Class<ExternalIdentity>("ExternalIdentity")({
  externalId: ExternalId,
  userId: UserId,
  email: Schema.String,
  createdAt: Timestamp
}) {}

export class IdentityNotFound extends Schema.TaggedError<IdentityNotFound>()(
  "IdentityNotFound",
  { code: Schema.tag("identity_not_found"), externalId: Schema.String, message: Schema.String },
  HttpApiSchema.annotations({ status: 404 })
) {}

export class NotAMember extends Schema.TaggedError<NotAMember>()(
  "NotAMember",
  { code: Schema.tag("not_a_member"), message: Schema.String },
  HttpApiSchema.annotations({
    status: 422,
    description: "Only members of the connection's workspace can be mapped to a provider's user"
  })
) {}
