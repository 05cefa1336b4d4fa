import type { CurrentActor } from "@clockme/domain/contract/Actor"
import { Server } from "@modelcontextprotocol/sdk/server/index.js"
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js"
import { CallToolRequestSchema, ErrorCode } from "@modelcontextprotocol/sdk/types.js"
import { Cause, Effect, Exit, Option } from "effect"
import { toolError } from "./Failures.js"
import { anyParams, capabilities, instructions, ProtocolError, serverInfo } from "./Info.js"
import type { MalformedArguments, Outcome, Tool } from "./Tool.js"
import { EntryTools } from "./tools/EntryTools.js"
import { ProjectTools } from "./tools/ProjectTools.js"
import { ReportTools } from "./tools/ReportTools.js"
import { TaskTools } from "./tools/TaskTools.js"
import { TimerTools } from "./tools/TimerTools.js"

/** Every tool, each one domain service call; built once per server process. */
export class McpTools extends Effect.Service<McpTools>()("@clockme/mcp/McpTools", {
  effect: Effect.gen(function*() {
    const groups = yield* Effect.all([TimerTools, EntryTools, ProjectTools, TaskTools, ReportTools])
    const tools: ReadonlyArray<Tool> = groups.flat()
    return { tools } as const
  })
}) {}

/** Runs a tool call as the caller (the transport decides how: in process, or not at all for a proxy). */
export type Execute = (
  effect: Effect.Effect<Outcome, MalformedArguments, CurrentActor>
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

/** A protocol server over the tools for one request (stateless: nothing outlives the request). */
export const makeServer = (tools: ReadonlyArray<Tool>, execute: Execute): Server => {
  const server = new Server(serverInfo, { capabilities, instructions })
  const definitions = tools.map((tool) => tool.definition)
  const byName = new Map(tools.map((tool) => [tool.definition.name, tool]))
  server.setRequestHandler(anyParams("tools/list"), () => ({ tools: definitions as Array<any> }))
  server.setRequestHandler(anyParams("tools/call"), async (raw) => {
    // The SDK has checked the request against CallToolRequestSchema by now.
    const request = CallToolRequestSchema.parse(raw)
    const tool = byName.get(request.params.name)
    if (tool === undefined) {
      throw new ProtocolError(
        ErrorCode.InvalidParams,
        `Unknown tool "${request.params.name}"; tools/list names the ${definitions.length} clockme_* tools`
      )
    }
    return toResult(await execute(tool.call(request.params.arguments ?? {})))
  })
  return server
}
