import type { ConnectionId, DeliveryId } from "@clockme/domain/contract/Integration"
import {
  type ConnectionOf,
  DeliveryFailed,
  type DeliveryRejected,
  type InboundReply,
  type OutboundContext,
  type Plugin,
  Plugins,
  type Receipt
} from "@clockme/domain/contract/ports/Integration"
import { InboundContexts } from "@clockme/domain/InboundContexts"
import type { ClaimedWork, StoredRequest } from "@clockme/domain/repos/DeliveriesRepo"
import { ConnectionsRepo } from "@clockme/domain/repos/ConnectionsRepo"
import { DeliveriesRepo } from "@clockme/domain/repos/DeliveriesRepo"
import { ExternalIdsRepo } from "@clockme/domain/repos/ExternalIdsRepo"
import { ProjectsRepo } from "@clockme/domain/repos/ProjectsRepo"
import { Connections } from "@clockme/domain/services/Connections"
import { Cause, Chunk, Clock, Config, DateTime, Duration, Effect, Option, Schedule } from "effect"

/** Backoff between attempts of one delivery: 5 s, 15 s, 45 s, … capped at 2 hours, each jittered. */
export const RetrySchedule = Schedule.exponential("5 seconds", 3).pipe(
  Schedule.modifyDelay((delay) => Duration.min(delay, Duration.hours(2))),
  Schedule.jittered
)

/** The wait before attempt `attempt + 1`, after `attempt` failures. */
export const retryDelay = (attempt: number) =>
  Effect.map(
    Schedule.run(Schedule.delays(RetrySchedule), 0, Array.from({ length: Math.max(1, attempt) }, () => undefined)),
    (delays) => Option.getOrElse(Chunk.last(delays), () => Duration.hours(2))
  )

/** An event failing for this long is dead; a connection failing for `DisableAfter` is disabled. */
export const GiveUpAfter = Duration.hours(24)
export const DisableAfter = Duration.days(5)

const settings = Config.all({
  leaseSeconds: Config.integer("CLOCKME_DELIVERY_LEASE_SECONDS").pipe(Config.withDefault(60)),
  intervalMillis: Config.integer("CLOCKME_DELIVERY_INTERVAL_MS").pipe(Config.withDefault(1000)),
  handlerTimeoutSeconds: Config.integer("CLOCKME_DELIVERY_TIMEOUT_SECONDS").pipe(Config.withDefault(30)),
  retentionDays: Config.integer("CLOCKME_INBOUND_RETENTION_DAYS").pipe(
    Config.withDefault(7),
    Config.validate({ message: "must be at least 7 (days inbound delivery ids are remembered)", validation: (n) => n >= 7 })
  )
})

const BATCH = 20
const FAN_OUT = 500

interface Claimed {
  readonly id: DeliveryId
  readonly connectionId: ConnectionId
  readonly attempts: number
  readonly firstAttemptAt: DateTime.Utc
  readonly leaseToken: string
  readonly work: ClaimedWork
}

/** What a handler's answer leaves in the attempt log: its status and the start of its body. */
const receiptOf = (reply: InboundReply): Receipt => ({
  status: reply.status,
  response: reply.body === undefined ? undefined : JSON.stringify(reply.body).slice(0, 2000)
})

const requestOf = (stored: StoredRequest) => ({
  method: stored.method,
  headers: stored.headers,
  rawBody: new Uint8Array(Buffer.from(stored.body, "base64"))
})

interface Timeout {
  readonly _tag: "Timeout"
  readonly message: string
}

/** Failures the queue retries or gives up on; any other is a refusal that ends the delivery as skipped. */
const isQueueFailure = (error: { readonly _tag: string }): error is DeliveryFailed | DeliveryRejected | Timeout =>
  error._tag === "DeliveryFailed" || error._tag === "DeliveryRejected" || error._tag === "Timeout"

const describe = (cause: Cause.Cause<unknown>) =>
  Cause.isInterruptedOnly(cause) ? "interrupted" : Cause.pretty(cause).split("\n")[0]!.slice(0, 500)

/**
 * Hands every stream event to each enabled plugin connection of its workspace, at least once and in order
 * per connection. Any number of servers may run it on one database: fan-out and claims lock with
 * SKIP LOCKED, and a claimed delivery is leased, so a server that dies mid-delivery leaves it to be
 * claimed again when the lease runs out.
 */
