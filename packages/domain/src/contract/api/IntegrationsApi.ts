import { HttpApiEndpoint, HttpApiGroup, OpenApi } from "@effect/platform"
import { Schema } from "effect"
import { InsufficientScope } from "../Actor.js"
import { Forbidden, InvalidInput } from "../Errors.js"
import {
  Connection,
  ConnectionId,
  ConnectionNotFound,
  CreateConnection,
  IntegrationList,
  IntegrationNotFound,
  SecretKeyMissing,
  TargetRefused,
  UpdateConnection
} from "../Integration.js"
import { WorkspaceNotFound } from "../Workspace.js"
import { Authentication } from "./Authentication.js"
import { ownersOf, RequiredRole, RequiredScope } from "./Access.js"

const byId = Schema.Struct({ id: ConnectionId })

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
