import { Authentication } from "@clockme/domain/contract/api/Authentication"
import { quotaHeaders } from "@clockme/domain/contract/RateLimit"
import { Admission } from "@clockme/domain/services/Admission"
import { HttpApp, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { Effect, Either, Layer } from "effect"

const withHeaders = (headers: Record<string, string>) =>
  HttpApp.appendPreResponseHandler((_request, response) => Effect.succeed(HttpServerResponse.setHeaders(response, headers)))

export const AuthenticationLive = Layer.effect(
  Authentication,
  Effect.map(Admission, (admission) =>
    Authentication.of({
      bearer: (token) =>
        Effect.gen(function*() {
          const request = yield* HttpServerRequest.HttpServerRequest
          const result = yield* Effect.either(admission.admit(token, request.headers["x-clockme-workspace"]))
          if (Either.isRight(result)) {
            yield* withHeaders(quotaHeaders(result.right.quota))
            return result.right.actor
          }
          const error = result.left
          if (error._tag === "RateLimited") {
            yield* withHeaders(quotaHeaders(
              { limit: error.limit, remaining: 0, resetSeconds: error.retryAfterSeconds },
              error.retryAfterSeconds
            ))
          }
          return yield* error
        })
    }))
)
