import { HttpApiEndpoint, HttpApiGroup, OpenApi } from "@effect/platform"
import { Schema } from "effect"
import { InsufficientScope } from "../Actor.js"
import { Conflict, Forbidden, InvalidInput } from "../Errors.js"
import {
  ConnectionId,
  ConnectionNotFound,
  Delivery,
  DeliveryId,
  DeliveryNotFound,
  DeliveryQuery,
  IntegrationNotFound,
  SecretKeyMissing,
  TargetRefused
} from "../Integration.js"
import { CreateWebhook, RotateSecret, UpdateWebhook, WebhookEndpoint, WebhookWithSecret } from "../Webhook.js"
import { WorkspaceNotFound } from "../Workspace.js"
import { Authentication } from "./Authentication.js"
import { ownersOf, RequiredRole, RequiredScope } from "./Access.js"
import { IdempotencyKeyHeader } from "./IdempotencyKeyHeader.js"

const byId = Schema.Struct({ id: ConnectionId })

export class WebhooksApi extends HttpApiGroup.make("webhooks")
  .add(HttpApiEndpoint.get("list", "/webhooks").annotate(RequiredScope, "full")
      .annotate(RequiredRole, ownersOf("active", "see integrations")).addSuccess(Schema.Array(WebhookEndpoint)))
  .add(
    HttpApiEndpoint.post("create", "/webhooks").annotate(RequiredScope, "full")
      .annotate(RequiredRole, ownersOf("active", "create webhooks"))
      .setPayload(CreateWebhook)
      .setHeaders(IdempotencyKeyHeader)
      .addSuccess(WebhookWithSecret, { status: 201 })
      .addError(Conflict)
      .addError(TargetRefused)
      .addError(InvalidInput)
      .addError(SecretKeyMissing)
  )
  .add(HttpApiEndpoint.get("get", "/webhooks/:id").annotate(RequiredScope, "full")
      .annotate(RequiredRole, ownersOf("active", "see integrations")).setPath(byId).addSuccess(WebhookEndpoint))
  .add(
    HttpApiEndpoint.patch("update", "/webhooks/:id").annotate(RequiredScope, "full")
      .annotate(RequiredRole, ownersOf("active", "change webhooks"))
      .setPath(byId)
      .setPayload(UpdateWebhook)
      .addSuccess(WebhookEndpoint)
      .addError(TargetRefused)
      .addError(InvalidInput)
  )
  .add(HttpApiEndpoint.del("delete", "/webhooks/:id").annotate(RequiredScope, "full")
      .annotate(RequiredRole, ownersOf("active", "see integrations")).setPath(byId).addSuccess(WebhookEndpoint))
  .add(
    HttpApiEndpoint.post("rotateSecret", "/webhooks/:id/rotate-secret").annotate(RequiredScope, "full")
      .annotate(RequiredRole, ownersOf("active", "see integrations"))
      .setPath(byId)
      .setPayload(RotateSecret)
      .addSuccess(WebhookWithSecret)
      .addError(SecretKeyMissing)
  )
  .add(
    HttpApiEndpoint.post("test", "/webhooks/:id/test").annotate(RequiredScope, "full")
      .annotate(RequiredRole, ownersOf("active", "see integrations"))
      .setPath(byId)
      .addSuccess(Delivery)
      .addError(TargetRefused)
  )
  .add(
    HttpApiEndpoint.get("deliveries", "/webhooks/:id/deliveries").annotate(RequiredScope, "full")
      .annotate(RequiredRole, ownersOf("active", "see integrations"))
      .setPath(byId)
      .setUrlParams(DeliveryQuery)
      .addSuccess(Schema.Array(Delivery))
  )
  .add(
    HttpApiEndpoint.post("retry", "/webhooks/:id/deliveries/:deliveryId/retry").annotate(RequiredScope, "full")
      .annotate(RequiredRole, ownersOf("active", "retry deliveries"))
      .setPath(Schema.Struct({ id: ConnectionId, deliveryId: DeliveryId }))
      .addSuccess(Delivery, { status: 202 })
      .addError(DeliveryNotFound)
      .addError(TargetRefused)
      .annotate(
        OpenApi.Description,
        "Queues a delivery again, whatever its state: one already delivered is sent once more, with the same " +
          "webhook-id (the event id), so a receiver that deduplicates on webhook-id ignores the copy. A webhook.test " +
          "delivery is sent again at once."
      )
  )
  .addError(InsufficientScope)
  .addError(Forbidden)
  .addError(WorkspaceNotFound)
  .addError(IntegrationNotFound)
  .addError(InvalidInput)
  .addError(SecretKeyMissing)
  .addError(TargetRefused)
  .addError(ConnectionNotFound)
  .middleware(Authentication)
  .prefix("/api")
  .annotate(OpenApi.Title, "Webhooks")
  .annotate(
    OpenApi.Description,
    "Signed deliveries (Standard Webhooks: webhook-id, webhook-timestamp, webhook-signature) of the active " +
      "workspace's events to your URLs; owners, full scope"
  )
{}
