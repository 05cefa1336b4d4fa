// Baseline: a hand-written node:http server doing the request path's work and nothing else: the key by its
// hash (with the user's active workspace) in one statement, then one UPDATE (heartbeat) or SELECT (current)
// of the caller's timers. BENCH_DB=pg uses node-postgres on DATABASE_URL (a pool of 10, as ClockMe's);
// BENCH_DB=pglite opens PGlite on CLOCKME_DATA_DIR, on V8's baseline WebAssembly compiler as ClockMe does.
import { createHash } from "node:crypto"
import { createServer } from "node:http"
import { setFlagsFromString } from "node:v8"

const admit = `
  SELECT k.user_id, coalesce(k.workspace_id, u.active_workspace_id) AS workspace_id, k.scope
  FROM api_keys k JOIN users u ON u.id = k.user_id
  WHERE k.hash = $1 AND k.revoked_at IS NULL AND (k.expires_at IS NULL OR k.expires_at > now())`
const heartbeat = `
  UPDATE timers SET last_activity_at = greatest(last_activity_at, now()), heartbeat_count = heartbeat_count + 1
  WHERE user_id = $1 AND workspace_id = $2 AND source IN ('hook', 'mcp') AND state = 'running'
  RETURNING id, project_id, state, started_at, last_activity_at, heartbeat_count`
const current = `
  SELECT t.id, t.project_id, p.name AS project_name, t.state, t.started_at, t.running_since, t.accumulated_ms
  FROM timers t JOIN projects p ON p.id = t.project_id
  WHERE t.user_id = $1 AND t.workspace_id = $2 ORDER BY t.started_at`

let query
if (process.env.BENCH_DB === "pglite") {
  setFlagsFromString("--liftoff-only")
  const { PGlite } = await import("@electric-sql/pglite")
  const db = await PGlite.create({ dataDir: `${process.env.CLOCKME_DATA_DIR}/pgdata`, postgresqlconf: "shared_buffers = 16MB\nwal_buffers = 1MB" })
  query = (text, params) => db.query(text, params)
} else {
  const { default: pg } = await import("pg")
  const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 })
  query = (text, params) => pool.query(text, params)
}

const send = (response, status, value) =>
  response.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(value))

const handle = async (request, response) => {
  const token = (request.headers.authorization ?? "").replace(/^Bearer /, "")
  const hash = createHash("sha256").update(token).digest("hex")
  const [key] = (await query(admit, [hash])).rows
  if (key === undefined) return send(response, 401, { code: "unauthorized" })
  if (request.method === "POST" && request.url === "/api/timer/heartbeat") {
    if (key.scope === "read") return send(response, 403, { code: "insufficient_scope" })
    const { rows } = await query(heartbeat, [key.user_id, key.workspace_id])
    return send(response, 200, { touched: rows, started: null })
  }
  if (request.method === "GET" && request.url === "/api/timer/current") {
    const { rows } = await query(current, [key.user_id, key.workspace_id])
    return send(response, 200, { timers: rows })
  }
  return send(response, 404, { code: "not_found" })
}

createServer((request, response) => {
  request.resume()
  request.on("end", () => handle(request, response).catch((error) => send(response, 500, { message: String(error) })))
}).listen(Number(process.env.PORT), "127.0.0.1")
