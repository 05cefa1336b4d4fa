import type { McpHttp } from "@clockme/mcp/Http"
import { HttpApiBuilder, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import type { Layer } from "effect"
import { Effect } from "effect"

const parseJson = (text: string): { readonly parsed: unknown } | undefined => {
  try {
    return { parsed: JSON.parse(text) }
  } catch {
    return undefined
  }
}

/**
 * The request as the MCP transport takes it. The body comes from the platform's cached text, not the
 * socket: a guard in front (RequestGuard) may already have read it. A JSON body goes to the transport
 * parsed, beside a request without one (a web Request's body is a stream, slow to make and to read);
 * anything else stays the body, for the transport to refuse as JSON-RPC.
 */
const toWeb = (request: HttpServerRequest.HttpServerRequest) =>
  Effect.gen(function*() {
    const text = request.method === "POST" ? yield* request.text : undefined
    const body = text === undefined ? undefined : parseJson(text)
    const headers = new Headers()
    for (const [name, value] of Object.entries(request.headers)) headers.set(name, value)
    const url = new URL(request.url, `http://${request.headers.host ?? "localhost"}`)
    const raw = text !== undefined && body === undefined ? { body: text } : {}
    return { request: new Request(url, { method: request.method, headers, ...raw }), body }
  })

/**
 * The transport's answer as a plain response: always JSON (or nothing) here, so it is read at once
 * rather than streamed through the platform.
 */
const fromWeb = async (response: Response) => {
  const headers: Record<string, string> = {}
  response.headers.forEach((value, name) => void (headers[name] = value))
  const text = await response.text()
  if (text === "") return HttpServerResponse.empty({ status: response.status, headers })
  const { "content-type": contentType, ...rest } = headers
  return HttpServerResponse.text(text, { status: response.status, headers: rest, contentType: contentType ?? "application/json" })
}

type McpNeeds = Layer.Layer.Context<typeof McpHttp.Default>

/**
 * The MCP server at /api/mcp, on the same server, port and API keys as the REST API. The protocol SDK
 * and its validators are imported on the first MCP request, so a server that only answers REST (and
 * every start) does not load them.
 */
export const McpLive = HttpApiBuilder.Router.use((router) =>
  Effect.gen(function*() {
    const context = yield* Effect.context<McpNeeds>()
    const mcp = yield* Effect.cached(
      Effect.promise(() => import("@clockme/mcp/Http")).pipe(
        Effect.flatMap(({ McpHttp }) => McpHttp.pipe(Effect.provide(McpHttp.Default), Effect.provide(context)))
      )
    )
    yield* router.all(
      "/api/mcp",
      Effect.all([mcp, HttpServerRequest.HttpServerRequest.pipe(Effect.flatMap(toWeb))]).pipe(
        Effect.flatMap(([mcp, { body, request }]) => Effect.promise(() => mcp.handle(request, body).then(fromWeb)))
      )
    )
  })
)
