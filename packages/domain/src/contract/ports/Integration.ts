import { Context, Data, Effect, Layer } from "effect"
import type { Duration, Schema } from "effect"
import type { DomainEvent, EventType } from "../Events.js"
import type { OperationTable } from "../api/OperationTable.js"
import type { ProjectId, UserId, WorkspaceId } from "../Ids.js"
import type { ConnectionId, DeliveryId, TargetRefused } from "../Integration.js"

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

/** What an outbound handler gets besides the event and its connection. */
export interface OutboundContext {
  /**
   * The provider's id of an entry this connection sent it (a Notion page), kept per (connection, entry) so an
   * edit or a deletion reaches the same record; `save` replaces, `remove` forgets.
   */
  readonly externalIds: {
    readonly find: (entryId: string) => Effect.Effect<string | undefined>
    readonly save: (entryId: string, externalId: string) => Effect.Effect<void>
    readonly remove: (entryId: string) => Effect.Effect<void>
  }
  /** The name of a project of the connection's workspace, as it is now (events carry project ids). */
  readonly projectName: (projectId: ProjectId) => Effect.Effect<string | undefined>
}

export interface Outbound<Config, Secrets> {
  /** The event types it consumes; a connection may narrow them, never widen them. */
  readonly events: ReadonlyArray<EventType>
  /** Called at least once per event, in order per connection; must be idempotent on `event.id`. */
  readonly handle: (
    event: DomainEvent,
    connection: ConnectionOf<Config, Secrets>,
    context: OutboundContext
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

/**
 * Handling ends here for good, changing nothing: an unmapped user, an event the connection does not cover.
 * The delivery is kept in the connection's log as `skipped` with this reason, and is never retried.
 */
export class InboundSkipped extends Data.TaggedError("InboundSkipped")<{ readonly message: string }> {}

/** What every refusal of an operation carries (the contract's errors all do): final, logged as skipped. */
export interface OperationRefusal {
  readonly _tag: string
  readonly message: string
}

/** Runs one operation of the table (the one REST and MCP run) as the acting member. */
export type OperationRunner = <
  G extends keyof OperationTable,
  E extends keyof OperationTable[G] & string
>(
  group: G,
  endpoint: E,
  request: OperationTable[G][E] extends (request: infer I) => any ? I : never
) => Effect.Effect<
  OperationTable[G][E] extends (request: any) => Effect.Effect<infer A, any, any> ? A : never,
  OperationTable[G][E] extends (request: any) => Effect.Effect<any, infer X, any> ? X : never
>

/** A member of the connection's workspace that an inbound delivery acts as. */
export interface ActingMember {
  readonly userId: UserId
  readonly email: string
  /** How the provider's user was matched: a mapping stored for the connection, or the email the provider gave. */
  readonly mappedBy: "identity" | "email"
  /**
   * The operations, with `write` scope and `source: "integration"`. Each call gets an idempotency key made
   * of the delivery and the call's place in the handling, so processing a delivery twice changes nothing.
   */
  readonly run: OperationRunner
}

/** What a handler of a stored inbound delivery gets besides the request and its connection. */
export interface InboundContext<Secrets = any> {
  /** The delivery being processed (stored before the provider was answered). */
  readonly deliveryId: DeliveryId
  /**
   * The member mapped to the provider's user `externalId` for this connection, else the member whose email
   * is `email` (when the provider gives one); neither is InboundSkipped, naming the external id.
   */
  readonly actAs: (
    externalId: string,
    options?: { readonly email?: string | undefined; readonly label?: string | undefined }
  ) => Effect.Effect<ActingMember, InboundSkipped>
  /**
   * Runs `effect` unless `key` was done before for this connection (kept at least 7 days), then remembers the
   * key. For side effects outside ClockMe (a comment): at least once across a crash in between, never twice
   * otherwise, since one connection's deliveries are processed one at a time. Succeeds with whether it ran.
   */
  readonly once: <E>(key: string, effect: Effect.Effect<void, E>) => Effect.Effect<boolean, E>
  /**
   * Replaces the connection's secrets (in the plugin's decoded form), sealed and shown only as a fingerprint,
   * for a secret the provider hands over in a request (Notion's verification token). The stored body of this
   * delivery is dropped in the same transaction, so the secret is kept nowhere else; a retry sees an empty body.
   * (A method, so a handler typed for any connection still fits a route of a plugin with its own secrets.)
   */
  setSecrets(secrets: Secrets): Effect.Effect<void>
}

/**
 * Served at POST /api/integrations/{integration}/inbound/{connectionId}/{route}. The server checks `verify`,
 * stores the delivery (once per `deliveryId`, when the route names one), answers `accepted` (default 202),
 * and processes it from the store with `handle`: at least once, in order per connection, also after a crash.
 */
export interface InboundRoute<Config, Secrets> {
  readonly route: string
  readonly verify: (
    request: InboundRequest,
    connection: ConnectionOf<Config, Secrets>
  ) => Effect.Effect<void, InboundRejected>
  /** The provider's id of this delivery (e.g. X-GitHub-Delivery): a redelivery with it is answered and dropped. */
  readonly deliveryId?: ((request: InboundRequest) => string | undefined) | undefined
  /** The answer once the delivery is stored (default 202 `{deliveryId}`). */
  readonly accepted?: ((request: InboundRequest) => InboundReply) | undefined
  readonly handle: (
    request: InboundRequest,
    connection: ConnectionOf<Config, Secrets>,
    context: InboundContext<Secrets>
  ) => Effect.Effect<InboundReply, DeliveryFailed | InboundSkipped | OperationRefusal>
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
