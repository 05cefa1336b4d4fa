import { HttpApiEndpoint, HttpApiGroup, OpenApi } from "@effect/platform"
import { InsufficientScope } from "../Actor.js"
import { Forbidden, InvalidInput } from "../Errors.js"
import { Me, UpdateMe } from "../User.js"
import { Authentication } from "./Authentication.js"
import { RequiredScope } from "./Access.js"

export class MeApi extends HttpApiGroup.make("me")
  .add(HttpApiEndpoint.get("get", "/me").addSuccess(Me))
  .add(HttpApiEndpoint.patch("update", "/me").annotate(RequiredScope, "full").setPayload(UpdateMe).addSuccess(Me).addError(InvalidInput).addError(Forbidden))
  .addError(InsufficientScope)
  .middleware(Authentication)
  .prefix("/api")
  .annotate(OpenApi.Title, "Me")
  .annotate(OpenApi.Description, "The account the API key belongs to")
{}
