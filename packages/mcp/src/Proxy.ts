import { Client } from "@modelcontextprotocol/sdk/client/index.js"
import { StreamableHTTPClientTransport, StreamableHTTPError } from "@modelcontextprotocol/sdk/client/streamableHttp.js"
import { Server } from "@modelcontextprotocol/sdk/server/index.js"
import {
  CallToolRequestSchema,
  CallToolResultSchema,
  ErrorCode,
  ListToolsRequestSchema,
  ListToolsResultSchema,
  McpError
} from "@modelcontextprotocol/sdk/types.js"
import { anyParams, capabilities, instructions, ProtocolError, serverInfo } from "./Info.js"

export interface ProxyOptions {
  /** The ClockMe server, e.g. http://127.0.0.1:8787 (or its /api/mcp endpoint). */
  readonly url: string
  /** An API key, ck_live_… */
  readonly key: string
  /** Where diagnostics go; never stdout, which carries the protocol. */
  readonly log: (line: string) => void
}

/** The server's MCP endpoint for a base URL; a URL that already names the endpoint is kept. */
export const endpointOf = (url: string): URL => {
  const base = new URL(url)
  return base.pathname.replace(/\/+$/, "").endsWith("/api/mcp") ? base : new URL("api/mcp", base.href.replace(/\/*$/, "/"))
}

const prefix = /^MCP error -?\d+: /

/** A failure of the remote call, as the error this server answers with. */
const relay = (error: unknown, endpoint: URL): ProtocolError => {
  if (error instanceof McpError) return new ProtocolError(error.code, error.message.replace(prefix, ""))
  if (error instanceof StreamableHTTPError && error.code === 401) {
    return new ProtocolError(
      ErrorCode.InternalError,
      `ClockMe at ${endpoint.origin} rejected the API key (401): set CLOCKME_API_KEY (or --key) to a valid ck_live_ key`
    )
  }
  if (error instanceof StreamableHTTPError && error.code === 429) {
    return new ProtocolError(
      ErrorCode.InternalError,
      `ClockMe's rate limit for this account is reached; wait a minute and try again (${error.message})`
    )
  }
  const reason = error instanceof Error ? error.message : String(error)
  return new ProtocolError(ErrorCode.InternalError, `Cannot reach ClockMe at ${endpoint.href}: ${reason}`)
}

/**
 * The same tools over another transport (stdio): each tools/list and tools/call is relayed to a ClockMe
 * server's /api/mcp with the user's key, so the tools, their schemas and their answers are the server's own.
 */
export const makeProxyServer = (options: ProxyOptions): Server => {
  const endpoint = endpointOf(options.url)
  let remote: Promise<Client> | undefined

  const connect = async () => {
    const client = new Client({ name: "clockme-mcp-stdio", version: serverInfo.version })
    const transport = new StreamableHTTPClientTransport(endpoint, {
      requestInit: { headers: { authorization: `Bearer ${options.key}` } }
    })
    await client.connect(transport)
    options.log(`connected to ${endpoint.href}`)
    return client
  }

  // Connects on first use and again after a failure, so a server started after this process is picked up.
  const client = () => {
    remote ??= connect().catch((error) => {
      remote = undefined
      throw error
    })
    return remote
  }

  const forward = async <A>(run: (client: Client) => Promise<A>): Promise<A> => {
    try {
      return await run(await client())
    } catch (error) {
      const relayed = relay(error, endpoint)
      if (relayed.code === ErrorCode.InternalError) options.log(relayed.message)
      throw relayed
    }
  }

  const server = new Server(serverInfo, { capabilities, instructions })
  server.setRequestHandler(anyParams("tools/list"), (raw) => {
    const { params } = ListToolsRequestSchema.parse(raw)
    return forward((remote) => remote.request({ method: "tools/list", params }, ListToolsResultSchema))
  })
  server.setRequestHandler(anyParams("tools/call"), (raw) => {
    const { params } = CallToolRequestSchema.parse(raw)
    return forward((remote) => remote.request({ method: "tools/call", params }, CallToolResultSchema))
  })
  server.onclose = () => {
    void remote?.then((connected) => connected.close()).catch(() => undefined)
  }
  return server
}
