import { HttpApiSchema } from "@effect/platform"
import { Schema } from "effect"
import { WireEventType } from "./Events.js"
import { WorkspaceId } from "./Ids.js"
import { NullableTimestamp, Timestamp } from "./Timestamp.js"
import { JsonInput, JsonValue, Text, TrimmedText } from "./Text.js"
import { strict } from "./Strict.js"

export const ConnectionId = Schema.UUID.pipe(Schema.brand("ConnectionId"))
export type ConnectionId = typeof ConnectionId.Type

export const DeliveryId = Schema.UUID.pipe(Schema.brand("DeliveryId"))
export type DeliveryId = typeof DeliveryId.Type

export const IntegrationId = Schema.String.pipe(
  Schema.pattern(/^[a-z][a-z0-9-]{1,39}$/, { message: () => "must be an integration id such as \"webhooks\"" })
).annotations({ identifier: "IntegrationId", description: "Which integration (plugin) this connection uses" })

export { eventTypeOfWire, wireEventType, WireEventType, wireEventTypes } from "./Events.js"

export const Description = TrimmedText.pipe(Schema.maxLength(500, { message: () => "must be at most 500 characters" }))

export class Connection extends Schema.Class<Connection>("Connection")({
  id: ConnectionId,
  workspaceId: WorkspaceId,
  integration: IntegrationId,
  description: Schema.NullOr(Schema.String),
  config: Schema.Record({ key: Schema.String, value: JsonValue }).annotations({
    description: "The integration's settings, without secrets"
  }),
  events: Schema.Array(Schema.String).annotations({ description: "Event types delivered to it (wire names)" }),
  secretFingerprint: Schema.NullOr(Schema.String).annotations({
    description:
      "Recognises the stored secrets without revealing them (an HMAC under the server's key); secrets are never returned"
  }),
  enabled: Schema.Boolean,
  disabledReason: Schema.NullOr(Schema.String).annotations({ description: "Why deliveries stopped, when they did" }),
  failingSince: NullableTimestamp,
  inboundVerifiedAt: NullableTimestamp.annotations({
    description:
      "When the provider's first request signed with the verification token it handed over (Notion's handshake) was " +
      "accepted; until then an owner can reveal that token to paste it back; null: not yet, or no such token"
  }),
  createdAt: Timestamp,
  updatedAt: Timestamp
}) {}

export const SecretValues = Schema.Record({ key: Text, value: Text }).annotations({
  description: "Secret settings (tokens, signing keys): stored encrypted, never returned"
})

/** A connection's plain settings as a client sends them. */
const ConnectionSettings = Schema.Record({ key: Text, value: JsonInput })

export const CreateConnection = Schema.Struct({
  integration: IntegrationId,
  description: Schema.optional(Description),
  config: Schema.optional(ConnectionSettings),
  secrets: Schema.optional(SecretValues),
  events: Schema.optional(Schema.Array(WireEventType)).annotations({
    description: "Which of the integration's events to deliver; default: all it consumes"
  })
}).annotations({ identifier: "CreateConnection", ...strict })
export type CreateConnection = typeof CreateConnection.Type

export const UpdateConnection = Schema.Struct({
  description: Schema.optional(Schema.NullOr(Description)),
  config: Schema.optional(ConnectionSettings),
  secrets: Schema.optional(SecretValues),
  events: Schema.optional(Schema.Array(WireEventType)),
  enabled: Schema.optional(Schema.Boolean).annotations({ description: "false pauses deliveries, true resumes them" })
}).annotations({ identifier: "UpdateConnection", ...strict })
export type UpdateConnection = typeof UpdateConnection.Type

export class IntegrationInfo extends Schema.Class<IntegrationInfo>("IntegrationInfo")({
  id: IntegrationId,
  version: Schema.String,
  title: Schema.String,
  description: Schema.String,
  events: Schema.Array(Schema.String).annotations({ description: "Event types it can consume" }),
  inbound: Schema.Array(Schema.String).annotations({
    description: "Inbound routes: POST /api/integrations/{id}/inbound/{connectionId}/{route}"
  })
}) {}

export class IntegrationList extends Schema.Class<IntegrationList>("IntegrationList")({
  available: Schema.Array(IntegrationInfo),
  connections: Schema.Array(Connection)
}) {}

