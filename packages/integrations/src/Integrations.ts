import { OutboundTargets, Plugins } from "@clockme/domain/contract/ports/Integration"
import { PluginOperations } from "@clockme/domain/Operations"
import { ZapSubscription } from "@clockme/domain/contract/Zapier"
import { Connections } from "@clockme/domain/services/Connections"
import { Idempotency } from "@clockme/domain/services/Idempotency"
import { Config, Effect, Layer, Schedule } from "effect"
import { Delivery } from "./Delivery.js"
import { Inbound } from "./Inbound.js"
import { loadPlugin } from "./PluginLoader.js"
import { Outbound, Resolver } from "./Outbound.js"
import { Webhooks, WebhooksPlugin } from "./webhooks/Webhooks.js"
import { Zapier, ZapierPlugin } from "./zapier/Zapier.js"

/** A plugin layer as the composition root takes it: it may use the Outbound HTTP service. */
export type PluginLayer = Layer.Layer<never, never, Plugins | Outbound>

/**
 * The plugins built into the server, by id; any other name in CLOCKME_INTEGRATIONS is an npm package. Provider
 * plugins are imported only when named, so a server without them never loads their SDKs.
 */
export const builtIn: Readonly<Record<string, () => Promise<PluginLayer>>> = {
  webhooks: () => Promise.resolve(WebhooksPlugin),
  zapier: () => Promise.resolve(ZapierPlugin),
  github: () => import("./github/GitHub.js").then((module) => module.GitHubPlugin),
  slack: () => import("./slack/Slack.js").then((module) => module.SlackPlugin),
  linear: () => import("./linear/Linear.js").then((module) => module.LinearPlugin),
  notion: () => import("./notion/Notion.js").then((module) => module.NotionPlugin)
}

/** Short names of the plugin packages of this repository. */
const aliases: Readonly<Record<string, string>> = { example: "@clockme/plugin-example" }

const chosen = Config.array(Config.string(), "CLOCKME_INTEGRATIONS").pipe(Config.withDefault(["webhooks", "zapier"]))

/**
 * The plugin layers named in CLOCKME_INTEGRATIONS (comma-separated; default: webhooks, zapier): built-in ids,
 * and npm packages (or paths) whose module exports a plugin layer, loaded once at start. Plus `extra`.
 */
export const PluginsLive = (extra: ReadonlyArray<PluginLayer> = []) =>
  Layer.unwrapEffect(Effect.gen(function*() {
    const names = (yield* chosen).map((name) => name.trim()).filter((name) => name !== "")
    const layers = yield* Effect.forEach(names, (name) =>
      Object.hasOwn(builtIn, name) ? Effect.promise(builtIn[name]!) : loadPlugin(aliases[name] ?? name, Object.keys(builtIn)))
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
    Layer.provideMerge(Layer.mergeAll(Webhooks.Default, Zapier.Default, Inbound.Default)),
    Layer.provideMerge(Connections.Default),
    Layer.provideMerge(PluginsLive(extra)),
    Layer.provideMerge(Plugins.layer),
    Layer.provideMerge(Layer.effect(OutboundTargets, Effect.map(Outbound, (outbound) => ({ check: outbound.check })))),
    Layer.provideMerge(Outbound.Default),
    Layer.provideMerge(resolver)
  )

/**
 * The delivery service, over the table of operations (inbound handlers act through it), so it is built above
 * Operations at the composition root, unlike IntegrationsLive which Operations needs.
 */
export const DeliveryServiceLive = Delivery.Default

/** The delivery fiber and the hourly pruning of inbound delivery ids, for as long as the server runs. */
export const DeliveryLive = Layer.scopedDiscard(Effect.flatMap(Delivery, (delivery) =>
  Effect.all([
    Effect.forkScoped(delivery.run),
    Effect.forkScoped(delivery.prune.pipe(
      Effect.catchAllCause((cause) => Effect.logError("Pruning inbound deliveries failed", cause)),
      Effect.repeat(Schedule.spaced("1 hour"))
    ))
  ])))

/** At startup, after migrations: fingerprints older servers stored as plain hashes become HMACs. */
export const FingerprintsLive = Layer.effectDiscard(Effect.flatMap(Connections, (connections) => connections.refingerprint))
