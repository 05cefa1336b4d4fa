import { OutboundTargets, Plugins } from "@clockme/domain/contract/ports/Integration"
import { PluginOperations } from "@clockme/domain/Operations"
import { ZapSubscription } from "@clockme/domain/contract/Zapier"
import { Connections } from "@clockme/domain/services/Connections"
import { Idempotency } from "@clockme/domain/services/Idempotency"
import { Config, Effect, Layer } from "effect"
import { Delivery } from "./Delivery.js"
import { ExamplePlugin } from "./example/Example.js"
import { Outbound, Resolver } from "./Outbound.js"
import { Webhooks, WebhooksPlugin } from "./webhooks/Webhooks.js"
import { Zapier, ZapierPlugin } from "./zapier/Zapier.js"

/** A plugin layer as the composition root takes it: it may use the Outbound HTTP service. */
export type PluginLayer = Layer.Layer<never, never, Plugins | Outbound>

/** Every plugin this repository ships, by id. `example` is off unless named. */
export const catalogue = {
  webhooks: WebhooksPlugin,
  zapier: ZapierPlugin,
  example: ExamplePlugin
} as const

const defaults = ["webhooks", "zapier"]

const chosen = Config.array(Config.string(), "CLOCKME_INTEGRATIONS").pipe(
  Config.withDefault(defaults),
  Config.validate({
    message: `names an integration this server does not have (known: ${Object.keys(catalogue).join(", ")})`,
    validation: (ids) => ids.every((id) => id === "" || Object.hasOwn(catalogue, id))
  })
)

/** The plugin layers named in CLOCKME_INTEGRATIONS (comma-separated; default: webhooks, zapier), plus `extra`. */
export const PluginsLive = (extra: ReadonlyArray<PluginLayer> = []) =>
  Layer.unwrapEffect(Effect.map(chosen, (ids) => {
    const layers: Array<PluginLayer> = ids.filter((id) => id !== "").map((id) => catalogue[id as keyof typeof catalogue])
    return [...layers, ...extra].reduce((all, layer) => Layer.merge(all, layer), Layer.empty as PluginLayer)
  }))

/** The webhook and Zapier groups of the table of operations, answered by their plugins' services. */
export const PluginOperationsLive = Layer.effect(
  PluginOperations,
  Effect.gen(function*() {
    const webhooks = yield* Webhooks
    const zapier = yield* Zapier
    const idempotency = yield* Idempotency
    return {
      webhooks: {
        list: () => webhooks.list,
        create: ({ headers, payload }) => webhooks.createOnce(headers["idempotency-key"], payload),
        get: ({ path }) => webhooks.get(path.id),
        update: ({ path, payload }) => webhooks.update(path.id, payload),
        delete: ({ path }) => webhooks.remove(path.id),
        rotateSecret: ({ path, payload }) => webhooks.rotate(path.id, payload),
        test: ({ path }) => webhooks.test(path.id),
        deliveries: ({ path, urlParams }) => webhooks.deliveries(path.id, urlParams),
        retry: ({ path }) => webhooks.retry(path.id, path.deliveryId)
      },
      zapier: {
        // Zapier retries a subscribe it did not see answered: with an Idempotency-Key, one subscription.
        subscribe: ({ headers, payload }) =>
          idempotency.once(headers["idempotency-key"], "zapier.subscribe", ZapSubscription, zapier.subscribe(payload)),
        unsubscribe: ({ path }) => zapier.unsubscribe(path.id),
        samples: ({ path }) => zapier.samples(path.event)
      }
    }
  })
)

/**
 * Everything integrations need, over the domain's repositories: the plugins turned on, connections,
 * the webhook and Zapier APIs, their operations and the delivery service. Still needs a SqlClient.
 * `resolver` answers name lookups for outbound targets (the system's DNS unless a test stubs it).
 */
export const IntegrationsLive = (extra: ReadonlyArray<PluginLayer> = [], resolver: Layer.Layer<Resolver> = Resolver.live) =>
  PluginOperationsLive.pipe(
    Layer.provideMerge(Layer.mergeAll(Webhooks.Default, Zapier.Default, Delivery.Default)),
    Layer.provideMerge(Connections.Default),
    Layer.provideMerge(PluginsLive(extra)),
    Layer.provideMerge(Plugins.layer),
    Layer.provideMerge(Layer.effect(OutboundTargets, Effect.map(Outbound, (outbound) => ({ check: outbound.check })))),
    Layer.provideMerge(Outbound.Default),
    Layer.provideMerge(resolver)
  )

/** The delivery fiber, for as long as the server runs. */
export const DeliveryLive = Layer.scopedDiscard(Effect.flatMap(Delivery, (delivery) => Effect.forkScoped(delivery.run)))

/** At startup, after migrations: fingerprints older servers stored as plain hashes become HMACs. */
export const FingerprintsLive = Layer.effectDiscard(Effect.flatMap(Connections, (connections) => connections.refingerprint))
