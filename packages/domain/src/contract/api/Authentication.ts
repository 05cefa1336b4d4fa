import { HttpApiMiddleware, HttpApiSecurity, OpenApi } from "@effect/platform"
import { Schema } from "effect"
import { CurrentActor, Unauthorized } from "../Actor.js"
import { RateLimited } from "../RateLimit.js"
import { CsrfRefused, sessionCookie } from "../Session.js"
import { WorkspaceNotFound } from "../Workspace.js"

/**
 * Bearer API key (`Authorization: Bearer ck_live_…`) or, without one, the dashboard's session cookie, resolved to
 * the calling actor, within its rate limit. A key always wins over a cookie.
 */
export class Authentication extends HttpApiMiddleware.Tag<Authentication>()("@clockme/domain/Authentication", {
  failure: Schema.Union(Unauthorized, RateLimited, WorkspaceNotFound, CsrfRefused),
  provides: CurrentActor,
  security: {
    bearer: HttpApiSecurity.bearer.pipe(
      HttpApiSecurity.annotate(OpenApi.Description, "An API key: `Authorization: Bearer ck_live_…`")
    ),
    session: sessionCookie
  }
}) {}
