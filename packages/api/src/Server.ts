import { DomainServicesLive } from "@clockme/domain/Domain"
import { Operations } from "@clockme/domain/Operations"
import { MigrationsLive } from "@clockme/domain/sql/Database"
import { AdmissionCache } from "@clockme/domain/services/AdmissionCache"
import { AdmissionListenerLive } from "@clockme/domain/services/AdmissionListener"
import { Layer } from "effect"
import { BootstrapLive } from "./Bootstrap.js"
import { HttpLive } from "./Http.js"
import type { ListenOptions } from "./Http.js"
import { WatchdogLive } from "./Watchdog.js"
import { DeliveryLive, DeliveryServiceLive, FingerprintsLive, IntegrationsLive } from "@clockme/integrations/Integrations"
import type { Outbound, Resolver } from "@clockme/integrations/Outbound"
import type { Plugins } from "@clockme/domain/contract/ports/Integration"
import { RateLimiterLive } from "./RateLimits.js"

export interface ServerOptions extends ListenOptions {
  /** On an empty database, create the owner account and print its key. */
  readonly bootstrap: boolean
  /** Run the idle watchdog in the background (default true); tests may sweep by hand instead. */
  readonly watchdog?: boolean
  /**
   * Run the integrations' delivery fiber (default true). It polls every CLOCKME_DELIVERY_INTERVAL_MS on the
   * Clock, and a TestClock.adjust runs every sleep it crosses, including each the fiber schedules meanwhile:
   * adjusting by 24 h would run 86 400 delivery rounds. Tests that move the clock by hours turn it off and
   * deliver by hand; integrations.http.test.ts runs the fiber itself on the TestClock.
   */
  readonly delivery?: boolean
  /** Plugin layers on top of those CLOCKME_INTEGRATIONS names (tests load theirs like built-in ones). */
  readonly plugins?: ReadonlyArray<Layer.Layer<never, never, Plugins | Outbound>>
  /** Name resolution of outbound targets (default: the system's); tests change its answers between save and send. */
  readonly resolver?: Layer.Layer<Resolver>
}

/** The whole server over a given database: migrations first, then the HTTP API. */
export const ServerLive = <E, R>(
  options: ServerOptions,
  database: Layer.Layer<Layer.Layer.Context<typeof MigrationsLive>, E, R>
) => {
  const startup = options.bootstrap ? BootstrapLive(options).pipe(Layer.provideMerge(MigrationsLive)) : MigrationsLive
  return Layer.mergeAll(
    HttpLive(options),
    options.watchdog === false ? Layer.empty : WatchdogLive,
    options.delivery === false ? Layer.empty : DeliveryLive,
    FingerprintsLive,
    AdmissionListenerLive.pipe(Layer.provide(AdmissionCache.Default))
  ).pipe(
    Layer.provide(startup),
    Layer.provideMerge(DeliveryServiceLive),
    Layer.provideMerge(Operations.Default),
    Layer.provideMerge(IntegrationsLive(options.plugins, options.resolver)),
    Layer.provideMerge(DomainServicesLive),
    Layer.provide(RateLimiterLive),
    Layer.provideMerge(database)
  )
}
