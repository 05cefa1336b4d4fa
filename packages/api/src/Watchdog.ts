import { IdleWatchdog } from "@clockme/domain/services/IdleWatchdog"
import { Config, Duration, Effect, Layer } from "effect"

const Interval = Config.integer("CLOCKME_WATCHDOG_INTERVAL_SECONDS").pipe(
  Config.withDefault(60),
  Config.validate({ message: "must be between 1 and 3600 seconds", validation: (n) => n >= 1 && n <= 3600 })
)

/** The idle watchdog as a background fiber of the server, for as long as the server runs. */
export const WatchdogLive = Layer.scopedDiscard(
  Effect.gen(function*() {
    const watchdog = yield* IdleWatchdog
    const seconds = yield* Interval
    yield* Effect.forkScoped(watchdog.run(Duration.seconds(seconds)))
  })
)
