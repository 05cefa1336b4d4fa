import { z } from "zod"

/** What the server says about itself in `initialize`, the same over HTTP and stdio. */
export const serverInfo = { name: "clockme", title: "ClockMe", version: "0.1.0" } as const

export const instructions =
  "ClockMe tracks the time spent on coding work, per project. When you start working on something, call " +
  "clockme_start_timer with the repository's folder name as projectName (autoCreate: true makes the project " +
  "if it is new); call clockme_stop_timer when the work is done. Log work done earlier with clockme_log_time and " +
  "an idempotencyKey, so a retry never logs it twice. Ids come from clockme_list_projects, clockme_list_tasks, " +
  "clockme_status and clockme_list_entries. Instants are ISO 8601 with a timezone; days are YYYY-MM-DD in the " +
  "user's timezone."

export const capabilities = { tools: { listChanged: false } } as const

/**
 * A JSON-RPC error for the SDK to answer with: it sends `code` and `message` as they are (the SDK's own
 * McpError would prefix the message with "MCP error <code>:").
 */
export class ProtocolError extends Error {
  constructor(readonly code: number, message: string) {
    super(message)
  }
}

/**
 * A request schema that only names the method. The SDK parses a handler's request schema before anything
 * else and answers a mismatch as an internal error (-32603); with this one, its tools/call check runs
 * instead and answers invalid params (-32602), as the spec asks.
 */
export const anyParams = <M extends string>(method: M) => z.object({ method: z.literal(method), params: z.optional(z.unknown()) })
