import { HttpApiMiddleware, HttpApiSecurity, OpenApi } from "@effect/platform"
import { CurrentActor, Unauthorized } from "../Actor.js"

/** Bearer API key (`Authorization: Bearer ck_live_…`) resolved to the calling actor. */
export class Authentication extends HttpApiMiddleware.Tag<Authentication>()("@clockme/domain/Authentication", {
  failure: Unauthorized,
  provides: CurrentActor,
  security: {
    bearer: HttpApiSecurity.bearer.pipe(
      HttpApiSecurity.annotate(OpenApi.Description, "An API key: `Authorization: Bearer ck_live_…`")
    )
  }
}) {}
