#!/usr/bin/env node
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js"
import { parseArgs } from "node:util"
import { makeProxyServer } from "./Proxy.js"

const usage = `Usage: clockme-mcp [--url URL] [--key KEY]

Serves ClockMe's MCP tools over stdio, for MCP clients that only speak stdio, by relaying them to a
ClockMe server. Logs go to stderr; stdout carries the protocol.

  --url URL   the ClockMe server (env CLOCKME_URL; default http://127.0.0.1:8787)
  --key KEY   an API key, ck_live_… (env CLOCKME_API_KEY; prefer the environment, arguments are visible to ps)`

const log = (line: string) => process.stderr.write(`clockme-mcp: ${line}\n`)

let options
try {
  options = parseArgs({
    options: { url: { type: "string" }, key: { type: "string" }, help: { type: "boolean", short: "h" } }
  }).values
} catch (error) {
  log(error instanceof Error ? error.message : String(error))
  process.stderr.write(`${usage}\n`)
  process.exit(2)
}
if (options.help) {
  process.stderr.write(`${usage}\n`)
  process.exit(0)
}
const url = options.url ?? process.env.CLOCKME_URL ?? "http://127.0.0.1:8787"
const key = options.key ?? process.env.CLOCKME_API_KEY ?? ""
if (key === "") {
  log("no API key: set CLOCKME_API_KEY (or pass --key ck_live_…)")
  process.exit(2)
}
try {
  new URL(url)
} catch {
  log(`not a URL: ${url}`)
  process.exit(2)
}

const server = makeProxyServer({ url, key, log })
const transport = new StdioServerTransport()
transport.onclose = () => process.exit(0)
process.stdin.on("end", () => void server.close().finally(() => process.exit(0)))
await server.connect(transport)
log(`serving the ClockMe tools of ${url} over stdio`)
