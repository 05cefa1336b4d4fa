import { HttpApiEndpoint, HttpApiGroup, OpenApi } from "@effect/platform"
import { Schema } from "effect"
import { InsufficientScope } from "../Actor.js"
import { Forbidden, InvalidInput } from "../Errors.js"
import { ExternalId, ExternalIdentity, IdentityNotFound, MapIdentity, NotAMember } from "../Identity.js"
import {
  Connection,
  ConnectionId,
  ConnectionNotFound,
  CreateConnection,
  Delivery,
  DeliveryQuery,
  IntegrationList,
  IntegrationNotFound,
  SecretKeyMissing,
  TargetRefused,
  UpdateConnection,
  VerificationToken,
  VerificationTokenUnavailable
} from "../Integration.js"
import { WorkspaceNotFound } from "../Workspace.js"
import { Authentication } from "./Authentication.js"
import { ownersOf, RequiredRole, RequiredScope } from "./Access.js"

const byId = Schema.Struct({ id: ConnectionId })
const byExternalId = Schema.Struct({ id: ConnectionId, externalId: ExternalId })

export class IntegrationsApi extends HttpApiGroup.make("integrations")
  .add(HttpApiEndpoint.get("list", "/integrations").annotate(RequiredScope, "full")
      .annotate(RequiredRole, ownersOf("active", "see integrations")).addSuccess(IntegrationList))
  .add(
    HttpApiEndpoint.post("connect", "/integrations").annotate(RequiredScope, "full")
      .annotate(RequiredRole, ownersOf("active", "connect integrations"))
      .setPayload(CreateConnection)
      .addSuccess(Connection, { status: 201 })
      .addError(IntegrationNotFound)
      .addError(InvalidInput)
      .addError(SecretKeyMissing)
      .addError(TargetRefused)
  )
  .add(
    HttpApiEndpoint.patch("update", "/integrations/:id").annotate(RequiredScope, "full")
      .annotate(RequiredRole, ownersOf("active", "change integrations"))
      .setPath(byId)
      .setPayload(UpdateConnection)
      .addSuccess(Connection)
      .addError(ConnectionNotFound)
      .addError(IntegrationNotFound)
      .addError(InvalidInput)
      .addError(SecretKeyMissing)
      .addError(TargetRefused)
  )
  .add(
    HttpApiEndpoint.del("disconnect", "/integrations/:id").annotate(RequiredScope, "full")
      .annotate(RequiredRole, ownersOf("active", "remove integrations"))
      .setPath(byId)
      .addSuccess(Connection)
      .addError(ConnectionNotFound)
  )
  .add(
    HttpApiEndpoint.get("deliveries", "/integrations/:id/deliveries").annotate(RequiredScope, "full")
      .annotate(RequiredRole, ownersOf("active", "see integrations"))
      .setPath(byId)
      .setUrlParams(DeliveryQuery)
      .addSuccess(Schema.Array(Delivery))
      .addError(ConnectionNotFound)
      .annotate(
        OpenApi.Description,
        "The connection's delivery log, newest first: events sent and inbound requests received, with each attempt; " +
          "an inbound delivery that changed nothing (an unmapped user) is skipped, with the reason in lastError"
      )
  )
  .add(
    HttpApiEndpoint.post("revealVerificationToken", "/integrations/:id/verification-token/reveal")
      .annotate(RequiredScope, "full")
      .annotate(RequiredRole, ownersOf("active", "see a verification token"))
      .setPath(byId)
      .addSuccess(VerificationToken)
      .addError(ConnectionNotFound)
      .addError(IntegrationNotFound)
      .addError(VerificationTokenUnavailable)
      .annotate(
        OpenApi.Description,
        "The token the provider sent to the connection's inbound URL (Notion's handshake), to paste into the " +
          "provider's settings to verify the subscription. Shown to owners with a full key until the provider's " +
          "first request signed with it is accepted (inboundVerifiedAt), never after; each reveal is in the audit log."
      )
  )
  .add(
    HttpApiEndpoint.get("identities", "/integrations/:id/identities").annotate(RequiredScope, "full")
      .annotate(RequiredRole, ownersOf("active", "see integrations"))
      .setPath(byId)
      .addSuccess(Schema.Array(ExternalIdentity))
      .addError(ConnectionNotFound)
  )
  .add(
    HttpApiEndpoint.post("mapIdentity", "/integrations/:id/identities").annotate(RequiredScope, "full")
      .annotate(RequiredRole, ownersOf("active", "change integrations"))
      .setPath(byId)
      .setPayload(MapIdentity)
      .addSuccess(ExternalIdentity)
      .addError(ConnectionNotFound)
      .addError(NotAMember)
      .annotate(
        OpenApi.Description,
        "Maps the provider's user externalId to a member (by email or userId) for this connection; mapping it again " +
          "replaces the member. Without a mapping, inbound events match a member by the email the provider gives."
      )
  )
  .add(
    HttpApiEndpoint.del("unmapIdentity", "/integrations/:id/identities/:externalId").annotate(RequiredScope, "full")
      .annotate(RequiredRole, ownersOf("active", "change integrations"))
      .setPath(byExternalId)
      .addSuccess(ExternalIdentity)
      .addError(ConnectionNotFound)
      .addError(IdentityNotFound)
  )
  .addError(InsufficientScope)
  .addError(Forbidden)
  .addError(WorkspaceNotFound)
  .middleware(Authentication)
  .prefix("/api")
  .annotate(OpenApi.Title, "Integrations")
  .annotate(
    OpenApi.Description,
    "Owners (full scope) connect the active workspace to the integrations this server runs; secrets are stored " +
      "encrypted and shown only as a fingerprint"
  )
{}
