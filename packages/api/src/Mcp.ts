import { McpHttp } from "@clockme/mcp/Http"
import { HttpApiBuilder, HttpApp } from "@effect/platform"
import { Effect, Layer } from "effect"

/** The MCP server at /api/mcp, on the same server, port and API keys as the REST API. */
export const McpLive = HttpApiBuilder.Router.use((router) =>
  Effect.gen(function*() {
    const mcp = yield* McpHttp
    yield* router.all("/api/mcp", HttpApp.fromWebHandler(mcp.handle))
  })
).pipe(Layer.provide(McpHttp.Default))
