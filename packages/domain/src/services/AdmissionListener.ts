import { Clock, Deferred, Effect, Exit, Layer, Option, Redacted } from "effect"
import pg from "pg"
import { ADMISSION_CACHE_MILLIS, ADMISSION_CHANNEL, AdmissionCache, sharedPostgres } from "./AdmissionCache.js"

/** Names the listening connection in pg_stat_activity, with the process it belongs to. */
export const listenerApplicationName = (pid: number) => `clockme admission listener ${pid}`

const RECONNECT_EVERY = "1 second"
/**
 * A connection that goes silent (a firewall or NAT dropping an idle one) ends with no error: the listener asks
 * it something this often, and takes one that does not answer within CHECK_WITHIN as dropped.
 */
const CHECK_EVERY = "15 seconds"
const CHECK_WITHIN = "5 seconds"

const asError = (cause: unknown) => cause instanceof Error ? cause : new Error(String(cause))

/**
 * On a shared PostgreSQL, LISTENs on ADMISSION_CHANNEL over one connection of its own and empties this node's
 * admission cache when another node announces a committed change (AdmissionCache.invalidating). The generation
 * the cache keeps makes a row being read while the notice arrives not stored. When the connection drops, the
 * node works on with ADMISSION_CACHE_MILLIS as its bound, reconnects every second and empties its cache once
 * listening again (a notice sent meanwhile is lost); it logs the loss and the return once each. Not opened on
 * the embedded database. Give it the node's AdmissionCache (the one ApiKeys reads through).
 *
 * Its own node-postgres client rather than PgClient.listen, whose connection's errors are swallowed and whose
 * stream never ends: a dropped connection would go unnoticed and never be made again.
 */
export const AdmissionListenerLive = Layer.scopedDiscard(Effect.gen(function*() {
  const server = yield* sharedPostgres
  if (Option.isNone(server)) return
  const { config } = server.value
  const cache = yield* AdmissionCache
  const options: pg.ClientConfig = {
    connectionString: Redacted.value(config.url!),
    ...(config.ssl === undefined ? {} : { ssl: config.ssl }),
    connectionTimeoutMillis: 5_000,
    keepAlive: true,
    application_name: listenerApplicationName(process.pid)
  }

  /** Listens until the connection ends, calling `up` once LISTEN is in place; fails with why it ended. */
  const session = (up: Effect.Effect<void>) =>
    Effect.scoped(Effect.gen(function*() {
      const ended = yield* Deferred.make<never, Error>()
      const end = (error: Error) => Deferred.unsafeDone(ended, Exit.fail(error))
      const client = yield* Effect.acquireRelease(
        Effect.tryPromise({
          try: async () => {
            const client = new pg.Client(options)
            client.on("error", end)
            client.on("end", () => end(new Error("the connection ended")))
            client.on("notification", (notice) => {
              if (notice.payload !== cache.node) Effect.runSync(cache.invalidate)
            })
            await client.connect()
            return client
          },
          catch: asError
        }),
        (client) => Effect.promise(() => client.end().catch(() => undefined)).pipe(Effect.timeoutOption("1 second"))
      )
      const query = (text: string) => Effect.tryPromise({ try: () => client.query(text), catch: asError })
      yield* query(`LISTEN ${ADMISSION_CHANNEL}`)
      // a notice sent before LISTEN took effect was not heard: what was cached before it is read again
      yield* cache.invalidate
      yield* up
      const check = query("SELECT 1").pipe(
        Effect.timeoutFail({ duration: CHECK_WITHIN, onTimeout: () => new Error(`no answer to a check within ${CHECK_WITHIN}`) }),
        Effect.delay(CHECK_EVERY),
        Effect.forever
      )
      return yield* Effect.raceFirst(Deferred.await(ended), check)
    }))

  const started = yield* Deferred.make<void>()
  let lost = false
  const listening = Effect.gen(function*() {
    if (lost) {
      lost = false
      yield* Effect.logInfo("Admission listener: listening again; changes made on other servers are seen at once")
    }
    yield* Deferred.succeed(started, undefined)
  })
  const dropped = (error: Error) =>
    Effect.gen(function*() {
      yield* Deferred.succeed(started, undefined)
      if (lost) return
      lost = true
      yield* Effect.logWarning(
        `Admission listener: not listening (${error.message}); until it reconnects, changes made on other servers ` +
          `are seen within ${ADMISSION_CACHE_MILLIS / 1000} s`
      )
    })
  yield* session(listening).pipe(
    Effect.catchAll(dropped),
    Effect.zipRight(Effect.sleep(RECONNECT_EVERY)),
    Effect.forever,
    // real time even under a TestClock: its adjustments are not to run checks and reconnections by the thousand
    Effect.withClock(Clock.make()),
    Effect.forkScoped
  )
  // serve once the first attempt is done, so a started server already hears what others announce
  yield* Deferred.await(started)
}))
