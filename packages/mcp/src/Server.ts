import type { CurrentActor } from "@clockme/domain/contract/Actor"
import { Api } from "@clockme/domain/contract/api/Api"
import { Operations } from "@clockme/domain/Operations"
import { Server } from "@modelcontextprotocol/sdk/server/index.js"
import { AjvJsonSchemaValidator } from "@modelcontextprotocol/sdk/validation/ajv"
import type { AuthInfo } from "@modelcontextprotocol/sdk/server/auth/types.js"
import type { CallToolRequest, CallToolResult } from "@modelcontextprotocol/sdk/types.js"
import { ErrorCode } from "@modelcontextprotocol/sdk/types.js"
import { Cause, Effect, Exit, Option } from "effect"
import { toolError } from "./Failures.js"
import { anyParams, capabilities, instructions, ProtocolError, serverInfo } from "./Info.js"
import type { MalformedArguments, Outcome, Tool } from "./Tool.js"
import type { AnyOperation } from "./ToolTable.js"
import { toolsOf } from "./ToolTable.js"

/** The tools the contract declares, each running its endpoint's operation; built once per server process. */
export class McpTools extends Effect.Service<McpTools>()("@clockme/mcp/McpTools", {
  effect: Effect.map(Operations, (operations) => {
    // The table is typed per endpoint; read generically, each operation takes its endpoint's decoded request.
    const table = operations as unknown as { readonly [group: string]: { readonly [endpoint: string]: AnyOperation } }
    const tools: ReadonlyArray<Tool> = toolsOf(Api, table)
    return { tools } as const
  })
}) {}

/**
 * Runs a tool call as the caller (the transport decides how: in process, or not at all for a proxy). The
 * caller comes with the request (`authInfo` of the transport's handleRequest), so one server can answer
 * the requests of different callers, one after another.
 */
export type Execute = (
  effect: Effect.Effect<Outcome, MalformedArguments, CurrentActor>,
  caller: AuthInfo | undefined
) => Promise<Exit.Exit<Outcome, MalformedArguments>>

export const internalErrorMessage = "ClockMe could not complete this call because of an internal error (it was " +
  "logged on the server). Try again; if it keeps failing, tell the user."

const toResult = (exit: Exit.Exit<Outcome, MalformedArguments>): CallToolResult => {
  if (Exit.isSuccess(exit)) {
    const outcome = exit.value
    if (outcome._tag === "Failure") return toolError(outcome.error)
    return {
      content: [{ type: "text", text: JSON.stringify(outcome.structured) }],
      structuredContent: outcome.structured as Record<string, unknown>
    }
  }
  const malformed = Cause.failureOption(exit.cause)
  if (Option.isSome(malformed)) throw new ProtocolError(ErrorCode.InvalidParams, malformed.value.message)
  throw new ProtocolError(ErrorCode.InternalError, internalErrorMessage)
}

// The SDK builds a fresh Ajv (with its formats) per server unless given one: a third of an MCP call's CPU when
// that was per request. The server only uses it to check elicitation answers, which ClockMe never asks for.
const jsonSchemaValidator = new AjvJsonSchemaValidator()

/** A protocol server over the tools; it keeps nothing of a call, so it may serve many, one at a time. */
export const makeServer = (tools: ReadonlyArray<Tool>, execute: Execute): Server => {
  const server = new Server(serverInfo, { capabilities, instructions, jsonSchemaValidator })
  const definitions = tools.map((tool) => tool.definition)
  const byName = new Map(tools.map((tool) => [tool.definition.name, tool]))
  server.setRequestHandler(anyParams("tools/list"), () => ({ tools: definitions as Array<any> }))
  server.setRequestHandler(anyParams("tools/call"), async (raw, extra) => {
    // The SDK has checked this very request against CallToolRequestSchema before calling here (and answered
    // -32602 if it did not match): parsing it again would only cost a second validation per call.
    const request = raw as CallToolRequest
    const tool = byName.get(request.params.name)
    if (tool === undefined) {
      throw new ProtocolError(
        ErrorCode.InvalidParams,
        `Unknown tool "${request.params.name}"; tools/list names the ${definitions.length} clockme_* tools`
      )
    }
    return toResult(await execute(tool.call(request.params.arguments ?? {}), extra.authInfo))
  })
  return server
}
