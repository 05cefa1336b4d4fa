import { CurrentActor } from "@clockme/domain/contract/Actor"
import type { Actor } from "@clockme/domain/contract/Actor"
import { Authentication } from "@clockme/domain/contract/api/Authentication"
import type { Refused } from "@clockme/domain/services/Admission"
import { Admission, admittedHeaders, refusalHeaders } from "@clockme/domain/services/Admission"
import { isDatabaseOutage, OUTAGE_RETRY_AFTER_SECONDS } from "@clockme/domain/repos/SqlErrors"
import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js"
import { Cause, Effect, Exit, Option, Runtime, Schema } from "effect"
import type { Execute } from "./Server.js"
import { makeServer, McpTools } from "./Server.js"
import { McpSession } from "./Session.js"

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } })

const rpcError = (status: number, code: number, message: string, headers: Record<string, string> = {}) =>
  json(status, { jsonrpc: "2.0", error: { code, message }, id: null }, headers)

const status: Record<Refused["_tag"], number> = { Unauthorized: 401, RateLimited: 429, WorkspaceNotFound: 404 }
const encodeRefusal = Schema.encodeSync(Authentication.failure)

/** Refused at admission: the same body and headers as a REST answer. */
const refused = (error: Refused, tokenSent: boolean) =>
  json(status[error._tag], encodeRefusal(error), refusalHeaders(error, tokenSent))

/**
 * The Streamable HTTP endpoint, stateless: every POST gets a fresh protocol server and transport, and the
 * caller is admitted on every request like a REST caller (same API keys, scopes and rate limits).
 * Answers are plain JSON with the rate-limit headers.
 */
export class McpHttp extends Effect.Service<McpHttp>()("@clockme/mcp/McpHttp", {
  effect: Effect.gen(function*() {
    const { tools } = yield* McpTools
    const session = yield* McpSession
    const admission = yield* Admission
    const runtime = yield* Effect.runtime<never>()
    const runExit = Runtime.runPromiseExit(runtime)

    // A call refused as malformed (-32602) fails here and is not activity; a domain failure is.
    const executeAs = (actor: Actor): Execute => (effect) =>
      runExit(effect.pipe(
        Effect.tap(() => admission.recordActivity()),
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
        if (isDatabaseOutage(authenticated.cause)) {
          return rpcError(503, -32000, `The database is not reachable right now; retry in ${OUTAGE_RETRY_AFTER_SECONDS} s`, {
            "retry-after": String(OUTAGE_RETRY_AFTER_SECONDS)
          })
        }
        await runExit(Effect.logError("MCP authentication failed", authenticated.cause))
        return rpcError(500, -32603, "Internal error")
      }
      // Answers are always JSON here, so a client that only accepts JSON (curl, a plain fetch) is served too.
      request.headers.set("accept", "application/json, text/event-stream")
      const server = makeServer(tools, executeAs(authenticated.value.actor))
      const transport = new WebStandardStreamableHTTPServerTransport({ enableJsonResponse: true })
      try {
        await server.connect(transport)
        const response = await transport.handleRequest(request)
        for (const [name, value] of Object.entries(admittedHeaders(authenticated.value))) response.headers.set(name, value)
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
