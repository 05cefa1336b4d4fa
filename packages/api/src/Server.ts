import { DomainLive } from "@clockme/domain/Domain"
import { MigrationsLive } from "@clockme/domain/sql/Database"
import { Layer } from "effect"
import { BootstrapLive } from "./Bootstrap.js"
import { HttpLive } from "./Http.js"
import type { ListenOptions } from "./Http.js"
import { WatchdogLive } from "./Watchdog.js"
import { RateLimiterLive } from "./RateLimits.js"

export interface ServerOptions extends ListenOptions {
  /** On an empty database, create the owner account and print its key. */
  readonly bootstrap: boolean
  /** Run the idle watchdog in the background (default true); tests may sweep by hand instead. */
  readonly watchdog?: boolean
}

/** The whole server over a given database: migrations first, then the HTTP API. */
export const ServerLive = <E, R>(
  options: ServerOptions,
  database: Layer.Layer<Layer.Layer.Context<typeof MigrationsLive>, E, R>
) => {
  const startup = options.bootstrap ? BootstrapLive(options).pipe(Layer.provideMerge(MigrationsLive)) : MigrationsLive
  return Layer.merge(HttpLive(options), options.watchdog === false ? Layer.empty : WatchdogLive).pipe(
    Layer.provide(startup),
    Layer.provideMerge(DomainLive),
    Layer.provide(RateLimiterLive),
    Layer.provideMerge(database)
  )
}
