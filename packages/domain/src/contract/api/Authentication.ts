import { HttpApiMiddleware, HttpApiSecurity, OpenApi } from "@effect/platform"
import { Schema } from "effect"
import { CurrentActor, Unauthorized } from "../Actor.js"
import { RateLimited } from "../RateLimit.js"
import { WorkspaceNotFound } from "../Workspace.js"

/** Bearer API key (`Authorization: Bearer ck_live_…`) resolved to the calling actor, within its rate limit. */
export class Authentication extends HttpApiMiddleware.Tag<Authentication>()("@clockme/domain/Authentication", {
  failure: Schema.Union(Unauthorized, RateLimited, WorkspaceNotFound),
  provides: CurrentActor,
  security: {
    bearer: HttpApiSecurity.bearer.pipe(
      HttpApiSecurity.annotate(OpenApi.Description, "An API key: `Authorization: Bearer ck_live_…`")
    )
  }
}) {}
