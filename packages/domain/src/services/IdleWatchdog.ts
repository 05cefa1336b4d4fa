import { Cause, DateTime, Duration, Effect, Schedule } from "effect"
import { STARTUP_GRACE_SECONDS } from "../repos/TimersRepo.js"
import { Idempotency } from "./Idempotency.js"
import { Timers } from "./Timers.js"

const BATCH = 100

/**
 * Stops hook and MCP timers idle for longer than their workspace's timeout. Each sweep is a conditional
 * DELETE … RETURNING in SQL, so any number of servers can run it against one database: every idle
 * timer is stopped exactly once, with an entry that ends at its last activity. It also reports each timer
 * that has run 12 hours (TimerRunningLong), once, by a conditional UPDATE.
 */
export class IdleWatchdog extends Effect.Service<IdleWatchdog>()("@clockme/domain/IdleWatchdog", {
  effect: Effect.gen(function*() {
    const timers = yield* Timers
    const idempotency = yield* Idempotency

    const sweepAfter = (serverStartedAt: DateTime.Utc | undefined, grace?: Duration.Duration) => Effect.gen(function*() {
      let stopped = 0
      for (;;) {
        const written = yield* timers.stopIdle(BATCH, serverStartedAt, grace)
        stopped += written.length
        if (written.length < BATCH) break
      }
      for (;;) {
        if ((yield* timers.reportLongRunning(BATCH)) < BATCH) break
      }
      yield* idempotency.prune
      return stopped
    }).pipe(Effect.withSpan("IdleWatchdog.sweep"))

    /** Stops everything idle now, in batches, and forgets day-old idempotency keys; returns the timers stopped. */
    const sweep = sweepAfter(undefined)

    /**
     * Sweeps at once (a server that was down stops stale timers at the right times), then every interval;
     * for its first min(startupGrace (2 minutes), idle timeout) it stops nothing, so clients can send what
     * they queued.
     */
    const run = (interval: Duration.DurationInput, startupGrace: Duration.DurationInput = Duration.seconds(STARTUP_GRACE_SECONDS)) =>
      Effect.flatMap(DateTime.now, (startedAt) =>
        sweepAfter(startedAt, Duration.decode(startupGrace)).pipe(
          Effect.tap((stopped) => stopped > 0 ? Effect.logInfo(`Idle watchdog stopped ${stopped} timer(s)`) : Effect.void),
          Effect.catchAllCause((cause) =>
            Cause.isInterruptedOnly(cause) ? Effect.failCause(cause) : Effect.logError("Idle watchdog sweep failed", cause)
          ),
          Effect.repeat(Schedule.spaced(interval)),
          Effect.asVoid
        ))

    return { sweep, run } as const
  }),
  dependencies: [Timers.Default, Idempotency.Default]
}) {}
