import { Api } from "@clockme/domain/contract/api/Api"
import { HttpApiBuilder, HttpServerResponse, OpenApi } from "@effect/platform"
import { Effect, Scope } from "effect"

/**
 * GET /api/openapi and /api/docs, each built on its first request and then kept: a start (and every
 * API call) needs neither the OpenAPI document nor the docs page, whose module is imported only then.
 */
export const DocsLive = HttpApiBuilder.Router.use((router) =>
  Effect.gen(function*() {
    const scope = yield* Effect.scope
    const document = yield* Effect.cached(Effect.suspend(() => HttpServerResponse.json(OpenApi.fromApi(Api))).pipe(Effect.orDie))
    yield* router.get("/api/openapi", document)
    const page = yield* Effect.cached(
      Effect.promise(() => import("./DocsPage.js")).pipe(
        Effect.flatMap(({ docsApp }) => Scope.extend(docsApp, scope))
      )
    )
    yield* router.get("/api/docs", Effect.flatten(page))
  })
)
