// The request path: ClockMe next to a hand-written server doing the same work on the same database, and
// bare node:http, each started in this run. Figures are rows { database, what, server, accounts, ... }.
import { join } from "node:path"
import { heartbeatTotal } from "./seed.mjs"
import { load } from "./load.mjs"
import { freePort, startAndWait, stop } from "./process.mjs"

const here = import.meta.dirname
export const CONNECTIONS = [1, 16, 64]
/** A server compiles its hot paths in its first seconds under load; no figure is taken before. */
const WARM_UP_SECONDS = Number(process.env.BENCH_WARMUP ?? 5)
const heartbeat = [{ method: "POST", path: "/api/timer/heartbeat", body: {} }]
const current = [{ path: "/api/timer/current" }]
const health = [{ path: "/api/health" }]
const mcpStatus = [{
  method: "POST",
  path: "/api/mcp",
  headers: { accept: "application/json, text/event-stream" },
  body: { jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "clockme_status", arguments: {} } }
}]
const hookPath = [
  { method: "POST", path: "/api/timer/start", body: { projectName: "bench-hook", autoCreate: true, source: "hook" } },
  { method: "POST", path: "/api/timer/heartbeat", body: { projectName: "bench-hook" } },
  { method: "POST", path: "/api/timer/stop", body: { projectName: "bench-hook" } }
]

const started = async (args, env) => {
  const port = await freePort()
  const url = `http://127.0.0.1:${port}`
  const server = await startAndWait(args, { ...process.env, ...env, PORT: String(port), HOST: "127.0.0.1" }, `${url}/api/health`)
  return { url, child: server.child, pid: server.child.pid }
}

/** Bare node:http at each connection count: the ceiling of this machine. */
export const bareFigures = async () => {
  const server = await started([join(here, "bare.mjs")], {})
  await load({ url: server.url, connections: 16, requests: health, duration: 1 })
  const rows = []
  for (const connections of CONNECTIONS) {
    rows.push({ what: "health", server: "bare", accounts: 0, ...await load({ url: server.url, connections, requests: health, pid: server.pid }) })
  }
  await stop(server.child)
  return rows
}

/**
 * Heartbeats over every account and over one, at each connection count; `counted` (PostgreSQL only) reads the
 * sum of heartbeat counts so each run checks that every answered heartbeat was recorded.
 */
const heartbeats = async (url, pid, keys, server, counted) => {
  const rows = []
  for (const accounts of [keys.length, 1]) {
    for (const connections of CONNECTIONS) {
      const before = counted === undefined ? undefined : await counted()
      const figure = await load({ url, connections, keys: keys.slice(0, accounts), requests: heartbeat, pid })
      const recorded = before === undefined ? undefined : (await counted()) - before
      rows.push({ what: "heartbeat", server, accounts, ...figure, ...(recorded === undefined ? {} : { recorded }) })
    }
  }
  return rows
}

/** ClockMe on one database: `env` names it; `db` (optional) reads it while the server runs. */
export const clockmeFigures = async ({ serverBin, env, keys, db }) => {
  const server = await started([serverBin, "serve"], { ...env, CLOCKME_RATE_LIMITS: "off" })
  const { url, pid } = server
  for (const key of keys) {
    const answer = await fetch(`${url}/api/timer/heartbeat`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify({ projectName: "bench-project", autoStart: true })
    })
    if (!answer.ok) throw new Error(`starting a bench timer: ${answer.status} ${await answer.text()}`)
  }
  await load({ url, connections: 16, keys, requests: heartbeat, duration: WARM_UP_SECONDS })
  const rows = await heartbeats(url, pid, keys, "clockme", db === undefined ? undefined : () => heartbeatTotal(db))
  for (const connections of [16, 64]) {
    rows.push({ what: "current", server: "clockme", accounts: keys.length, ...await load({ url, connections, keys, requests: current, pid }) })
    rows.push({ what: "health", server: "clockme", accounts: 0, ...await load({ url, connections, requests: health, pid }) })
  }
  rows.push({ what: "mcp status", server: "clockme", accounts: keys.length, ...await load({ url, connections: 16, keys, requests: mcpStatus, pid }) })
  rows.push({ what: "rest status", server: "clockme", accounts: keys.length, ...await load({ url, connections: 16, keys, requests: current, pid }) })
  rows.push({ what: "hook path", server: "clockme", accounts: keys.length, ...await load({ url, connections: 16, keys, requests: hookPath, pid }) })
  await stop(server.child)
  return rows
}

/** The hand-written server on the same database (BENCH_DB pg or pglite). */
export const handwrittenFigures = async ({ env, keys }) => {
  const server = await started([join(here, "handwritten.mjs")], env)
  const { url, pid } = server
  await load({ url, connections: 16, keys, requests: heartbeat, duration: WARM_UP_SECONDS })
  const rows = await heartbeats(url, pid, keys, "handwritten")
  for (const connections of [16, 64]) {
    rows.push({ what: "current", server: "handwritten", accounts: keys.length, ...await load({ url, connections, keys, requests: current, pid }) })
  }
  await stop(server.child)
  return rows
}
