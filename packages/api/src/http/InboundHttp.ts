import { ConnectionId } from "@clockme/domain/contract/Integration"
import { Inbound } from "@clockme/integrations/Inbound"
import { HttpApiBuilder, HttpRouter, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { MalformedBody, NoSuchRoute } from "@clockme/domain/contract/Refusals"
import { RateLimited } from "@clockme/domain/contract/RateLimit"
import { Effect, Option, Schema } from "effect"
import { refusalResponse } from "../RequestGuard.js"

const Params = Schema.Struct({ integration: Schema.String, connection: ConnectionId, route: Schema.String })

const problem = (status: number, _tag: string, code: string, message: string) =>
  HttpServerResponse.unsafeJson({ _tag, code, message }, { status })

/**
 * Inbound routes of plugins: POST /api/integrations/{integration}/inbound/{connectionId}/{route}. No API
 * key: the plugin's own signature check over the raw body decides; a verified request is stored and
 * answered at once, and processed from the store by the delivery fiber.
 */
export const InboundLive = HttpApiBuilder.Router.use((router) =>
  Effect.gen(function*() {
    const inbound = yield* Inbound
    yield* router.post(
      "/api/integrations/:integration/inbound/:connection/:route",
      Effect.gen(function*() {
        const params = yield* HttpRouter.schemaPathParams(Params)
        const request = yield* HttpServerRequest.HttpServerRequest
        const rawBody = new Uint8Array(yield* request.arrayBuffer)
        const target = { integration: params.integration, connectionId: params.connection, route: params.route }
        const address = Option.getOrElse(request.remoteAddress, () => "unknown")
        const reply = yield* inbound.receive(target, address, { method: request.method, headers: request.headers, rawBody })
        return reply.body === undefined
          ? HttpServerResponse.empty({ status: reply.status })
          : HttpServerResponse.unsafeJson(reply.body, { status: reply.status })
      }).pipe(
        Effect.catchTags({
          ParseError: () => Effect.succeed(refusalResponse(new NoSuchRoute({ message: "No such inbound route" }))),
          IntegrationNotFound: (e) => Effect.succeed(problem(404, e._tag, e.code, e.message)),
          ConnectionNotFound: (e) => Effect.succeed(problem(404, e._tag, e.code, e.message)),
          InboundRejected: (e) => Effect.succeed(problem(401, "InboundRejected", "bad_signature", e.message)),
          InboundRouteNotFound: (e) => Effect.succeed(refusalResponse(new NoSuchRoute({ message: e.message }))),
          InboundThrottled: (e) =>
            Effect.succeed(
              HttpServerResponse.unsafeJson(
                Schema.encodeSync(RateLimited)(new RateLimited({ limit: e.limit, retryAfterSeconds: e.retryAfterSeconds, message: e.message })),
                { status: 429, headers: { "retry-after": String(e.retryAfterSeconds) } }
              )
            ),
          RequestError: () => Effect.succeed(refusalResponse(new MalformedBody({ message: "Could not read the body" })))
        })
      )
    )
  })
)
