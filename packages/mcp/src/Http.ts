import { CurrentActor } from "@clockme/domain/Actor"
import type { Actor } from "@clockme/domain/Actor"
import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js"
import { Cause, Effect, Exit, Option, Runtime } from "effect"
import type { Execute } from "./Server.js"
import { makeServer, McpTools } from "./Server.js"
import { McpSession } from "./Session.js"

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

/**
 * The Streamable HTTP endpoint, stateless: every POST gets a fresh protocol server and transport, and the
 * caller is authenticated on every request with the same API keys as REST. Answers are plain JSON.
 */
export class McpHttp extends Effect.Service<McpHttp>()("@clockme/mcp/McpHttp", {
  effect: Effect.gen(function*() {
    const tools = yield* McpTools
    const session = yield* McpSession
    const runtime = yield* Effect.runtime<never>()
    const runExit = Runtime.runPromiseExit(runtime)

    const executeAs = (actor: Actor): Execute => (effect) =>
      runExit(effect.pipe(
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
      const authenticated = await runExit(session.authenticate(authorization))
      if (Exit.isFailure(authenticated)) {
        const failure = Cause.failureOption(authenticated.cause)
        if (Option.isSome(failure)) return unauthorized(failure.value.message, authorization !== null)
        await runExit(Effect.logError("MCP authentication failed", authenticated.cause))
        return rpcError(500, -32603, "Internal error")
      }
      // Answers are always JSON here, so a client that only accepts JSON (curl, a plain fetch) is served too.
      request.headers.set("accept", "application/json, text/event-stream")
      const server = makeServer(tools, executeAs(authenticated.value))
      const transport = new WebStandardStreamableHTTPServerTransport({ enableJsonResponse: true })
      try {
        await server.connect(transport)
        return await transport.handleRequest(request)
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