export const DeliveryState = Schema.Literal("pending", "delivered", "dead", "skipped").annotations({
  description: "pending: queued or retrying; delivered: acknowledged; dead: failed for 24 hours (retry by hand); " +
    "skipped: an inbound delivery that changed nothing, for the reason in lastError (e.g. an unmapped user)"
})
export type DeliveryState = typeof DeliveryState.Type

export class DeliveryAttempt extends Schema.Class<DeliveryAttempt>("DeliveryAttempt")({
  attempt: Schema.Number,
  startedAt: Timestamp,
  durationMs: Schema.Number,
  status: Schema.NullOr(Schema.Number).annotations({ description: "HTTP status of the answer, if any" }),
  outcome: Schema.Literal("success", "failure", "rejected", "skipped"),
  error: Schema.NullOr(Schema.String),
  response: Schema.NullOr(Schema.String).annotations({ description: "The start of the answer's body" })
}) {}

export class Delivery extends Schema.Class<Delivery>("Delivery")({
  id: DeliveryId,
  connectionId: ConnectionId,
  eventId: Schema.UUID,
  eventType: Schema.String.annotations({ description: "The event's name, e.g. timer.started, or webhook.test" }),
  state: DeliveryState,
  attempts: Schema.Number,
  nextAttemptAt: NullableTimestamp,
  lastStatus: Schema.NullOr(Schema.Number),
  lastError: Schema.NullOr(Schema.String),
  deliveredAt: NullableTimestamp,
  createdAt: Timestamp,
  log: Schema.Array(DeliveryAttempt)
}) {}

export const DeliveryQuery = Schema.Struct({
  state: Schema.optional(DeliveryState),
  limit: Schema.optional(Schema.NumberFromString.pipe(Schema.int(), Schema.between(1, 200)))
})
export type DeliveryQuery = typeof DeliveryQuery.Type

export class IntegrationNotFound extends Schema.TaggedError<IntegrationNotFound>()(
  "IntegrationNotFound",
  { code: Schema.tag("integration_not_found"), integration: Schema.String, message: Schema.String },
  HttpApiSchema.annotations({ status: 404 })
) {}

export class ConnectionNotFound extends Schema.TaggedError<ConnectionNotFound>()(
  "ConnectionNotFound",
  { code: Schema.tag("connection_not_found"), connectionId: Schema.String, message: Schema.String },
  HttpApiSchema.annotations({ status: 404 })
) {}

export class VerificationToken extends Schema.Class<VerificationToken>("VerificationToken")({
  verificationToken: Schema.String.annotations({
    description: "The token the provider sent to the inbound URL, to paste into its settings to verify the subscription"
  })
}) {}

export class VerificationTokenUnavailable extends Schema.TaggedError<VerificationTokenUnavailable>()(
  "VerificationTokenUnavailable",
  {
    code: Schema.tag("verification_token_unavailable"),
    reason: Schema.Literal("unsupported", "not_received", "verified").annotations({
      description: "unsupported: the integration takes no such token; not_received: the provider has not sent it yet; " +
        "verified: a request signed with it was accepted, so it is never shown again"
    }),
    message: Schema.String
  },
  HttpApiSchema.annotations({ status: 409, description: "The connection has no verification token that may be shown" })
) {}

export class DeliveryNotFound extends Schema.TaggedError<DeliveryNotFound>()(
  "DeliveryNotFound",
  { code: Schema.tag("delivery_not_found"), deliveryId: Schema.String, message: Schema.String },
  HttpApiSchema.annotations({ status: 404 })
) {}

export class SecretKeyMissing extends Schema.TaggedError<SecretKeyMissing>()(
  "SecretKeyMissing",
  { code: Schema.tag("secret_key_missing"), message: Schema.String },
  HttpApiSchema.annotations({
    status: 503,
    description: "The server has no CLOCKME_SECRET_KEY, so it cannot store secrets encrypted"
  })
) {}

export class TargetRefused extends Schema.TaggedError<TargetRefused>()(
  "TargetRefused",
  { code: Schema.tag("target_refused"), url: Schema.String, message: Schema.String },
  HttpApiSchema.annotations({
    status: 422,
    description: "The URL is not https or resolves to a private, loopback, link-local or metadata address"
  })
) {}
