import { IdleWatchdog } from "@clockme/domain/services/IdleWatchdog"
import { Config, Duration, Effect, Layer } from "effect"

const Interval = Config.integer("CLOCKME_WATCHDOG_INTERVAL_SECONDS").pipe(
  Config.withDefault(60),
  Config.validate({ message: "must be between 1 and 3600 seconds", validation: (n) => n >= 1 && n <= 3600 })
)

/** How long a freshly started server stops nothing as idle (capped by each workspace's idle timeout). */
const StartupGrace = Config.integer("CLOCKME_WATCHDOG_STARTUP_GRACE_SECONDS").pipe(
  Config.withDefault(120),
  Config.validate({ message: "must be between 0 and 3600 seconds", validation: (n) => n >= 0 && n <= 3600 })
)

/** The idle watchdog as a background fiber of the server, for as long as the server runs. */
export const WatchdogLive = Layer.scopedDiscard(
  Effect.gen(function*() {
    const watchdog = yield* IdleWatchdog
    const seconds = yield* Interval
    const grace = yield* StartupGrace
    yield* Effect.forkScoped(watchdog.run(Duration.seconds(seconds), Duration.seconds(grace)))
  })
)
