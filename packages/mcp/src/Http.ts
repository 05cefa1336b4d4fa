import { CurrentActor } from "@clockme/domain/contract/Actor"
import type { Actor, Unauthorized } from "@clockme/domain/contract/Actor"
import type { RateLimited } from "@clockme/domain/contract/RateLimit"
import { quotaHeaders } from "@clockme/domain/contract/RateLimit"
import type { WorkspaceNotFound } from "@clockme/domain/contract/Workspace"
import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js"
import { Cause, Effect, Exit, Option, Runtime } from "effect"
import type { Execute } from "./Server.js"
import { makeServer, McpTools } from "./Server.js"
import { McpSession } from "./Session.js"
import { Timers } from "@clockme/domain/services/Timers"

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } })

const rpcError = (status: number, code: number, message: string, headers: Record<string, string> = {}) =>
  json(status, { jsonrpc: "2.0", error: { code, message }, id: null }, headers)

/** Header values must be plain ASCII, without quotes. */
const headerText = (text: string) => text.replace(/…/g, "...").replace(/[^\x20-\x7e]|"/g, "")

const unauthorized = (message: string, tokenSent: boolean) =>
  json(401, { _tag: "Unauthorized", code: "unauthorized", message }, {
    "www-authenticate": tokenSent
      ? `Bearer realm="ClockMe", error="invalid_token", error_description="${headerText(message)}"`
      : `Bearer realm="ClockMe"`
  })

const refused = (error: Unauthorized | RateLimited | WorkspaceNotFound, tokenSent: boolean) => {
  switch (error._tag) {
    case "RateLimited":
      return json(429, { _tag: error._tag, code: error.code, message: error.message, retryAfterSeconds: error.retryAfterSeconds }, {
        ...quotaHeaders({ limit: error.limit, remaining: 0, resetSeconds: error.retryAfterSeconds }, error.retryAfterSeconds)
      })
    case "WorkspaceNotFound":
      return json(404, { _tag: error._tag, code: error.code, message: error.message })
    case "Unauthorized":
      return unauthorized(error.message, tokenSent)
  }
}

/**
 * The Streamable HTTP endpoint, stateless: every POST gets a fresh protocol server and transport, and the
 * caller is admitted on every request like a REST caller (same API keys, scopes and rate limits).
 * Answers are plain JSON with the rate-limit headers.
 */
export class McpHttp extends Effect.Service<McpHttp>()("@clockme/mcp/McpHttp", {
  effect: Effect.gen(function*() {
    const { tools } = yield* McpTools
    const session = yield* McpSession
    const timers = yield* Timers
    const runtime = yield* Effect.runtime<never>()
    const runExit = Runtime.runPromiseExit(runtime)

    // An agent that drives ClockMe only through MCP sends no hook heartbeats: its tool calls are its activity,
    // so the idle watchdog does not stop its timers while it works. A read key records nothing.
    const recordActivity = timers.heartbeat({}).pipe(Effect.ignore)

    const executeAs = (actor: Actor): Execute => (effect) =>
      runExit(recordActivity.pipe(
        Effect.zipRight(effect),
        Effect.provideService(CurrentActor, actor),
        Effect.tapDefect((cause) => Effect.logError("MCP tool call failed", cause))
      ))

    const handle = async (request: Request): Promise<Response> => {
      if (request.method !== "POST") {
        return rpcError(405, -32000, "Method not allowed: this stateless MCP endpoint takes JSON-RPC over POST only", {
          allow: "POST"
        })
      }
      const authorization = request.headers.get("authorization")
      const authenticated = await runExit(
        session.authenticate(authorization, request.headers.get("x-clockme-workspace") ?? undefined)
      )
      if (Exit.isFailure(authenticated)) {
        const failure = Cause.failureOption(authenticated.cause)
        if (Option.isSome(failure)) return refused(failure.value, authorization !== null)
        await runExit(Effect.logError("MCP authentication failed", authenticated.cause))
        return rpcError(500, -32603, "Internal error")
      }
      // Answers are always JSON here, so a client that only accepts JSON (curl, a plain fetch) is served too.
      request.headers.set("accept", "application/json, text/event-stream")
      const { actor, quota } = authenticated.value
      const server = makeServer(tools, executeAs(actor))
      const transport = new WebStandardStreamableHTTPServerTransport({ enableJsonResponse: true })
      try {
        await server.connect(transport)
        const response = await transport.handleRequest(request)
        for (const [name, value] of Object.entries(quotaHeaders(quota))) response.headers.set(name, value)
        return response
      } catch (error) {
        await runExit(Effect.logError("MCP request failed", error))
        return rpcError(500, -32603, "Internal error")
      } finally {
        await server.close()
      }
    }

    return { handle } as const
  }),
  dependencies: [McpTools.Default, McpSession.Default]
}) {}
