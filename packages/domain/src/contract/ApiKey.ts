import { HttpApiSchema } from "@effect/platform"
import { Schema } from "effect"
import { KeyScope } from "./Actor.js"
import { ApiKeyId, UserId } from "./Ids.js"
import { TrimmedText } from "./Text.js"
import { NullableTimestamp, Timestamp } from "./Timestamp.js"

export class ApiKey extends Schema.Class<ApiKey>("ApiKey")({
  id: ApiKeyId,
  userId: UserId,
  prefix: Schema.String.annotations({ description: "The first characters of the key, for recognising it" }),
  scope: KeyScope,
  label: Schema.NullOr(Schema.String),
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
  scope: Schema.optional(KeyScope)
}).annotations({ identifier: "CreateApiKey", parseOptions: { onExcessProperty: "error", errors: "all" } })
export type CreateApiKey = typeof CreateApiKey.Type

export class ApiKeyNotFound extends Schema.TaggedError<ApiKeyNotFound>()(
  "ApiKeyNotFound",
  { code: Schema.tag("api_key_not_found"), keyId: Schema.String, message: Schema.String },
  HttpApiSchema.annotations({ status: 404 })
) {}
