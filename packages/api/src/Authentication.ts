import { Authentication } from "@clockme/domain/contract/api/Authentication"
import { SESSION_COOKIE } from "@clockme/domain/contract/Session"
import { Admission, admittedHeaders, refusalHeaders } from "@clockme/domain/services/Admission"
import type { Refused } from "@clockme/domain/services/Admission"
import { HttpApp, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { Effect, Either, Layer, Redacted } from "effect"
import { csrfRefusal } from "./Csrf.js"

const withHeaders = (headers: Record<string, string>) =>
  HttpApp.appendPreResponseHandler((_request, response) => Effect.succeed(HttpServerResponse.setHeaders(response, headers)))

/** A request is a session's when it sends the cookie and no Authorization header: a key always wins. */
const bySession = (request: HttpServerRequest.HttpServerRequest) =>
  request.headers.authorization === undefined && (request.cookies[SESSION_COOKIE] ?? "") !== ""

/**
 * The platform tries the schemes in order, each after the one before failed, and answers with the last one's
 * error: the key's refusal is kept here for the session scheme to repeat when the request was not a session's.
 */
const keyRefusals = new WeakMap<HttpServerRequest.HttpServerRequest, Refused>()

export const AuthenticationLive = Layer.effect(
  Authentication,
  Effect.map(Admission, (admission) =>
    Authentication.of({
      bearer: (token) =>
        Effect.gen(function*() {
          const request = yield* HttpServerRequest.HttpServerRequest
          const result = yield* Effect.either(admission.admit(token, request.headers["x-clockme-workspace"]))
          if (Either.isLeft(result)) keyRefusals.set(request, result.left)
          // A session's request fails here without a trace, so that the session scheme alone answers it.
          if (!bySession(request)) {
            yield* withHeaders(Either.match(result, {
              onRight: admittedHeaders,
              onLeft: (error) => refusalHeaders(error, request.headers.authorization !== undefined)
            }))
          }
          return yield* result
        }).pipe(Effect.map(({ actor }) => actor)),
      session: (cookie) =>
        Effect.gen(function*() {
          const request = yield* HttpServerRequest.HttpServerRequest
          if (!bySession(request)) return yield* Effect.fail(keyRefusals.get(request)!)
          const result = yield* Effect.either(admission.admitSession(Redacted.value(cookie), request.headers["x-clockme-workspace"]))
          if (Either.isLeft(result)) {
            yield* withHeaders(refusalHeaders(result.left, false))
            return yield* Effect.fail(result.left)
          }
          yield* withHeaders(admittedHeaders(result.right))
          const refusal = csrfRefusal(request, result.right.session.csrfToken)
          if (refusal !== undefined) return yield* refusal
          return result.right.actor
        })
    }))
)
