import { Authentication } from "@clockme/domain/api/Authentication"
import type { Quota } from "@clockme/domain/RateLimit"
import { Admission } from "@clockme/domain/services/Admission"
import { HttpApp, HttpServerResponse } from "@effect/platform"
import { Effect, Either, Layer } from "effect"

const quotaHeaders = (quota: Quota, retryAfter?: number) => {
  const remaining = String(Math.max(0, quota.remaining))
  return {
    "ratelimit-limit": String(quota.limit),
    "ratelimit-remaining": remaining,
    "ratelimit-reset": String(quota.resetSeconds),
    "x-ratelimit-limit": String(quota.limit),
    "x-ratelimit-remaining": remaining,
    "x-ratelimit-reset": String(quota.resetSeconds),
    ...(retryAfter === undefined ? {} : { "retry-after": String(retryAfter) })
  }
}

const withHeaders = (headers: Record<string, string>) =>
  HttpApp.appendPreResponseHandler((_request, response) => Effect.succeed(HttpServerResponse.setHeaders(response, headers)))

export const AuthenticationLive = Layer.effect(
  Authentication,
  Effect.map(Admission, (admission) =>
    Authentication.of({
      bearer: (token) =>
        Effect.gen(function*() {
          const result = yield* Effect.either(admission.admit(token))
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
