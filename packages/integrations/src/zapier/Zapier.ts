import { CurrentActor } from "@clockme/domain/contract/Actor"
import type { DomainEvent } from "@clockme/domain/contract/Events"
import { Event, eventTypeOfWire, toEvent } from "@clockme/domain/contract/Events"
import type { ConnectionId } from "@clockme/domain/contract/Integration"
import type { ConnectionOf } from "@clockme/domain/contract/ports/Integration"
import { DeliveryFailed, DeliveryRejected, pluginLayer } from "@clockme/domain/contract/ports/Integration"
import type { SubscribeZap } from "@clockme/domain/contract/Zapier"
import { ZapierEvent, ZapSubscription } from "@clockme/domain/contract/Zapier"
import { IntegrationsRepo } from "@clockme/domain/repos/IntegrationsRepo"
import { Connections } from "@clockme/domain/services/Connections"
import { Duration, Effect, Schema } from "effect"
import { Outbound } from "../Outbound.js"

export const ZAPIER = "zapier"

const Config = Schema.Struct({ target_url: Schema.String })
const NoSecrets = Schema.Struct({})

const triggers = ZapierEvent.literals.map((name) => eventTypeOfWire(name)!)

/** Zapier REST Hooks: a Zap subscribes a target URL to one trigger; a 410 from Zapier removes it. */
export const ZapierPlugin = pluginLayer(Effect.gen(function*() {
  const outbound = yield* Outbound
  return {
    id: ZAPIER,
    version: "1.0.0",
    title: "Zapier",
    description: "REST Hooks for Zaps: new time entry, timer started, timer stopped, budget threshold reached",
    config: Config,
    secrets: NoSecrets,
    managed: true,
    outbound: {
      events: triggers,
      handle: (event: DomainEvent, connection: ConnectionOf<typeof Config.Type, {}>) =>
        Effect.gen(function*() {
          const body = JSON.stringify(yield* Schema.encode(Event)(toEvent(event)).pipe(Effect.orDie))
          const result = yield* outbound.post(connection.config.target_url, body, {}, Duration.seconds(10)).pipe(
            Effect.mapError((error) => new DeliveryFailed({ message: error.message }))
          )
          if (result.status >= 200 && result.status < 300) return { status: result.status, response: result.body }
          if (result.status === 410) {
            return yield* new DeliveryRejected({
              action: "remove",
              status: 410,
              response: result.body,
              message: "Zapier answered 410 Gone: the Zap is off, so its subscription was removed"
            })
          }
          return yield* new DeliveryFailed({
            status: result.status,
            response: result.body,
            retryAfter: result.retryAfter,
            message: `Zapier answered ${result.status}`
          })
        }).pipe(Effect.withSpan("Zapier.deliver"))
    }
  }
}))

export class Zapier extends Effect.Service<Zapier>()("@clockme/integrations/Zapier", {
  effect: Effect.gen(function*() {
    const connections = yield* Connections
    const repo = yield* IntegrationsRepo

    const subscribe = Effect.fn("Zapier.subscribe")(function*(input: SubscribeZap) {
      const connection = yield* connections.connect(ZAPIER, {
        config: { target_url: input.target_url },
        events: [input.event],
        description: `Zap: ${input.event}`
      })
      return new ZapSubscription({ id: connection.id, event: input.event, target_url: input.target_url })
    })

    const unsubscribe = Effect.fn("Zapier.unsubscribe")(function*(id: ConnectionId) {
      const removed = yield* connections.disconnect(ZAPIER, id)
      return new ZapSubscription({
        id: removed.id,
        event: removed.events[0] as ZapierEvent,
        target_url: String(removed.config.target_url)
      })
    })

    /** Zapier's performList: the newest real events of the trigger, in the shape a delivery has. */
    const samples = Effect.fn("Zapier.samples")(function*(event: ZapierEvent) {
      const actor = yield* CurrentActor
      const events = yield* repo.recentEvents(actor.workspaceId, [eventTypeOfWire(event)!], 3)
      return events.map(toEvent)
    })

    return { subscribe, unsubscribe, samples } as const
  }),
  dependencies: [IntegrationsRepo.Default]
}) {}
