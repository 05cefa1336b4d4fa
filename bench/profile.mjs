// Where the built server spends its CPU on one request: runs it under `node --cpu-prof` against a load of
// BENCH_PROFILE (heartbeat, current, health, mcp; default heartbeat) over 200 accounts at 16 connections,
// then prints the functions and the packages with the most self time, and on PostgreSQL the statements per
// request (pg_stat_statements). BENCH_DB=embedded profiles on the embedded database; otherwise PostgreSQL is
// started as `npm run bench` does (or DATABASE_URL used). Usage: node bench/profile.mjs
import { mkdtempSync, readdirSync, readFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import pg from "pg"
import { load } from "./load.mjs"
import { freePort, run, startAndWait, stop } from "./process.mjs"
import { startPostgres } from "./postgres.mjs"
import { seedAccounts } from "./seed.mjs"

const root = join(import.meta.dirname, "..")
const serverBin = join(root, "packages/api/dist/bin.js")
const what = process.env.BENCH_PROFILE ?? "heartbeat"
const scratch = mkdtempSync(join(tmpdir(), "clockme-profile-"))
const requests = {
  heartbeat: [{ method: "POST", path: "/api/timer/heartbeat", body: {} }],
  current: [{ path: "/api/timer/current" }],
  health: [{ path: "/api/health" }],
  mcp: [{
    method: "POST",
    path: "/api/mcp",
    headers: { accept: "application/json, text/event-stream" },
    body: { jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "clockme_status", arguments: {} } }
  }]
}[what]

let env
let admin
let keys
const postgres = process.env.BENCH_DB === "embedded" ? undefined : await startPostgres(await freePort())
if (postgres !== undefined) {
  admin = new pg.Client({ connectionString: postgres.url })
  await admin.connect()
  const name = `clockme_profile_${process.pid}`
  await admin.query(`CREATE DATABASE ${name}`)
  const url = new URL(postgres.url)
  url.pathname = `/${name}`
  env = { DATABASE_URL: url.toString(), name }
  await run([serverBin, "migrate"], { ...process.env, ...env })
  const db = new pg.Client({ connectionString: env.DATABASE_URL })
  await db.connect()
  keys = await seedAccounts(db, 200)
  await db.query("CREATE EXTENSION IF NOT EXISTS pg_stat_statements").catch(() => undefined)
  await db.end()
} else {
  env = { CLOCKME_DATA_DIR: join(scratch, "data"), DATABASE_URL: "" }
  await run([serverBin, "migrate"], { ...process.env, ...env })
  const { PGlite } = await import("@electric-sql/pglite")
  const db = await PGlite.create({ dataDir: join(scratch, "data", "pgdata") })
  keys = await seedAccounts(db, 200)
  await db.close()
}
const port = await freePort()
const url = `http://127.0.0.1:${port}`
// BENCH_SOURCE=1 runs the TypeScript sources (through tsx), so functions keep their names and files.
const entry = process.env.BENCH_SOURCE ? ["--import", "tsx", join(root, "packages/api/src/bin.ts")] : [serverBin]
const server = await startAndWait(
  ["--cpu-prof", `--cpu-prof-dir=${scratch}`, ...entry, "serve"],
  { ...process.env, ...env, CLOCKME_RATE_LIMITS: "off", PORT: String(port), HOST: "127.0.0.1" },
  `${url}/api/health`
)
for (const key of keys) {
  await fetch(`${url}/api/timer/heartbeat`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify({ projectName: "bench-project", autoStart: true })
  }).then((r) => r.text())
}
const statements = admin === undefined ? undefined : new pg.Client({ connectionString: env.DATABASE_URL })
await statements?.connect()
const reset = await statements?.query("SELECT pg_stat_statements_reset()").then(() => true, () => false)
const figure = await load({ url, connections: 16, keys, requests, duration: Number(process.env.BENCH_SECONDS ?? 10), pid: server.child.pid })
if (reset) {
  const { rows } = await statements.query(`
    SELECT calls, round(total_exec_time::numeric, 1) AS ms, left(regexp_replace(query, '\\s+', ' ', 'g'), 110) AS query
    FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
    ORDER BY calls DESC LIMIT 15`)
  const served = figure.ok + figure.failed
  console.log(`Statements per request (${served} answered; pg_stat_statements):`)
  for (const row of rows) console.log(`${(row.calls / served).toFixed(2).padStart(6)}  ${String(row.ms).padStart(8)} ms  ${row.query}`)
}
await statements?.end()
await stop(server.child)
if (admin !== undefined) {
  await admin.query(`DROP DATABASE ${env.name} WITH (FORCE)`)
  await admin.end()
}
postgres?.stop()

const profile = JSON.parse(readFileSync(join(scratch, readdirSync(scratch).find((f) => f.endsWith(".cpuprofile"))), "utf8"))
const self = new Map()
const byNode = new Map(profile.nodes.map((node) => [node.id, node]))
const dt = new Map()
for (let i = 0; i < profile.samples.length; i++) {
  dt.set(profile.samples[i], (dt.get(profile.samples[i]) ?? 0) + (profile.timeDeltas[i] ?? 0))
}
const packages = new Map()
const files = new Map()
let total = 0
for (const [id, micros] of dt) {
  const { callFrame } = byNode.get(id)
  const where = callFrame.url.replace(/^.*node_modules\//, "").replace(/^file:\/\/.*\/packages\//, "clockme/")
  const key = `${callFrame.functionName || "(anonymous)"} ${where}:${callFrame.lineNumber}:${callFrame.columnNumber}`
  self.set(key, (self.get(key) ?? 0) + micros)
  const pkg = callFrame.url === "" ? callFrame.functionName : where.startsWith("@") ? where.split("/").slice(0, 2).join("/") : where.split("/")[0]
  packages.set(pkg, (packages.get(pkg) ?? 0) + micros)
  files.set(where, (files.get(where) ?? 0) + micros)
  total += micros
}
const top = (map, n) => [...map].sort((a, b) => b[1] - a[1]).slice(0, n)
  .map(([k, v]) => `${(100 * v / total).toFixed(1).padStart(5)}%  ${k}`).join("\n")
console.log(`${what}: ${figure.rps.toFixed(0)} req/s, p50 ${figure.p50} ms, p99 ${figure.p99} ms, ${figure.cpuMs?.toFixed(3)} ms of server CPU per request (profiler included)\n`)
console.log(`By package or file (self time):\n${top(packages, 20)}\n`)
console.log(`By file (self time):\n${top(files, 25)}\n`)
console.log(`By function (self time):\n${top(self, 40)}`)
console.log(`\nProfile: ${scratch}`)
