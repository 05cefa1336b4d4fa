import { CurrentActor } from "@clockme/domain/contract/Actor"
import type { Actor } from "@clockme/domain/contract/Actor"
import { Authentication } from "@clockme/domain/contract/api/Authentication"
import type { Refused } from "@clockme/domain/services/Admission"
import { Admission, admittedHeaders, refusalHeaders } from "@clockme/domain/services/Admission"
import { DatabaseUnavailable, encodeRefusal } from "@clockme/domain/contract/Refusals"
import { isDatabaseOutage } from "@clockme/domain/repos/SqlErrors"
import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js"
import { Cause, Effect, Exit, Option, Runtime, Schema } from "effect"
import type { Server } from "@modelcontextprotocol/sdk/server/index.js"
import type { AuthInfo } from "@modelcontextprotocol/sdk/server/auth/types.js"
import type { Execute } from "./Server.js"
import { makeServer, McpTools } from "./Server.js"
import { McpSession } from "./Session.js"

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } })

const rpcError = (status: number, code: number, message: string, headers: Record<string, string> = {}) =>
  json(status, { jsonrpc: "2.0", error: { code, message }, id: null }, headers)

/** The outage answer, at admission or during a call: HTTP 503 with Retry-After, JSON-RPC -32000 with the refusal as data. */
const unavailable = encodeRefusal(DatabaseUnavailable.now())
const outage = {
  code: -32000,
  message: (unavailable.body as { readonly message: string }).message,
  data: unavailable.body
} as const

/** Thrown out of a tool call, so that the protocol server answers it as a JSON-RPC error of this code and data. */
class OutageError extends Error {
  readonly code = outage.code
  readonly data = outage.data
  constructor() {
    super(outage.message)
  }
}

const isInitialize = (message: unknown) =>
  typeof message === "object" && message !== null && (message as { readonly method?: unknown }).method === "initialize"

const status: Record<Refused["_tag"], number> = { Unauthorized: 401, RateLimited: 429, WorkspaceNotFound: 404 }
const encodeAdmissionRefusal = Schema.encodeSync(Authentication.failure)

/** Refused at admission: the same body and headers as a REST answer. */
const refused = (error: Refused, tokenSent: boolean) =>
  json(status[error._tag], encodeAdmissionRefusal(error), refusalHeaders(error, tokenSent))

/** Who a request runs as, handed to the protocol server with the request (never kept by it). */
interface Caller {
  readonly actor: Actor
  /** The call met a database outage: the request is answered 503. */
  readonly onOutage: () => void
}

const authInfoOf = (caller: Caller): AuthInfo => ({
  token: "",
  clientId: caller.actor.userId,
  scopes: [caller.actor.scope],
  extra: { caller }
})

const callerOf = (auth: AuthInfo | undefined): Caller => {
  const caller = auth?.extra?.caller as Caller | undefined
  // Every request this endpoint hands the protocol server names its caller; a call without one is a bug here.
  if (caller === undefined) throw new Error("An MCP tool call without its caller")
  return caller
}

/** Idle protocol servers kept for the next requests: as many as ever ran at once, up to this. */
const MAX_IDLE_SERVERS = 64

/**
 * The Streamable HTTP endpoint, stateless: every POST gets a fresh transport (the SDK refuses to reuse a
 * stateless one) connected to a protocol server that is idle, made once per process rather than per request,
 * and the caller is admitted on every request like a REST caller (same API keys, scopes and rate limits);
 * the caller travels with the request, not in the server. Answers are plain JSON with the rate-limit headers.
 */
export class McpHttp extends Effect.Service<McpHttp>()("@clockme/mcp/McpHttp", {
  effect: Effect.gen(function*() {
    const { tools } = yield* McpTools
    const session = yield* McpSession
    const admission = yield* Admission
    const runtime = yield* Effect.runtime<never>()
    const runExit = Runtime.runPromiseExit(runtime)

    // A call refused as malformed (-32602) fails here and is not activity; a domain failure is. A call that
    // meets a database outage is answered like one refused at admission, and the request learns of it.
    const execute: Execute = async (effect, auth) => {
      const { actor, onOutage } = callerOf(auth)
      const exit = await runExit(effect.pipe(
        Effect.tap(() => admission.recordActivity()),
        Effect.provideService(CurrentActor, actor),
        Effect.tapErrorCause((cause) =>
          isDatabaseOutage(cause)
            ? Effect.logWarning("Database unreachable during an MCP call; answered 503", Cause.squash(cause))
            : Effect.void
        ),
        Effect.tapDefect((cause) => isDatabaseOutage(cause) ? Effect.void : Effect.logError("MCP tool call failed", cause))
      ))
      if (Exit.isFailure(exit) && isDatabaseOutage(exit.cause)) {
        onOutage()
        throw new OutageError()
      }
      return exit
    }

    // A server answers one request at a time. One that has answered an `initialize` keeps that client's
    // capabilities (used only for requests to the client, which ClockMe never makes), so it is not reused;
    // nor is one given a body that was not parsed here (not JSON, or a caller passing none), unseen.
    const idle: Array<Server> = []
    const serverFor = (initializes: boolean) => initializes ? makeServer(tools, execute) : idle.pop() ?? makeServer(tools, execute)
    const release = (server: Server, initializes: boolean) => {
      if (!initializes && idle.length < MAX_IDLE_SERVERS) idle.push(server)
    }

    /** `body`: the request's JSON body, already parsed (then `request` has none). */
    const handle = async (request: Request, body?: { readonly parsed: unknown }): Promise<Response> => {
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
          return json(unavailable.status, { jsonrpc: "2.0", error: outage, id: null }, unavailable.headers)
        }
        await runExit(Effect.logError("MCP authentication failed", authenticated.cause))
        return rpcError(500, -32603, "Internal error")
      }
      // Answers are always JSON here, so a client that only accepts JSON (curl, a plain fetch) is served too.
      request.headers.set("accept", "application/json, text/event-stream")
      let metOutage = false
      const caller: Caller = { actor: authenticated.value.actor, onOutage: () => void (metOutage = true) }
      const initializes = body === undefined || [body.parsed].flat().some(isInitialize)
      const server = serverFor(initializes)
      const transport = new WebStandardStreamableHTTPServerTransport({ enableJsonResponse: true })
      try {
        await server.connect(transport)
        const answered = await transport.handleRequest(request, {
          authInfo: authInfoOf(caller),
          ...(body === undefined ? {} : { parsedBody: body.parsed })
        })
        const response = metOutage
          ? new Response(await answered.text(), { status: unavailable.status, headers: answered.headers })
          : answered
        for (const [name, value] of Object.entries({ ...admittedHeaders(authenticated.value), ...(metOutage ? unavailable.headers : {}) })) {
          response.headers.set(name, value)
        }
        return response
      } catch (error) {
        await runExit(Effect.logError("MCP request failed", error))
        return rpcError(500, -32603, "Internal error")
      } finally {
        await server.close()
        release(server, initializes)
      }
    }

    return { handle } as const
  }),
  dependencies: [McpTools.Default, McpSession.Default]
}) {}
