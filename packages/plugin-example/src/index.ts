import type { DomainEvent } from "@clockme/domain/contract/Events"
import { CreateEntry } from "@clockme/domain/contract/Entry"
import type { ConnectionOf, InboundContext, InboundRequest } from "@clockme/domain/contract/ports/Integration"
import { DeliveryFailed, InboundRejected, InboundSkipped, pluginLayer } from "@clockme/domain/contract/ports/Integration"
import { Duration, Effect, Redacted, Schema } from "effect"
import { Outbound } from "@clockme/integrations/Outbound"
import { hmacSha256HexMatches } from "@clockme/integrations/Signature"

/** Plain settings: where to post. */
const Config = Schema.Struct({ url: Schema.String, channel: Schema.optional(Schema.String) })
/** Secret settings: stored encrypted, handed to the plugin as Redacted. */
const Secrets = Schema.Struct({ token: Schema.Redacted(Schema.String) })
type Connection = ConnectionOf<typeof Config.Type, typeof Secrets.Type>

/** A command: who sent it (their id here, and their email if known), and optionally an entry to log as them. */
const Command = Schema.parseJson(Schema.Struct({
  user: Schema.optional(Schema.String),
  email: Schema.optional(Schema.String),
  log: Schema.optional(CreateEntry)
}))

const command = (request: InboundRequest, context: InboundContext) =>
  Effect.gen(function*() {
    const body = new TextDecoder().decode(request.rawBody)
    const decoded = yield* Schema.decodeUnknown(Command)(body).pipe(
      Effect.mapError(() => new InboundSkipped({ message: "The body is not an example command" }))
    )
    if (decoded.log === undefined || decoded.user === undefined) return { status: 200, body: { received: body.length } }
    const member = yield* context.actAs(decoded.user, { email: decoded.email, label: "example user" })
    const entry = yield* member.run("entries", "create", { payload: decoded.log, headers: {} })
    return { status: 200, body: { entryId: entry.id, actedAs: member.userId, mappedBy: member.mappedBy } }
  })

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

/**
 * The example plugin: posts a chat-style message for timer starts and stops, and accepts signed
 * commands at /api/integrations/example/inbound/{connectionId}/command (deduplicated by X-Example-Delivery),
 * which log an entry as the sending user's member. Copy it to write your own.
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
        return hmacSha256HexMatches(Redacted.value(connection.secrets.token), request.rawBody, given)
          ? Effect.void
          : Effect.fail(new InboundRejected({ message: "x-example-signature does not match the body" }))
      },
      deliveryId: (request) => request.headers["x-example-delivery"],
      handle: (request, _connection, context) => command(request, context)
    }]
  }
}))

export default ExamplePlugin
