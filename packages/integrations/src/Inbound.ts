import type { ConnectionId } from "@clockme/domain/contract/Integration"
import type { InboundReply, InboundRequest } from "@clockme/domain/contract/ports/Integration"
import { DeliveriesRepo } from "@clockme/domain/repos/DeliveriesRepo"
import { Connections } from "@clockme/domain/services/Connections"
import { RateLimiter } from "@clockme/domain/services/RateLimiter"
import { createHash, randomUUID } from "node:crypto"
import { Config, Data, DateTime, Effect } from "effect"

/** Too many requests from one address to one connection's inbound routes this minute. */
export class InboundThrottled extends Data.TaggedError("InboundThrottled")<{
  readonly message: string
  readonly limit: number
  readonly retryAfterSeconds: number
}> {}

/** The connection's plugin serves no such route. */
export class InboundRouteNotFound extends Data.TaggedError("InboundRouteNotFound")<{ readonly message: string }> {}

/** A provider's delivery id as the event id of its stored delivery: a redelivery maps to the same row. */
const eventIdOf = (route: string, deliveryId: string) => {
  const hex = createHash("sha256").update(`${route}\u0000${deliveryId}`).digest("hex")
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`
}

/** Headers kept with a stored request: all but credentials a proxy might add. */
const storedHeaders = (headers: InboundRequest["headers"]) => {
  const kept: Record<string, string> = {}
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && name !== "authorization" && name !== "cookie") kept[name] = value
  }
  return kept
}

const settings = Config.integer("CLOCKME_INBOUND_RATE_LIMIT").pipe(
  Config.withDefault(120),
  Config.validate({ message: "must be at least 1 (requests a minute per connection and address)", validation: (n) => n >= 1 })
)

/**
 * Receives a plugin's inbound request: counts it against the limit per connection and address (in this
 * process, before any database work), checks the connection and the plugin's signature, stores the delivery
 * for the delivery fiber to process, and says what to answer. Nothing is processed while the provider waits.
 */
export class Inbound extends Effect.Service<Inbound>()("@clockme/integrations/Inbound", {
  effect: Effect.gen(function*() {
    const connections = yield* Connections
    const deliveries = yield* DeliveriesRepo
    const limiter = yield* Effect.provide(RateLimiter, RateLimiter.memory)
    const limit = yield* settings

    const receive = Effect.fn("Inbound.receive")(function*(
      target: { readonly integration: string; readonly connectionId: ConnectionId; readonly route: string },
      address: string,
      request: InboundRequest
    ) {
      const quota = yield* limiter.hit(`${target.connectionId} ${address}`, limit)
      if (quota.remaining < 0) {
        return yield* new InboundThrottled({
          limit,
          retryAfterSeconds: quota.resetSeconds,
          message: `More than ${limit} requests a minute from ${address} to this connection; retry in ${quota.resetSeconds} s`
        })
      }
      const found = yield* connections.resolveById(target.integration, target.connectionId)
      const route = (found.plugin.inbound ?? []).find((r) => r.route === target.route)
      if (route === undefined) {
        return yield* new InboundRouteNotFound({ message: `${found.plugin.title} has no inbound route "${target.route}"` })
      }
      yield* route.verify(request, found.connection)
      // accepted while the connection holds the provider's verification token: signed with it, so verified
      if (!found.inboundVerified && found.plugin.verificationToken?.(found.connection.secrets) !== undefined) {
        yield* connections.markInboundVerified(found.connection.id)
      }
      const providerId = route.deliveryId?.(request)
      const stored = yield* deliveries.storeInbound({
        connectionId: found.connection.id,
        workspaceId: found.connection.workspaceId,
        eventId: providerId === undefined || providerId === "" ? randomUUID() : eventIdOf(route.route, providerId),
        route: route.route,
        request: {
          method: request.method,
          headers: storedHeaders(request.headers),
          body: Buffer.from(request.rawBody).toString("base64")
        },
        now: DateTime.toDate(yield* DateTime.now)
      })
      const accepted = route.accepted?.(request)
      if (!stored.duplicate) return accepted ?? { status: 202, body: { deliveryId: stored.id } }
      // a redelivery gets what the provider expects (Slack shows the body), saying it was a duplicate
      const reply: InboundReply = {
        status: 200,
        body: { ...(typeof accepted?.body === "object" ? accepted.body : {}), deliveryId: stored.id, duplicate: true }
      }
      return reply
    })

    return { receive } as const
  }),
  dependencies: [DeliveriesRepo.Default]
}) {}
