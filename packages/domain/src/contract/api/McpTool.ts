import { Context } from "effect"

/**
 * The MCP tool that mirrors an endpoint, declared on the endpoint with `.annotate(McpTool, { … })`. The tool
 * takes its parameters' schemas from the endpoint's path, query and body, its result schema from the
 * endpoint's success, and runs the endpoint's operation; the mcp package serves one tool per annotation.
 */
export interface McpToolSpec {
  /** snake_case, starting with `clockme_`. */
  readonly name: string
  readonly title: string
  readonly description: string
  readonly destructive: boolean
  readonly idempotent: boolean
  /**
   * Every argument with its description (format, unit, what omitting it means). An argument is the
   * endpoint's path, query or body field of the same name, or the path field that `rename` gives that name;
   * the endpoint's other fields are not offered.
   */
  readonly params: { readonly [argument: string]: string }
  /** Path fields offered under another name, e.g. `{ id: "projectId" }`. */
  readonly rename?: { readonly [pathField: string]: string }
  /** A path field taken from the caller's active workspace instead of an argument. */
  readonly activeWorkspace?: string
  /** Optional query fields that the tool requires. */
  readonly required?: ReadonlyArray<string>
  /** A list result is returned as `{ [resultKey]: [...] }`: tool results are objects. */
  readonly resultKey?: string
}

export class McpTool extends Context.Tag("@clockme/domain/McpTool")<McpTool, McpToolSpec>() {}

/** The hints of a tool that only reads (it is read-only when its endpoint needs the read scope: RequiredScope). */
export const readOnly = { destructive: false, idempotent: true } as const
