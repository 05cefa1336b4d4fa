import { HttpApiSchema } from "@effect/platform"
import { Schema } from "effect"
import { KeyScope } from "./Actor.js"
import { ApiKeyId, UserId, WorkspaceId } from "./Ids.js"
import { TrimmedText } from "./Text.js"
import { Instant, NullableTimestamp, Timestamp } from "./Timestamp.js"
import { strict } from "./Strict.js"

export class ApiKey extends Schema.Class<ApiKey>("ApiKey")({
  id: ApiKeyId,
  userId: UserId,
  prefix: Schema.String.annotations({ description: "The first characters of the key, for recognising it" }),
  scope: KeyScope,
  label: Schema.NullOr(Schema.String),
  workspaceId: Schema.NullOr(WorkspaceId).annotations({
    description: "The only workspace the key acts in; null: any workspace of the account"
  }),
  expiresAt: NullableTimestamp.annotations({ description: "When the key stops working; null: never" }),
  rotatedAt: NullableTimestamp,
  previousSecretExpiresAt: NullableTimestamp.annotations({
    description: "After a rotation, when the previous secret stops working"
  }),
  createdAt: Timestamp,
  lastUsedAt: NullableTimestamp,
  revokedAt: NullableTimestamp
}) {}

export class CreatedApiKey extends Schema.Class<CreatedApiKey>("CreatedApiKey")({
  key: ApiKey,
  secret: Schema.String.annotations({ description: "The plaintext key. It is shown only this once." })
}) {}

export const CreateApiKey = Schema.Struct({
  label: Schema.optional(TrimmedText.pipe(Schema.maxLength(200))),
  scope: Schema.optional(KeyScope),
  expiresAt: Schema.optional(Instant.annotations({ description: "When the key stops working (ISO 8601, in the future)" })),
  workspaceId: Schema.optional(WorkspaceId.annotations({
    description: "Restrict the key to this workspace of yours: it acts only there"
  }))
}).annotations({ identifier: "CreateApiKey", ...strict })
export type CreateApiKey = typeof CreateApiKey.Type

/** The longest a rotated-out secret keeps working. */
export const MAX_GRACE_SECONDS = 7 * 24 * 60 * 60
export const DEFAULT_GRACE_SECONDS = 24 * 60 * 60

export const RotateApiKey = Schema.Struct({
  graceSeconds: Schema.optional(
    Schema.Number.pipe(
      Schema.int({ message: () => "must be a whole number of seconds" }),
      Schema.between(0, MAX_GRACE_SECONDS, { message: () => `must be between 0 and ${MAX_GRACE_SECONDS} (7 days)` })
    ).annotations({ description: "How long the old secret keeps working; default 86400 (24 hours), at most 7 days" })
  )
}).annotations({ identifier: "RotateApiKey", ...strict })
export type RotateApiKey = typeof RotateApiKey.Type
/** No body at all arrives as null. */
export const RotateApiKeyBody = Schema.NullOr(RotateApiKey)

export class ApiKeyNotFound extends Schema.TaggedError<ApiKeyNotFound>()(
  "ApiKeyNotFound",
  { code: Schema.tag("api_key_not_found"), keyId: Schema.String, message: Schema.String },
  HttpApiSchema.annotations({ status: 404 })
) {}
