import { Api } from "@clockme/domain/contract/api/Api"
import { HttpApiBuilder, HttpApiScalar, HttpServer } from "@effect/platform"
import { NodeHttpServer } from "@effect/platform-node"
import { Layer } from "effect"
import { createServer } from "node:http"
import { AuthenticationLive } from "./Authentication.js"
import { InboundLive } from "./http/InboundHttp.js"
import { OperationsHttp } from "./http/OperationsHttp.js"
import { McpLive } from "./Mcp.js"
import { requestGuard } from "./RequestGuard.js"

export const ApiLive = HttpApiBuilder.api(Api).pipe(
  Layer.provide(OperationsHttp),
  Layer.provide(AuthenticationLive)
)

export interface ListenOptions {
  readonly port: number
  readonly host: string
}

/** The REST API, its OpenAPI document, interactive docs and the MCP server on one Node HTTP server. */
export const HttpLive = (listen: ListenOptions) =>
  HttpApiBuilder.serve(requestGuard).pipe(
    Layer.provide(HttpApiScalar.layer({ path: "/api/docs" })),
    Layer.provide(McpLive),
    Layer.provide(InboundLive),
    Layer.provide(HttpApiBuilder.middlewareOpenApi({ path: "/api/openapi" })),
    Layer.provide(HttpApiBuilder.middlewareCors()),
    Layer.provide(ApiLive),
    Layer.provideMerge(NodeHttpServer.layer(() => createServer(), { port: listen.port, host: listen.host })),
    HttpServer.withLogAddress
  )
