import { Authentication } from "@clockme/domain/api/Authentication"
import { ApiKeys } from "@clockme/domain/services/ApiKeys"
import { Effect, Layer } from "effect"

export const AuthenticationLive = Layer.effect(
  Authentication,
  Effect.map(ApiKeys, (keys) => Authentication.of({ bearer: (token) => keys.authenticate(token) }))
)