export class Delivery extends Effect.Service<Delivery>()("@clockme/integrations/Delivery", {
  effect: Effect.gen(function*() {
    const repo = yield* DeliveriesRepo
    const rows = yield* ConnectionsRepo
    const connections = yield* Connections
    const plugins = yield* Plugins
    const contexts = yield* InboundContexts
    const externalIds = yield* ExternalIdsRepo
    const projects = yield* ProjectsRepo
    const config = yield* settings

    const active = Effect.map(plugins.all, (all) => all.filter((p) => p.outbound !== undefined || (p.inbound ?? []).length > 0))

    const outboundContext = (connection: ConnectionOf<unknown, unknown>): OutboundContext => ({
      externalIds: {
        find: (entryId) => externalIds.find(connection.id, entryId),
        save: (entryId, externalId) =>
          Effect.flatMap(DateTime.now, (now) => externalIds.save(connection.id, entryId, externalId, DateTime.toDate(now))),
        remove: (entryId) => externalIds.remove(connection.id, entryId)
      },
      projectName: (projectId) =>
        Effect.map(projects.findById(connection.workspaceId, projectId), (found) => Option.getOrUndefined(found)?.name)
    })

    /** An outbound event to its handler, or a stored inbound request to its route's handler, each with a context. */
    const handle = (plugin: Plugin, claimed: Claimed, connection: ConnectionOf<unknown, unknown>) => {
      const work = claimed.work
      if (work._tag === "Event") {
        return plugin.outbound === undefined
          ? Effect.succeed<Receipt>({ response: "The plugin no longer consumes events" })
          : plugin.outbound.handle(work.event, connection, outboundContext(connection))
      }
      const route = (plugin.inbound ?? []).find((r) => r.route === work.route)
      if (route === undefined) {
        return Effect.fail(new DeliveryFailed({ message: `${plugin.title} has no inbound route "${work.route}" any more` }))
      }
      const context = contexts.make(plugin, connection, claimed.id)
      return Effect.map(route.handle(requestOf(work.request), connection, context), receiptOf)
    }

    const attempt = Effect.fn("Delivery.attempt")(function*(plugin: Plugin, claimed: Claimed) {
      const row = yield* rows.findConnectionById(claimed.connectionId)
      const startedAt = yield* Clock.currentTimeMillis
      const exit = Option.isNone(row)
        ? undefined
        : yield* connections.resolve(plugin, row.value).pipe(
          Effect.flatMap((connection) => handle(plugin, claimed, connection)),
          Effect.timeoutFail({
            duration: Duration.seconds(config.handlerTimeoutSeconds),
            onTimeout: () => ({ _tag: "Timeout" as const, message: `No answer within ${config.handlerTimeoutSeconds} s` })
          }),
          Effect.exit
        )
      const endedAt = yield* Clock.currentTimeMillis
      if (exit === undefined) return
      const now = new Date(endedAt)
      const base = {
        deliveryId: claimed.id,
        attempt: claimed.attempts,
        startedAt: new Date(startedAt),
        durationMs: endedAt - startedAt
      }
      const settle = (
        state: "pending" | "delivered" | "dead" | "skipped",
        nextAttemptAt: Date | null,
        status: number | null,
        error: string | null
      ) =>
        (outcome: "success" | "failure" | "rejected" | "skipped", response: string | null) =>
          repo.settle(
            { id: claimed.id, leaseToken: claimed.leaseToken, state, nextAttemptAt, status, error, now },
            { ...base, status, outcome, error, response }
          )

      if (exit._tag === "Success") {
        const receipt = exit.value
        const recorded = yield* settle("delivered", null, receipt.status ?? null, null)("success", receipt.response ?? null)
        if (recorded) yield* rows.markHealthy(claimed.connectionId)
        return
      }
      const anyFailure = Cause.failureOption(exit.cause)
      if (Option.isSome(anyFailure) && !isQueueFailure(anyFailure.value)) {
        // an inbound delivery the domain refused (an unmapped user, a hard cap): final, and nothing changed
        yield* settle("skipped", null, null, anyFailure.value.message)("skipped", null)
        return
      }
      const failure = Option.filter(anyFailure, isQueueFailure)
      if (Option.isSome(failure) && failure.value._tag === "DeliveryRejected") {
        const rejected = failure.value
        const recorded = yield* settle("dead", null, rejected.status ?? null, rejected.message)(
          "rejected",
          rejected.response ?? null
        )
        if (!recorded) return
        if (rejected.action === "remove") yield* connections.removeRefused(claimed.connectionId)
        else yield* rows.disableConnection(claimed.connectionId, rejected.message, now)
        yield* Effect.logWarning(`${plugin.id} connection ${claimed.connectionId} ${rejected.action}d: ${rejected.message}`)
        return
      }
      const failed = Option.isSome(failure) ? failure.value : undefined
      const message = failed === undefined ? describe(exit.cause) : failed.message
      const status = failed !== undefined && "status" in failed ? failed.status ?? null : null
      const response = failed !== undefined && "response" in failed ? failed.response ?? null : null
      const failingFor = endedAt - DateTime.toEpochMillis(claimed.firstAttemptAt)
      const dead = failingFor >= Duration.toMillis(GiveUpAfter)
      const backoff = yield* retryDelay(claimed.attempts)
      const retryAfter = failed !== undefined && "retryAfter" in failed ? failed.retryAfter : undefined
      const wait = retryAfter === undefined ? backoff : Duration.max(backoff, retryAfter)
      const recorded = yield* settle(
        dead ? "dead" : "pending",
        dead ? null : new Date(endedAt + Duration.toMillis(wait)),
        status,
        message
      )("failure", response)
      if (recorded) {
        yield* rows.markFailing(
          claimed.connectionId,
          now,
          new Date(endedAt - Duration.toMillis(DisableAfter)),
          `Deliveries have failed for ${Duration.format(DisableAfter)}; last error: ${message}`
        )
      }
    })

    /** One round: fan new events out, then attempt every delivery that is due. Returns how many were attempted. */
    const runOnce = Effect.gen(function*() {
      const outbound = yield* active
      const ids = outbound.map((p) => p.id)
      const consumers = outbound.filter((p) => p.outbound !== undefined).map((p) => p.id)
      for (;;) {
        const now = DateTime.toDate(yield* DateTime.now)
        const fanned = yield* repo.fanOut(consumers, FAN_OUT, now)
        if (fanned < FAN_OUT) break
      }
      let attempted = 0
      // Each claim takes one delivery per connection (its oldest), so a connection's queue drains in rounds.
      for (let round = 0; round < 50; round++) {
        const now = yield* Clock.currentTimeMillis
        const claimed = yield* repo.claim({
          integrations: ids,
          limit: BATCH,
          now: new Date(now),
          leaseUntil: new Date(now + config.leaseSeconds * 1000)
        })
        if (claimed.length === 0) break
        attempted += claimed.length
        yield* Effect.forEach(claimed, (c) =>
          Effect.gen(function*() {
            const row = yield* rows.findConnectionById(c.connectionId)
            const plugin = Option.isNone(row) ? undefined : outbound.find((p) => p.id === row.value.integration)
            if (plugin !== undefined) yield* attempt(plugin, c)
          }), { concurrency: 10, discard: true })
      }
      return attempted
    }).pipe(Effect.withSpan("Delivery.runOnce"))

    /** Runs rounds for as long as the server runs: at once again after a full batch, otherwise every interval. */
    const run = runOnce.pipe(
      Effect.catchAllCause((cause) =>
        Cause.isInterruptedOnly(cause) ? Effect.failCause(cause) : Effect.as(Effect.logError("Delivery round failed", cause), 0)
      ),
      Effect.flatMap((attempted) => attempted >= BATCH ? Effect.void : Effect.sleep(Duration.millis(config.intervalMillis))),
      Effect.forever
    )

    /** Forgets finished inbound deliveries and done side effects older than the retention (7 days by default). */
    const prune = Effect.gen(function*() {
      const now = yield* DateTime.now
      yield* repo.pruneInbound(DateTime.toDate(DateTime.subtract(now, { days: config.retentionDays })))
    }).pipe(Effect.withSpan("Delivery.prune"))

    return { runOnce, run, prune } as const
  }),
  dependencies: [DeliveriesRepo.Default, ConnectionsRepo.Default, ExternalIdsRepo.Default, ProjectsRepo.Default, InboundContexts.Default]
}) {}
