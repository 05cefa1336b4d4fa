import type { DomainEvent } from "@clockme/domain/contract/Events"
import type { ConnectionOf } from "@clockme/domain/contract/ports/Integration"
import { DeliveryFailed, InboundRejected, pluginLayer } from "@clockme/domain/contract/ports/Integration"
import { createHmac, timingSafeEqual } from "node:crypto"
import { Duration, Effect, Redacted, Schema } from "effect"
import { Outbound } from "../Outbound.js"

/** Plain settings: where to post. */
const Config = Schema.Struct({ url: Schema.String, channel: Schema.optional(Schema.String) })
/** Secret settings: stored encrypted, handed to the plugin as Redacted. */
const Secrets = Schema.Struct({ token: Schema.Redacted(Schema.String) })
type Connection = ConnectionOf<typeof Config.Type, typeof Secrets.Type>

const message = (event: DomainEvent) => {
  switch (event._tag) {
    case "TimerStarted":
      return `Timer started on ${event.timer.projectName}`
    case "TimerStopped":
      return `Timer stopped on ${event.timer.projectName} after ${event.entry.durationSeconds} s`
    default:
      return event._tag
  }
}

const signature = (token: Redacted.Redacted<string>, body: Uint8Array) =>
  createHmac("sha256", Redacted.value(token)).update(body).digest("hex")

/**
 * The example plugin: posts a chat-style message for timer starts and stops, and accepts signed
 * commands at /api/integrations/example/inbound/{connectionId}/command. Copy it to write your own.
 */
export const ExamplePlugin = pluginLayer(Effect.gen(function*() {
  const outbound = yield* Outbound
  return {
    id: "example",
    version: "1.0.0",
    title: "Example",
    description: "Posts a message for each timer start and stop; a template for new integrations",
    config: Config,
    secrets: Secrets,
    outbound: {
      events: ["TimerStarted", "TimerStopped"] as const,
      handle: (event: DomainEvent, connection: Connection) =>
        Effect.gen(function*() {
          const body = JSON.stringify({ id: event.id, channel: connection.config.channel ?? null, text: message(event) })
          const headers = { authorization: `Bearer ${Redacted.value(connection.secrets.token)}` }
          const result = yield* outbound.post(connection.config.url, body, headers, Duration.seconds(10)).pipe(
            Effect.mapError((error) => new DeliveryFailed({ message: error.message }))
          )
          if (result.status >= 300) {
            return yield* new DeliveryFailed({ status: result.status, message: `Answered ${result.status}` })
          }
          return { status: result.status }
        })
    },
    inbound: [{
      route: "command",
      verify: (request, connection: Connection) => {
        const given = request.headers["x-example-signature"] ?? ""
        const expected = signature(connection.secrets.token, request.rawBody)
        return given.length === expected.length && timingSafeEqual(Buffer.from(given), Buffer.from(expected))
          ? Effect.void
          : Effect.fail(new InboundRejected({ message: "x-example-signature does not match the body" }))
      },
      handle: (request) =>
        Effect.succeed({ status: 200, body: { received: new TextDecoder().decode(request.rawBody).length } })
    }]
  }
}))
