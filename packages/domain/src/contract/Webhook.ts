import { Schema } from "effect"
import { ConnectionId, Description, WireEventType } from "./Integration.js"
import { NullableTimestamp, Timestamp } from "./Timestamp.js"
import { strict } from "./Strict.js"
import { TrimmedText } from "./Text.js"

export const WebhookUrl = TrimmedText.pipe(
  Schema.maxLength(2000, { message: () => "must be at most 2000 characters" }),
  Schema.filter((text) => URL.canParse(text), { message: () => "must be an absolute URL (https://…)" })
).annotations({ description: "Where deliveries are POSTed; https and a public address" })

export class WebhookEndpoint extends Schema.Class<WebhookEndpoint>("WebhookEndpoint")({
  id: ConnectionId,
  url: Schema.String,
  events: Schema.Array(Schema.String),
  description: Schema.NullOr(Schema.String),
  enabled: Schema.Boolean,
  disabledReason: Schema.NullOr(Schema.String),
  failingSince: NullableTimestamp,
  secretFingerprint: Schema.NullOr(Schema.String),
  previousSecretValidUntil: NullableTimestamp.annotations({
    description: "Until then deliveries are signed with the previous secret too"
  }),
  createdAt: Timestamp,
  updatedAt: Timestamp
}) {}

export const CreateWebhook = Schema.Struct({
  url: WebhookUrl,
  events: Schema.Array(WireEventType).pipe(Schema.minItems(1, { message: () => "must name at least one event type" })),
  description: Schema.optional(Description)
}).annotations({ identifier: "CreateWebhook", ...strict })
export type CreateWebhook = typeof CreateWebhook.Type

export const UpdateWebhook = Schema.Struct({
  url: Schema.optional(WebhookUrl),
  events: Schema.optional(Schema.Array(WireEventType).pipe(Schema.minItems(1))),
  description: Schema.optional(Schema.NullOr(Description)),
  enabled: Schema.optional(Schema.Boolean).annotations({ description: "false pauses, true resumes" })
}).annotations({ identifier: "UpdateWebhook", ...strict })
export type UpdateWebhook = typeof UpdateWebhook.Type

export class WebhookWithSecret extends Schema.Class<WebhookWithSecret>("WebhookWithSecret")({
  endpoint: WebhookEndpoint,
  secret: Schema.String.annotations({ description: "whsec_…: verify deliveries with it. Shown only this once." })
}) {}

export const RotateSecret = Schema.NullOr(Schema.Struct({
  graceHours: Schema.optional(Schema.Number.pipe(Schema.int(), Schema.between(0, 168))).annotations({
    description: "How long the previous secret keeps signing too (default 24)"
  })
}).annotations({ identifier: "RotateSecret", ...strict }))
export type RotateSecret = typeof RotateSecret.Type
