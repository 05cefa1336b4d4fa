import { Deferred, Effect, Exit, FiberId } from "effect"

interface Pending<I, A, E> {
  input: I
  readonly key: string
  readonly slot: string
  readonly done: Deferred.Deferred<A, E>
}

export interface BatchOptions<I, A, E, R> {
  /** Calls with equal keys that wait together are merged into one input (`merge`) and share its answer. */
  readonly key: (input: I) => string
  /** At most one input per slot is in flight at a time, and a batch holds at most one input per slot. */
  readonly slot: (input: I) => string
  readonly merge: (pending: I, input: I) => I
  /** Runs a batch; answers one value per input, in the inputs' order. */
  readonly run: (inputs: ReadonlyArray<I>) => Effect.Effect<ReadonlyArray<A>, E, R>
  /** Batches in flight at once. */
  readonly concurrency: number
  readonly maxSize: number
}

/**
 * Runs calls in batches, as the database allows: a call runs at once, alone and in its caller's fiber, when
 * nothing is in flight and its slot is free. Otherwise it waits, merged with a waiting call of the same key if
 * there is one, and every waiting call whose slot is free is run in one batch (in a fiber of its own) when the
 * event loop has turned once with room for another batch (so the requests that arrive in that turn go too), or
 * as soon as a batch ends. So an idle server adds no wait, and a busy one sends one statement for many callers.
 * Every caller gets the answer of the batch it joined; a batch of several that fails is run again one input
 * at a time, so each gets the outcome it would have had alone. An interrupted caller neither withdraws its
 * input nor loses the others their answer.
 * `run` must not read the caller's context (a batch runs with the context of whichever caller started it).
 */
export const batched = <I, A, E, R>(options: BatchOptions<I, A, E, R>) => {
  let running = 0
  const busy = new Set<string>()
  const waiting: Array<Pending<I, A, E>> = []
  const byKey = new Map<string, Pending<I, A, E>>()

  /** Takes the waiting calls whose slots are free, up to maxSize, one per slot, and marks their slots busy. */
  const take = (): Array<Pending<I, A, E>> => {
    const batch: Array<Pending<I, A, E>> = []
    for (let i = 0; i < waiting.length && batch.length < options.maxSize;) {
      const pending = waiting[i]!
      if (busy.has(pending.slot)) {
        i++
        continue
      }
      busy.add(pending.slot)
      byKey.delete(pending.key)
      waiting.splice(i, 1)
      batch.push(pending)
    }
    return batch
  }

  const release = (slots: ReadonlyArray<string>) => {
    for (const slot of slots) busy.delete(slot)
    running--
  }

  const runAlone = (pending: Pending<I, A, E>) =>
    options.run([pending.input]).pipe(
      Effect.exit,
      Effect.flatMap((exit) => Deferred.done(pending.done, Exit.map(exit, (answers) => answers[0]!)))
    )

  // a batch that failed (a deadlock, say) is run again one call at a time: batching never changes an outcome
  const runBatch = (batch: ReadonlyArray<Pending<I, A, E>>): Effect.Effect<void, never, R> =>
    options.run(batch.map((pending) => pending.input)).pipe(
      Effect.exit,
      Effect.flatMap((exit) =>
        Exit.isFailure(exit) && batch.length > 1 && !Exit.isInterrupted(exit)
          ? Effect.forEach(batch, runAlone, { discard: true })
          : Effect.forEach(batch, (pending, index) =>
            Deferred.done(pending.done, Exit.map(exit, (answers) => answers[index]!)), { discard: true })
      ),
      Effect.ensuring(Effect.suspend(() => {
        release(batch.map((pending) => pending.slot))
        return schedule
      }))
    )

  const schedule: Effect.Effect<void, never, R> = Effect.suspend(() => {
    const batches: Array<ReadonlyArray<Pending<I, A, E>>> = []
    while (running < options.concurrency) {
      const batch = take()
      if (batch.length === 0) break
      running++
      batches.push(batch)
    }
    return Effect.forEach(batches, (batch) => Effect.forkDaemon(runBatch(batch)), { discard: true })
  })

  // a call that finds a run in flight and room for another waits one turn of the event loop, with the requests
  // that arrive in it, before a run takes them all: under load few calls run alone
  let gathering = false
  const nextTurn = Effect.async<void>((resume) => {
    const handle = setImmediate(() => resume(Effect.void))
    return Effect.sync(() => clearImmediate(handle))
  })
  const gather = Effect.forkDaemon(Effect.zipRight(nextTurn, Effect.suspend(() => {
    gathering = false
    return schedule
  })))

  // uninterruptible until the run's exit handler is in place, or an interruption would leave its slot busy
  return (input: I): Effect.Effect<A, E, R> =>
    Effect.uninterruptibleMask((restore) =>
      Effect.suspend(() => {
        const key = options.key(input)
        const joined = byKey.get(key)
        if (joined !== undefined) {
          joined.input = options.merge(joined.input, input)
          return restore(Deferred.await(joined.done))
        }
        const slot = options.slot(input)
        if (running === 0 && !busy.has(slot)) {
          running++
          busy.add(slot)
          return Effect.onExit(
            restore(Effect.map(options.run([input]), (answers) => answers[0]!)),
            () => Effect.suspend(() => {
              release([slot])
              return schedule
            })
          )
        }
        const pending: Pending<I, A, E> = { input, key, slot, done: Deferred.unsafeMake<A, E>(FiberId.none) }
        waiting.push(pending)
        byKey.set(key, pending)
        if (running < options.concurrency && !gathering) {
          gathering = true
          return Effect.zipRight(gather, restore(Deferred.await(pending.done)))
        }
        return restore(Deferred.await(pending.done))
      })
    )
}
