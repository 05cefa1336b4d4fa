import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js"
import type { DomainError } from "./Tool.js"

type Fields = DomainError & Record<string, unknown>

const list = (names: ReadonlyArray<string>) => names.map((name) => `"${name}"`).join(", ")

/** What the model can do about each domain failure, in terms of this server's tools. */
const nextSteps: Record<string, (error: Fields) => string> = {
  ProjectNotFound: (error) => {
    const suggestions = (error.suggestions ?? []) as ReadonlyArray<string>
    if (typeof error.projectName === "string") {
      return suggestions.length > 0
        ? `The closest project names are ${list(suggestions)}: call again with one of them (or its projectId), ` +
          `or with autoCreate: true to create "${error.projectName}".`
        : `Call clockme_list_projects to see the projects, or call again with autoCreate: true to create ` +
          `"${error.projectName}".`
    }
    return "Call clockme_list_projects for the ids of the projects in the active workspace."
  },
  ProjectArchived: (error) =>
    `Restore it with clockme_update_project {"projectId": "${error.projectId}", "archived": false}, or use another project.`,
  ProjectNameTaken: () => "Call clockme_list_projects to get that project's id, or choose another name.",
  TaskNotFound: () =>
    "Call clockme_list_tasks with the project's id (status \"all\" includes completed tasks) for valid task ids.",
  EntryNotFound: () => "Call clockme_list_entries to find the entry's id.",
  TimerNotRunning: () =>
    "Call clockme_status to see your running and paused timers, or clockme_start_timer to start one.",
  AmbiguousTimer: (error) => {
    const timers = (error.timers ?? []) as ReadonlyArray<{ projectId: string; projectName: string }>
    return `The timers are: ${timers.map((t) => `"${t.projectName}" (projectId ${t.projectId})`).join(", ")}. ` +
      "Call again with the projectId of the one you mean."
  },
  TimerExists: (error) =>
    `Stop the timer on that project first (clockme_stop_timer {"projectId": "${error.projectId}"}) or pick another project.`,
  BudgetExhausted: () =>
    "Track this time on another project, or ask a workspace owner to raise budgetHours or budgetAmount or to " +
    "turn budgetHardCap off (clockme_update_project).",
  InsufficientScope: (error) =>
    `This tool needs an API key with the "${error.required}" scope; the key in this MCP server configuration has ` +
    `"${error.scope}". Ask the user to create a key with the "${error.required}" scope and put it in the ` +
    "Authorization header of the ClockMe MCP server configuration; read-only tools keep working meanwhile.",
  InvalidInput: (error) => `Correct the ${String(error.field)} argument and call again.`,
  Forbidden: () =>
    "Your role does not allow this (only an entry's author changes it; only owners change a shared project's " +
    "rates, budgets, billability or archiving): leave it as it is or ask a workspace owner.",
  Conflict: () => "Use a new idempotencyKey for a different request, or reuse the key only to repeat the same call.",
  WorkspaceNotFound: () => "Call clockme_get_dashboard to see the active workspace."
}

/** The error's own data (code, ids, suggestions, running timers) without the stack. */
const dataOf = (error: DomainError): Record<string, unknown> => {
  const data: Record<string, unknown> = { _tag: error._tag, code: error.code, message: error.message }
  for (const [key, value] of Object.entries(error)) if (key !== "stack") data[key] = value
  return data
}

/** A domain failure as an `isError` tool result: what happened, what to do next, and the error's data. */
export const toolError = (error: DomainError): CallToolResult => {
  const next = nextSteps[error._tag]?.(error as Fields)
  return {
    isError: true,
    content: [
      { type: "text", text: next === undefined ? error.message : `${error.message}\n\nNext step: ${next}` },
      { type: "text", text: JSON.stringify({ error: dataOf(error) }) }
    ]
  }
}
