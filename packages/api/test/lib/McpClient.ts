import { expect } from "@effect/vitest"
import { Client } from "@modelcontextprotocol/sdk/client/index.js"
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js"
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js"
import { McpError } from "@modelcontextprotocol/sdk/types.js"
import { Effect } from "effect"

/**
 * The SDK's real client over Streamable HTTP, connected with a key, as Claude Code or Cursor would be.
 * It lists the tools once, so every later call is checked against the tool's declared outputSchema.
 */
export const connectMcp = (base: string, key: string) =>
  Effect.acquireRelease(
    Effect.promise(async () => {
      const client = new Client({ name: "clockme-test", version: "1.0.0" })
      const transport = new StreamableHTTPClientTransport(new URL(`${base}/api/mcp`), {
        requestInit: { headers: { authorization: `Bearer ${key}` } }
      })
      await client.connect(transport)
      await client.listTools()
      return client
    }),
    (client) => Effect.promise(() => client.close())
  )

export interface ToolReply {
  readonly isError: boolean
  /** structuredContent of a success; the error data (code, suggestions, timers) of a tool error. */
  readonly data: any
  /** The text the model reads. */
  readonly text: string
  readonly raw: CallToolResult
}

const texts = (result: CallToolResult) =>
  result.content.flatMap((block) => block.type === "text" ? [block.text] : [])

/** tools/call; a protocol error fails the test (use `callToolProtocolError` for those). */
export const callTool = (client: Client, name: string, args: Record<string, unknown> = {}) =>
  Effect.promise(async (): Promise<ToolReply> => {
    const result = await client.callTool({ name, arguments: args }) as CallToolResult
    const [text = "", data] = texts(result)
    if (result.isError === true) {
      return { isError: true, data: data === undefined ? undefined : JSON.parse(data).error, text, raw: result }
    }
    // The text is the structured content, serialized.
    expect(JSON.parse(text)).toEqual(result.structuredContent)
    return { isError: false, data: result.structuredContent, text, raw: result }
  })

/** A tool call that must succeed; returns its structured content. */
export const ok = (client: Client, name: string, args: Record<string, unknown> = {}) =>
  Effect.tap(callTool(client, name, args), (reply) => {
    if (reply.isError) expect.fail(`${name} failed: ${reply.text}`)
  }).pipe(Effect.map((reply) => reply.data))

/** A tool call that must give an isError result with this error code; returns the reply. */
export const toolError = (client: Client, name: string, args: Record<string, unknown>, code: string) =>
  Effect.tap(callTool(client, name, args), (reply) => {
    expect({ isError: reply.isError, code: reply.data?.code }).toEqual({ isError: true, code })
    expect(reply.raw.structuredContent).toBeUndefined()
    expect(reply.text.length).toBeGreaterThan(20)
    expect(reply.text).toContain("Next step:")
  })

/** A tools/call the protocol refuses (JSON-RPC error), e.g. malformed arguments or an unknown tool. */
export const protocolError = (client: Client, name: string, args: Record<string, unknown>) =>
  Effect.promise(() =>
    client.callTool({ name, arguments: args }).then(
      (result) => expect.fail(`expected a protocol error, got ${JSON.stringify(result)}`),
      (error: unknown) => {
        expect(error).toBeInstanceOf(McpError)
        return error as McpError
      }
    )
  )

/** A raw JSON-RPC POST, exactly as a client configured from the public docs sends it. */
export const rpc = (base: string, body: unknown, headers: Record<string, string>) =>
  Effect.promise(async () => {
    const response = await fetch(`${base}/api/mcp`, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: typeof body === "string" ? body : JSON.stringify(body)
    })
    const text = await response.text()
    let parsed: any = text
    try {
      parsed = text === "" ? null : JSON.parse(text)
    } catch {
      parsed = text
    }
    return { status: response.status, headers: response.headers, body: parsed }
  })
