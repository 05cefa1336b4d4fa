import { Context, Data, Effect, Layer } from "effect"
import type { Duration, Schema } from "effect"
import type { DomainEvent, EventType } from "../Events.js"
import type { WorkspaceId } from "../Ids.js"
import type { ConnectionId, TargetRefused } from "../Integration.js"

/** One workspace's connection to an integration, with its settings decoded by the plugin's schemas. */
export interface ConnectionOf<Config, Secrets> {
  readonly id: ConnectionId
  readonly workspaceId: WorkspaceId
  readonly config: Config
  readonly secrets: Secrets
}

/** What a handler reports about an acknowledged delivery, for the attempt log. */
export interface Receipt {
  readonly status?: number | undefined
  readonly response?: string | undefined
}

/** The delivery did not go through; it is retried with backoff until it has failed for 24 hours. */
export class DeliveryFailed extends Data.TaggedError("DeliveryFailed")<{
  readonly message: string
  readonly status?: number | undefined
  readonly response?: string | undefined
  readonly retryAfter?: Duration.Duration | undefined
}> {}

/** The target refuses for good (e.g. 410 Gone): the connection is disabled or removed, nothing is retried. */
export class DeliveryRejected extends Data.TaggedError("DeliveryRejected")<{
  readonly message: string
  readonly action: "disable" | "remove"
  readonly status?: number | undefined
  readonly response?: string | undefined
}> {}

export interface Outbound<Config, Secrets> {
  /** The event types it consumes; a connection may narrow them, never widen them. */
  readonly events: ReadonlyArray<EventType>
  /** Called at least once per event, in order per connection; must be idempotent on `event.id`. */
  readonly handle: (
    event: DomainEvent,
    connection: ConnectionOf<Config, Secrets>
  ) => Effect.Effect<Receipt, DeliveryFailed | DeliveryRejected>
}

export interface InboundRequest {
  readonly method: string
  readonly headers: Readonly<Record<string, string | undefined>>
  /** Exactly the bytes received: signatures are computed over them. */
  readonly rawBody: Uint8Array
}

export interface InboundReply {
  readonly status: number
  readonly body?: unknown
}

/** The request's signature (or other proof of origin) does not check out: answered 401, never handled. */
export class InboundRejected extends Data.TaggedError("InboundRejected")<{ readonly message: string }> {}

/** Served at POST /api/integrations/{integration}/inbound/{connectionId}/{route}. */
export interface InboundRoute<Config, Secrets> {
  readonly route: string
  readonly verify: (
    request: InboundRequest,
    connection: ConnectionOf<Config, Secrets>
  ) => Effect.Effect<void, InboundRejected>
  readonly handle: (request: InboundRequest, connection: ConnectionOf<Config, Secrets>) => Effect.Effect<InboundReply>
}

/**
 * An integration: what a plugin declares. `config` holds plain settings; `secrets` the ones stored
 * encrypted and never returned (declare them as `Schema.Redacted(Schema.String)`).
 */
export interface Plugin<Config = any, Secrets = any> {
  readonly id: string
  readonly version: string
  readonly title: string
  readonly description: string
  readonly config: Schema.Schema<Config, any>
  readonly secrets: Schema.Schema<Secrets, any>
  readonly outbound?: Outbound<Config, Secrets> | undefined
  readonly inbound?: ReadonlyArray<InboundRoute<Config, Secrets>> | undefined
  /** Connections are created by the plugin's own API (e.g. webhooks), not by POST /api/integrations. */
  readonly managed?: boolean | undefined
}

/**
 * The rules outbound calls follow (https, public addresses), applied to every http(s) URL a connection's
 * settings hold when they are saved, so a bad target is refused at once rather than at its first delivery.
 */
export class OutboundTargets extends Context.Tag("@clockme/domain/ports/OutboundTargets")<
  OutboundTargets,
  { readonly check: (url: string) => Effect.Effect<unknown, TargetRefused> }
>() {}

export interface Registry {
  readonly register: (plugin: Plugin) => Effect.Effect<void>
  readonly all: Effect.Effect<ReadonlyArray<Plugin>>
  readonly get: (id: string) => Effect.Effect<Plugin | undefined>
}

/** The plugins turned on in this server; each plugin layer registers itself here. */
export class Plugins extends Context.Tag("@clockme/domain/ports/Plugins")<Plugins, Registry>() {
  static readonly layer = Layer.sync(Plugins, () => {
    const plugins = new Map<string, Plugin>()
    return {
      register: (plugin) =>
        Effect.suspend(() =>
          plugins.has(plugin.id)
            ? Effect.dieMessage(`Two integrations have the id "${plugin.id}"`)
            : Effect.sync(() => void plugins.set(plugin.id, plugin))
        ),
      all: Effect.sync(() => [...plugins.values()]),
      get: (id) => Effect.sync(() => plugins.get(id))
    }
  })
}

/** One plugin as a layer: built once, it registers itself, so the composition root turns it on by merging it. */
export const pluginLayer = <C, S, E, R>(make: Effect.Effect<Plugin<C, S>, E, R>): Layer.Layer<never, E, R | Plugins> =>
  Layer.effectDiscard(Effect.flatMap(Effect.all([make, Plugins]), ([plugin, registry]) => registry.register(plugin)))
