import { ConnectionId } from "@clockme/domain/contract/Integration"
import { Connections } from "@clockme/domain/services/Connections"
import { HttpApiBuilder, HttpRouter, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { MalformedBody, NoSuchRoute } from "@clockme/domain/contract/Refusals"
import { Effect, Schema } from "effect"
import { refusalResponse } from "../RequestGuard.js"

const Params = Schema.Struct({ integration: Schema.String, connection: ConnectionId, route: Schema.String })

const problem = (status: number, _tag: string, code: string, message: string) =>
  HttpServerResponse.unsafeJson({ _tag, code, message }, { status })

/**
 * Inbound routes of plugins: POST /api/integrations/{integration}/inbound/{connectionId}/{route}. No API
 * key: the plugin's own signature check over the raw body decides, before its handler runs.
 */
export const InboundLive = HttpApiBuilder.Router.use((router) =>
  Effect.gen(function*() {
    const connections = yield* Connections
    yield* router.post(
      "/api/integrations/:integration/inbound/:connection/:route",
      Effect.gen(function*() {
        const params = yield* HttpRouter.schemaPathParams(Params)
        const request = yield* HttpServerRequest.HttpServerRequest
        const found = yield* connections.resolveById(params.integration, params.connection)
        const route = (found.plugin.inbound ?? []).find((r) => r.route === params.route)
        if (route === undefined) {
          return refusalResponse(new NoSuchRoute({ message: `${found.plugin.title} has no inbound route "${params.route}"` }))
        }
        const rawBody = new Uint8Array(yield* request.arrayBuffer)
        const inbound = { method: request.method, headers: request.headers, rawBody }
        yield* route.verify(inbound, found.connection)
        const reply = yield* route.handle(inbound, found.connection)
        return reply.body === undefined
          ? HttpServerResponse.empty({ status: reply.status })
          : HttpServerResponse.unsafeJson(reply.body, { status: reply.status })
      }).pipe(
        Effect.catchTags({
          ParseError: () => Effect.succeed(refusalResponse(new NoSuchRoute({ message: "No such inbound route" }))),
          IntegrationNotFound: (e) => Effect.succeed(problem(404, e._tag, e.code, e.message)),
          ConnectionNotFound: (e) => Effect.succeed(problem(404, e._tag, e.code, e.message)),
          InboundRejected: (e) => Effect.succeed(problem(401, "InboundRejected", "bad_signature", e.message)),
          RequestError: () => Effect.succeed(refusalResponse(new MalformedBody({ message: "Could not read the body" })))
        })
      )
    )
  })
)
