import { eventsVisible } from "./EventsVisible.js"
import { IdleWatchdog } from "@clockme/domain/services/IdleWatchdog"
import { Delivery } from "@clockme/integrations/Delivery"
import { SqlClient } from "@effect/sql"
import { randomBytes } from "node:crypto"
import type { Context } from "effect"
import { ConfigProvider, Effect, Layer, TestClock } from "effect"
import { WorkerDatabase } from "../../../domain/test/lib/ServiceTest.js"
import { ServerLive } from "../../src/Server.js"
import { baseUrl, call, signUp } from "./TestServer.js"

const env = (extra: Record<string, string>) =>
  Layer.setConfigProvider(ConfigProvider.fromMap(new Map(Object.entries({
    CLOCKME_SECRET_KEY: randomBytes(32).toString("base64"),
    CLOCKME_INTEGRATIONS: "webhooks,zapier,example,github,slack,linear",
    ...extra
  }))))

/**
 * The real server built inside the test (on the TestClock) for inbound deliveries, processing stored
 * deliveries only when the test calls `deliver` (once every event committed so far is visible: lib/EventsVisible) (and sweeping timers on `sweep`); `query` reads the database directly.
 */
export const inboundServer = (extra: Record<string, string> = {}) =>
  Effect.gen(function*() {
    yield* TestClock.setTime(Date.now())
    const server = ServerLive({ port: 0, host: "127.0.0.1", bootstrap: false, watchdog: false, delivery: false }, WorkerDatabase)
      .pipe(Layer.provide(env(extra)))
    const context = yield* Layer.build(server)
    const base = yield* Effect.provide(baseUrl, context)
    const { key, user } = yield* Effect.provide(signUp(), context)
    const deliver = Effect.provide(Effect.zipRight(eventsVisible, Effect.flatMap(Delivery, (d) => d.runOnce)), context)
    const sweep = Effect.provide(Effect.flatMap(IdleWatchdog, (w) => w.sweep), context)
    const query = <A extends object>(run: (sql: SqlClient.SqlClient) => Effect.Effect<ReadonlyArray<A>, unknown>) =>
      Effect.provide(Effect.flatMap(SqlClient.SqlClient, (sql) => Effect.orDie(run(sql))), context)
    const api = (method: string, path: string, body?: unknown) => call(base, method, path, { key, body })
    /** Runs `effect` with the server's services (another account: `run(signUp())`). */
    const run = <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.provide(effect, context as Context.Context<R>)
    return { base, key, user, deliver, sweep, query, api, run }
  })

export type InboundServer = Effect.Effect.Success<ReturnType<typeof inboundServer>>
