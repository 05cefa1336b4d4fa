import { nextStepOf } from "@clockme/domain/contract/Errors"
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js"
import type { DomainError } from "./Tool.js"

/** The error's own data (code, ids, suggestions, running timers) without the stack. */
const dataOf = (error: DomainError): Record<string, unknown> => {
  const data: Record<string, unknown> = { _tag: error._tag, code: error.code, message: error.message }
  for (const [key, value] of Object.entries(error)) if (key !== "stack") data[key] = value
  return data
}

/**
 * A domain failure as an `isError` tool result: what happened, what to do next (the advice its error class
 * declares), and the error's data.
 */
export const toolError = (error: DomainError): CallToolResult => {
  const next = nextStepOf(error)
  return {
    isError: true,
    content: [
      { type: "text", text: next === undefined ? error.message : `${error.message}\n\nNext step: ${next}` },
      { type: "text", text: JSON.stringify({ error: dataOf(error) }) }
    ]
  }
}
