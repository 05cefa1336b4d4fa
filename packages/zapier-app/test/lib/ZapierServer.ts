import { ConfigProvider, Effect, Layer } from "effect"
import { randomBytes } from "node:crypto"
import { WorkerDatabase } from "../../../domain/test/lib/ServiceTest.js"
import { ServerLive } from "../../../api/src/Server.js"
import { receiver } from "../../../api/test/lib/Receiver.js"
import { baseUrl, call, signUp } from "../../../api/test/lib/TestServer.js"

/**
 * The real ClockMe server over the worker's database (PGlite, or PostgreSQL with DATABASE_URL), delivering
 * events on its own every 20 ms, with Zapier REST hooks on; plus a loopback receiver playing Zapier's hook URLs.
 */
export const zapierServer = Effect.gen(function*() {
  const hooks = yield* receiver
  const config = ConfigProvider.fromMap(new Map(Object.entries({
    CLOCKME_SECRET_KEY: randomBytes(32).toString("base64"),
    CLOCKME_INTEGRATIONS: "webhooks,zapier",
    CLOCKME_WEBHOOKS_ALLOW_PRIVATE: "true",
    CLOCKME_DELIVERY_INTERVAL_MS: "20"
  })))
  const server = ServerLive({ port: 0, host: "127.0.0.1", bootstrap: false, watchdog: false }, WorkerDatabase)
    .pipe(Layer.provide(Layer.setConfigProvider(config)))
  const context = yield* Layer.build(server)
  const base = yield* Effect.provide(baseUrl, context)
  const { key, user } = yield* Effect.provide(signUp(), context)
  const api = (method: string, path: string, body?: unknown) => call(base, method, path, { key, body })
  /** What the server delivered to one hook path so far, parsed. */
  const deliveredTo = (path: string) => hooks.received.filter((r) => r.path === path).map((r) => JSON.parse(r.body) as unknown)
  /** Waits (on the real clock, at most 20 s) until `count` deliveries reached `path`. */
  const awaitDeliveries = (path: string, count: number) =>
    Effect.gen(function*() {
      for (let i = 0; i < 1000 && deliveredTo(path).length < count; i++) yield* Effect.sleep("20 millis")
      return deliveredTo(path)
    })
  return { base, key, user, api, hooks, deliveredTo, awaitDeliveries }
})
