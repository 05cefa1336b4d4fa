import { HttpApiEndpoint, HttpApiGroup, OpenApi } from "@effect/platform"
import { Schema } from "effect"
import { InsufficientScope } from "../Actor.js"
import { ApiKey, ApiKeyNotFound, CreateApiKey, CreatedApiKey, RotateApiKeyBody } from "../ApiKey.js"
import { Conflict, Forbidden, InvalidInput } from "../Errors.js"
import { ApiKeyId } from "../Ids.js"
import { WorkspaceNotFound } from "../Workspace.js"
import { Authentication } from "./Authentication.js"
import { RequiredScope } from "./Access.js"

export class KeysApi extends HttpApiGroup.make("keys")
  .add(HttpApiEndpoint.get("list", "/keys").addSuccess(Schema.Array(ApiKey)))
  .add(
    HttpApiEndpoint.post("create", "/keys").annotate(RequiredScope, "full")
      .setPayload(CreateApiKey)
      .addSuccess(CreatedApiKey, { status: 201 })
      .addError(InvalidInput)
      .addError(WorkspaceNotFound)
      .addError(Forbidden)
      .annotate(OpenApi.Description, "Create a key (full scope), optionally expiring (expiresAt) or restricted to one workspace (workspaceId)")
  )
  .add(
    HttpApiEndpoint.post("rotate", "/keys/:id/rotate").annotate(RequiredScope, "full")
      .setPath(Schema.Struct({ id: ApiKeyId }))
      .setPayload(RotateApiKeyBody)
      .addSuccess(CreatedApiKey)
      .addError(ApiKeyNotFound)
      .addError(Conflict)
      .annotate(
        OpenApi.Description,
        "A new secret for the key (full scope); the old one keeps working for graceSeconds (default 24 hours, at most 7 days)"
      )
  )
  .add(
    HttpApiEndpoint.del("revoke", "/keys/:id").annotate(RequiredScope, "full")
      .setPath(Schema.Struct({ id: ApiKeyId }))
      .addSuccess(ApiKey)
      .addError(ApiKeyNotFound)
  )
  .addError(InsufficientScope)
  .middleware(Authentication)
  .prefix("/api")
  .annotate(OpenApi.Title, "API keys")
  .annotate(OpenApi.Description, "Create, rotate and revoke (full scope) and list your API keys; a secret is shown once")
{}

