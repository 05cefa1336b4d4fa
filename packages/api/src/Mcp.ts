import type { McpHttp } from "@clockme/mcp/Http"
import { HttpApiBuilder, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import type { Layer } from "effect"
import { Effect } from "effect"

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
        Effect.flatMap(([mcp, request]) => Effect.promise(() => mcp.handle(request))),
        Effect.map(HttpServerResponse.fromWeb)
      )
    )
  })
)
