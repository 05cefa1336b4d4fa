import { McpHttp } from "@clockme/mcp/Http"
import { HttpApiBuilder, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { Effect, Layer } from "effect"

/**
 * The request as the MCP transport takes it. The body comes from the platform's cached text, not the
 * socket: a guard in front (RequestGuard) may already have read it.
 */
const toWeb = (request: HttpServerRequest.HttpServerRequest) =>
  Effect.gen(function*() {
    const body = request.method === "POST" ? yield* request.text : undefined
    const headers = new Headers()
    for (const [name, value] of Object.entries(request.headers)) headers.set(name, value)
    const url = new URL(request.url, `http://${request.headers.host ?? "localhost"}`)
    return new Request(url, { method: request.method, headers, ...(body === undefined ? {} : { body }) })
  })

/** The MCP server at /api/mcp, on the same server, port and API keys as the REST API. */
export const McpLive = HttpApiBuilder.Router.use((router) =>
  Effect.gen(function*() {
    const mcp = yield* McpHttp
    yield* router.all(
      "/api/mcp",
      HttpServerRequest.HttpServerRequest.pipe(
        Effect.flatMap(toWeb),
        Effect.flatMap((request) => Effect.promise(() => mcp.handle(request))),
        Effect.map(HttpServerResponse.fromWeb)
      )
    )
  })
).pipe(Layer.provide(McpHttp.Default))
