import { Api } from "@clockme/domain/contract/api/Api"
import { encodeRefusal, HeadersTooLarge, MalformedRequest } from "@clockme/domain/contract/Refusals"
import { HttpApiBuilder, HttpServer } from "@effect/platform"
import { HttpApiDecodeError } from "@effect/platform/HttpApiError"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import { Cause, Config, Effect, Layer, Option } from "effect"
import { createServer, Server } from "node:http"
import type { IncomingMessage, ServerResponse } from "node:http"
import type { Socket } from "node:net"
import { AuthenticationLive } from "./Authentication.js"
import { DocsLive } from "./Docs.js"
import type { DirectHandler } from "./http/DirectHandler.js"
import { makeDirectHandler } from "./http/DirectHandler.js"
import { isDatabaseOutage } from "@clockme/domain/repos/SqlErrors"
import { databaseUnavailable } from "./DatabaseOutage.js"
import { InboundLive } from "./http/InboundHttp.js"
import { OperationsHttp } from "./http/OperationsHttp.js"
import { SessionHttp } from "./http/SessionHttp.js"
import { McpLive } from "./Mcp.js"
import { decodeErrorResponse, requestGuard } from "./RequestGuard.js"

export const ApiLive = HttpApiBuilder.api(Api).pipe(
  Layer.provide(OperationsHttp),
  Layer.provide(SessionHttp),
  Layer.provide(AuthenticationLive)
)

/**
 * Schema errors of a path, query, header or body are answered here, from the error itself (the platform
 * types the app as infallible, though it fails with the API's errors until they are encoded).
 */
const DecodeErrorsLive = HttpApiBuilder.middleware((app) =>
  Effect.catchAllCause(app, (cause) => {
    const failure = Cause.failureOption(cause as Cause.Cause<unknown>)
    return Option.isSome(failure) && failure.value instanceof HttpApiDecodeError
      ? Effect.succeed(decodeErrorResponse(failure.value))
      : Effect.failCause(cause)
  })
)

/**
 * A database that cannot be reached (restarting, refusing connections, cut off) fails a request with a
 * SqlError defect from deep inside; every REST request meets it here and gets a 503 with Retry-After and
 * a JSON code instead of a 500. (Middleware given to `serve` would only see it after the 500 was sent.)
 */
const DatabaseOutageLive = HttpApiBuilder.middleware((app) =>
  Effect.catchAllCause(app, (cause) =>
    isDatabaseOutage(cause as Cause.Cause<unknown>)
      ? Effect.as(Effect.logWarning("Database unreachable; answered 503", Cause.squash(cause)), databaseUnavailable())
      : Effect.failCause(cause))
)

export interface ListenOptions {
  readonly port: number
  readonly host: string
  /** Answer the contract's plain JSON requests on the direct path (default true); false leaves all to the platform. */
  readonly direct?: boolean
}

const EdgeConfig = Config.all({
  maxBodyBytes: Config.integer("CLOCKME_MAX_BODY_BYTES").pipe(Config.withDefault(1024 * 1024)),
  corsOrigins: Config.array(Config.string(), "CLOCKME_CORS_ORIGINS").pipe(
    Config.map((origins) => origins.map((origin) => origin.trim()).filter((origin) => origin !== "")),
    Config.withDefault([])
  )
})

const rawAnswer = (reason: string, refusal: HeadersTooLarge | MalformedRequest) => {
  const { body, status } = encodeRefusal(refusal)
  const text = JSON.stringify(body)
  return `HTTP/1.1 ${status} ${reason}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(text)}\r\n` +
    `x-content-type-options: nosniff\r\nconnection: close\r\n\r\n${text}`
}

/**
 * A Node server whose requests meet the direct handler first (DirectHandler); those it leaves go on to the
 * platform's listener, untouched.
 */
class DirectServer extends Server {
  constructor(private readonly direct: DirectHandler) {
    super()
  }

  override emit(event: string | symbol, ...args: Array<any>): boolean {
    if (event === "request" && this.direct(args[0] as IncomingMessage, args[1] as ServerResponse)) return true
    return super.emit(event as string, ...args)
  }
}

/**
 * Node refuses what it cannot parse (headers or a request line over 16 KB, a broken request) before any
 * handler runs, with an empty body: answer in JSON like every other refusal.
 */
const makeServer = (direct: DirectHandler | undefined) => {
  const server = direct === undefined ? createServer() : new DirectServer(direct)
  server.on("clientError", (error: NodeJS.ErrnoException, socket: Socket) => {
    if (!socket.writable || error.code === "ECONNRESET") return socket.destroy()
    socket.end(
      error.code === "HPE_HEADER_OVERFLOW"
        ? rawAnswer("Request Header Fields Too Large", new HeadersTooLarge({ message: "The request line and headers are larger than 16 KB" }))
        : rawAnswer("Bad Request", new MalformedRequest({ message: "The request is not valid HTTP" }))
    )
  })
  return server
}

/** The REST API, its OpenAPI document, interactive docs and the MCP server on one Node HTTP server. */
export const HttpLive = (listen: ListenOptions) =>
  Layer.unwrapEffect(Effect.gen(function*() {
    const edge = yield* EdgeConfig
    // CORS adds its headers to every answer: with it configured, the platform answers everything
    const direct = edge.corsOrigins.length === 0 && listen.direct !== false ? yield* makeDirectHandler(edge) : undefined
    return HttpApiBuilder.serve(requestGuard(edge)).pipe(
      Layer.provide(DocsLive),
      Layer.provide(McpLive),
      Layer.provide(InboundLive),
      Layer.provide(DecodeErrorsLive),
      Layer.provide(DatabaseOutageLive),
      Layer.provide(ApiLive),
      Layer.provideMerge(NodeHttpServer.layer(() => makeServer(direct), { port: listen.port, host: listen.host })),
      HttpServer.withLogAddress
    )
  }))
