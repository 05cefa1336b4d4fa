import { HttpApiBuilder } from "@effect/platform"
import { Effect, Scope } from "effect"

/** GET /api/docs, its module imported and its page built on the first visit, then kept. */
export const DocsLive = HttpApiBuilder.Router.use((router) =>
  Effect.gen(function*() {
    const scope = yield* Effect.scope
    const app = yield* Effect.cached(
      Effect.promise(() => import("./DocsPage.js")).pipe(
        Effect.flatMap(({ docsApp }) => Scope.extend(docsApp, scope))
      )
    )
    yield* router.get("/api/docs", Effect.flatten(app))
  })
)
