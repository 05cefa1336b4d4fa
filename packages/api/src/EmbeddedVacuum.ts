import { vacuumPass } from "@clockme/domain/sql/Vacuum"
import { Config, Duration, Effect, Layer, Schedule } from "effect"

/** Minutes between two looks at what changed in the embedded database; 0 turns the vacuum off. */
export const VacuumMinutes = Config.integer("CLOCKME_EMBEDDED_VACUUM_MINUTES").pipe(
  Config.withDefault(10),
  Config.validate({ message: "CLOCKME_EMBEDDED_VACUUM_MINUTES must be between 0 and 1440 minutes", validation: (n) => n >= 0 && n <= 1440 })
)

/** The first look waits this long after the start, so that start-up and the first requests come first. */
export const FirstVacuumDelay = Duration.minutes(1)

/**
 * PGlite runs no autovacuum: without it, index-only scans (the reports') read the table's pages again, and
 * dead rows are never reclaimed. A background fiber of the embedded database's layer does what autovacuum
 * would, a minute after the start and then every CLOCKME_EMBEDDED_VACUUM_MINUTES; a failed pass is logged and
 * the next one tried.
 */
export const EmbeddedVacuumLive = Layer.scopedDiscard(
  Effect.gen(function*() {
    const minutes = yield* VacuumMinutes
    if (minutes === 0) return
    const pass = vacuumPass.pipe(
      Effect.catchAllCause((cause) => Effect.logWarning("Embedded database: vacuum failed", cause))
    )
    yield* Effect.forkScoped(
      Effect.sleep(FirstVacuumDelay).pipe(
        Effect.zipRight(Effect.repeat(pass, Schedule.spaced(Duration.minutes(minutes))))
      )
    )
  })
)
