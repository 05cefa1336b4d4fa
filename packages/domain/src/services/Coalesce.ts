import { Deferred, Effect, FiberId } from "effect"

interface Batch<I, A, E> {
  input: I
  readonly done: Deferred.Deferred<A, E>
}

/**
 * Runs `run` once at a time per key. Calls of a key that arrive while its run is in flight are merged into one
 * pending input (`merge`), run as soon as the current run ends, and every one of them gets that run's outcome,
 * failure included. A lone call runs in its caller's fiber; a merged batch in a fiber of its own, so an
 * interrupted caller neither loses the others' answer nor withdraws its own input.
 * `run` must not read the caller's context (the batch runs with the context of whichever caller started it).
 */
export const coalesce = <I, A, E, R>(options: {
  readonly key: (input: I) => string
  readonly merge: (pending: I, input: I) => I
  readonly run: (input: I) => Effect.Effect<A, E, R>
}) => {
  // a key is present while a run of it is in flight; its value is the batch waiting for that run to end
  const inFlight = new Map<string, Batch<I, A, E> | undefined>()

  const runPending = (key: string): Effect.Effect<void, never, R> =>
    Effect.suspend(() => {
      const batch = inFlight.get(key)
      if (batch === undefined) {
        inFlight.delete(key)
        return Effect.void
      }
      inFlight.set(key, undefined)
      return options.run(batch.input).pipe(
        Effect.exit,
        Effect.flatMap((exit) => Deferred.done(batch.done, exit)),
        Effect.zipRight(runPending(key))
      )
    })

  const afterRun = (key: string) =>
    Effect.suspend(() => {
      if (inFlight.get(key) === undefined) {
        inFlight.delete(key)
        return Effect.void
      }
      return Effect.asVoid(Effect.forkDaemon(runPending(key)))
    })

  // uninterruptible until the run's exit handler is in place, or an interruption would leave the key in flight
  return (input: I): Effect.Effect<A, E, R> =>
    Effect.uninterruptibleMask((restore) =>
      Effect.suspend(() => {
        const key = options.key(input)
        if (!inFlight.has(key)) {
          inFlight.set(key, undefined)
          return Effect.onExit(restore(options.run(input)), () => afterRun(key))
        }
        const pending = inFlight.get(key)
        if (pending !== undefined) {
          pending.input = options.merge(pending.input, input)
          return restore(Deferred.await(pending.done))
        }
        const batch: Batch<I, A, E> = { input, done: Deferred.unsafeMake<A, E>(FiberId.none) }
        inFlight.set(key, batch)
        return restore(Deferred.await(batch.done))
      })
    )
}
