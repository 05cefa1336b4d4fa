import { Authentication } from "@clockme/domain/contract/api/Authentication"
import { Admission, admittedHeaders, refusalHeaders } from "@clockme/domain/services/Admission"
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
          yield* withHeaders(Either.match(result, {
            onRight: admittedHeaders,
            onLeft: (error) => refusalHeaders(error, request.headers.authorization !== undefined)
          }))
          return yield* result
        }).pipe(Effect.map(({ actor }) => actor))
    }))
)
