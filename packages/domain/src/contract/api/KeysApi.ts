import { HttpApiEndpoint, HttpApiGroup, OpenApi } from "@effect/platform"
import { Schema } from "effect"
import { InsufficientScope } from "../Actor.js"
import { ApiKey, ApiKeyNotFound, CreateApiKey, CreatedApiKey } from "../ApiKey.js"
import { ApiKeyId } from "../Ids.js"
import { Authentication } from "./Authentication.js"

export class KeysApi extends HttpApiGroup.make("keys")
  .add(HttpApiEndpoint.get("list", "/keys").addSuccess(Schema.Array(ApiKey)))
  .add(HttpApiEndpoint.post("create", "/keys").setPayload(CreateApiKey).addSuccess(CreatedApiKey, { status: 201 }))
  .add(
    HttpApiEndpoint.del("revoke", "/keys/:id")
      .setPath(Schema.Struct({ id: ApiKeyId }))
      .addSuccess(ApiKey)
      .addError(ApiKeyNotFound)
  )
  .addError(InsufficientScope)
  .middleware(Authentication)
  .prefix("/api")
  .annotate(OpenApi.Title, "API keys")
  .annotate(OpenApi.Description, "Create (full scope), list and revoke your API keys; the secret is shown once")
{}

