import type { CurrentActor } from "@clockme/domain/Actor"
import { Server } from "@modelcontextprotocol/sdk/server/index.js"
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js"
import { CallToolRequestSchema, ErrorCode, ListToolsRequestSchema, McpError } from "@modelcontextprotocol/sdk/types.js"
import { Cause, Effect, Exit, Option } from "effect"
import { toolError } from "./Failures.js"
import type { MalformedArguments, Outcome, Tool } from "./Tool.js"
import { EntryTools } from "./tools/EntryTools.js"
import { ProjectTools } from "./tools/ProjectTools.js"
import { ReportTools } from "./tools/ReportTools.js"
import { TaskTools } from "./tools/TaskTools.js"
import { TimerTools } from "./tools/TimerTools.js"

export const serverInfo = { name: "clockme", title: "ClockMe", version: "0.1.0" } as const

export const instructions =
  "ClockMe tracks the time spent on coding work, per project. When you start working on something, call " +
  "clockme_start_timer with the repository's folder name as projectName (autoCreate: true makes the project " +
  "if it is new); call clockme_stop_timer when the work is done. Log work done earlier with clockme_log_time and " +
  "an idempotencyKey, so a retry never logs it twice. Ids come from clockme_list_projects, clockme_list_tasks, " +
  "clockme_status and clockme_list_entries. Instants are ISO 8601 with a timezone; days are YYYY-MM-DD in the " +
  "user's timezone."

/** Every tool, each one domain service call; built once per server process. */
export class McpTools extends Effect.Service<McpTools>()("@clockme/mcp/McpTools", {
  effect: Effect.gen(function*() {
    const groups = yield* Effect.all([TimerTools, EntryTools, ProjectTools, TaskTools, ReportTools])
    const tools: ReadonlyArray<Tool> = groups.flat()
    return { tools, byName: new Map(tools.map((tool) => [tool.definition.name, tool])) } as const
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
  if (Option.isSome(malformed)) throw new McpError(ErrorCode.InvalidParams, malformed.value.message)
  throw new McpError(ErrorCode.InternalError, internalErrorMessage)
}

/** A protocol server over the tools for one request (stateless: nothing outlives the request). */
export const makeServer = (tools: McpTools, execute: Execute): Server => {
  const server = new Server(serverInfo, { capabilities: { tools: { listChanged: false } }, instructions })
  const definitions = tools.tools.map((tool) => tool.definition)
  server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: definitions as Array<any> }))
  server.setRequestHandler(CallToolRequestSchema, async (request) => {
    const tool = tools.byName.get(request.params.name)
    if (tool === undefined) {
      throw new McpError(
        ErrorCode.InvalidParams,
        `Unknown tool "${request.params.name}"; tools/list names the ${definitions.length} clockme_* tools`
      )
    }
    return toResult(await execute(tool.call(request.params.arguments ?? {})))
  })
  return server
}
