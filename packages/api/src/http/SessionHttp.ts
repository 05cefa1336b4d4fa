import { checkScope, Unauthorized } from "@clockme/domain/contract/Actor"
import { requiredScope } from "@clockme/domain/contract/api/Access"
import { Api } from "@clockme/domain/contract/api/Api"
import { SessionApi } from "@clockme/domain/contract/api/SessionApi"
import { SESSION_COOKIE, SessionInfo, sessionCookie } from "@clockme/domain/contract/Session"
import { RateLimited } from "@clockme/domain/contract/RateLimit"
import { InviteSignUp } from "@clockme/domain/services/InviteSignUp"
import { SignIn, type SignedIn } from "@clockme/domain/services/SignIn"
import { HttpApiBuilder, type HttpApiEndpoint, HttpApp, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { DateTime, Effect, Option } from "effect"

/** Secure when the browser reached the server over https (directly, or through a proxy that says so). */
const overHttps = (request: HttpServerRequest.HttpServerRequest) =>
  request.headers["x-forwarded-proto"] === "https" || request.url.startsWith("https:")

const cookieOptions = (request: HttpServerRequest.HttpServerRequest) => ({
  httpOnly: true,
  sameSite: "lax" as const,
  secure: overHttps(request),
  path: "/"
})

/** The peer's address: X-Forwarded-For is not trusted (anyone can send it), so behind a proxy all share one. */
const addressOf = (request: HttpServerRequest.HttpServerRequest) => Option.getOrElse(request.remoteAddress, () => "unknown")

const signOutEndpoint = SessionApi.endpoints.signOut as unknown as HttpApiEndpoint.HttpApiEndpoint.AnyWithProps

const noSession = () => new Unauthorized({ message: "No dashboard session: sign in with POST /api/session" })

/** Retry-After on a refused attempt, as on every other 429. */
const retryAfter = <A, E, R>(self: Effect.Effect<A, E, R>) =>
  Effect.tapError(self, (error) =>
    error instanceof RateLimited
      ? HttpApp.appendPreResponseHandler((_request, response) =>
        Effect.succeed(HttpServerResponse.setHeader(response, "retry-after", String(error.retryAfterSeconds))))
      : Effect.void)

/** Starts a session from the peer's address and sets its cookie. */
const withCookie = <E, R>(start: (address: string) => Effect.Effect<SignedIn, E, R>) =>
  Effect.gen(function*() {
    const request = yield* HttpServerRequest.HttpServerRequest
    const { session, token } = yield* start(addressOf(request))
    yield* HttpApiBuilder.securitySetCookie(sessionCookie, token, {
      ...cookieOptions(request),
      expires: DateTime.toDate(session.expiresAt)
    })
    return session
  }).pipe(retryAfter)

/** The dashboard's sign-in, answered here rather than in the table of operations: it sets cookies and reads the peer. */
export const SessionHttp = HttpApiBuilder.group(Api, "session", (handlers) =>
  Effect.map(Effect.all([SignIn, InviteSignUp]), ([signIn, inviteSignUp]) =>
    handlers
      .handle("signIn", ({ payload }) => withCookie((address) => signIn.signIn(payload, address)))
      .handle("signUpWithInvite", ({ payload }) => withCookie((address) => inviteSignUp.signUp(payload, address)))
      .handle("setPassword", ({ payload }) =>
        Effect.flatMap(HttpServerRequest.HttpServerRequest, (request) => signIn.setPassword(payload, addressOf(request))).pipe(retryAfter))
      .handle("current", () =>
        Effect.gen(function*() {
          const request = yield* HttpServerRequest.HttpServerRequest
          const session = yield* signIn.authenticate(request.cookies[SESSION_COOKIE] ?? "")
          if (Option.isNone(session)) return yield* noSession()
          const { csrfToken, email, expiresAt, userId } = session.value
          return new SessionInfo({ userId, email, csrfToken, expiresAt: DateTime.unsafeMake(expiresAt) })
        }))
      .handle("signOut", () =>
        Effect.gen(function*() {
          // outside the table of operations, so the scope its endpoint declares is checked here
          yield* checkScope(requiredScope(signOutEndpoint))
          const request = yield* HttpServerRequest.HttpServerRequest
          const token = request.cookies[SESSION_COOKIE]
          if (token === undefined) return
          yield* signIn.signOut(token)
          yield* HttpApp.appendPreResponseHandler((_request, response) =>
            Effect.orDie(HttpServerResponse.expireCookie(response, SESSION_COOKIE, cookieOptions(request))))
        }))))
