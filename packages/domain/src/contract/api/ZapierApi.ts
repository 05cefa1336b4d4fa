import { HttpApiEndpoint, HttpApiGroup, OpenApi } from "@effect/platform"
import { Schema } from "effect"
import { InsufficientScope } from "../Actor.js"
import { Conflict, Forbidden, InvalidInput } from "../Errors.js"
import { ConnectionId, ConnectionNotFound, IntegrationNotFound, SecretKeyMissing, TargetRefused } from "../Integration.js"
import { Event } from "../Events.js"
import { SubscribeZap, ZapierEvent, ZapSubscription } from "../Zapier.js"
import { WorkspaceNotFound } from "../Workspace.js"
import { Authentication } from "./Authentication.js"
import { IdempotencyKeyHeader } from "./IdempotencyKeyHeader.js"
import { ownersOf, RequiredRole, RequiredScope } from "./Access.js"

export class ZapierApi extends HttpApiGroup.make("zapier")
  .add(
    HttpApiEndpoint.post("subscribe", "/zapier/hooks").annotate(RequiredScope, "full")
      .annotate(RequiredRole, ownersOf("active", "subscribe Zaps"))
      .setPayload(SubscribeZap)
      .setHeaders(IdempotencyKeyHeader)
      .addSuccess(ZapSubscription, { status: 201 })
      .addError(Conflict)
      .addError(TargetRefused)
      .addError(InvalidInput)
  )
  .add(
    HttpApiEndpoint.del("unsubscribe", "/zapier/hooks/:id").annotate(RequiredScope, "full")
      .annotate(RequiredRole, ownersOf("active", "remove integrations"))
      .setPath(Schema.Struct({ id: ConnectionId }))
      .addSuccess(ZapSubscription)
      .addError(ConnectionNotFound)
  )
  .add(
    HttpApiEndpoint.get("samples", "/zapier/samples/:event").annotate(RequiredScope, "full")
      .annotate(RequiredRole, ownersOf("active", "read Zap samples"))
      .setPath(Schema.Struct({ event: ZapierEvent }))
      .addSuccess(Schema.Array(Event))
      .annotate(OpenApi.Description, "Zapier's performList: the newest real events of the trigger, as a delivery carries them")
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
  .annotate(OpenApi.Title, "Zapier")
  .annotate(OpenApi.Description, "REST Hooks for the ClockMe Zapier app: subscribe, unsubscribe, sample items")
{}
