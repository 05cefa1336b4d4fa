import * as NodeContext from "@effect/platform-node/NodeContext"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { Config, Console, Effect, Layer } from "effect"
import { DatabaseLive } from "./Database.js"
import { ServerLive } from "./Server.js"

/** A failure is one line on stderr and exit code 1. */
export const reported = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  effect.pipe(
    Effect.catchAll((error) =>
      Console.error(`clockme-server: ${error instanceof Error ? error.message : String(error)}`).pipe(
        Effect.zipRight(Effect.sync(() => void (process.exitCode = 1)))
      )
    )
  )

export const serve = Effect.gen(function*() {
  const port = yield* Config.port("PORT").pipe(Config.withDefault(8787))
  const host = yield* Config.string("HOST").pipe(Config.withDefault("127.0.0.1"))
  return yield* Layer.launch(ServerLive({ port, host, bootstrap: true }, DatabaseLive))
})

export const runServe = () =>
  reported(serve).pipe(
    Effect.provide(NodeContext.layer),
    NodeRuntime.runMain({ disableErrorReporting: false })
  )
