// `npm run bench`: the built ClockMe next to baselines measured in the same run, so a busy machine shows in
// both. Request path (autocannon) on PostgreSQL and on the embedded database, then start-up, hook process and
// memory. Prints tables and writes every figure to BENCH_OUT (default .tmp/bench/results.json). Usage:
//   npm run bench                      starts its own PostgreSQL when run as root (as .ci/run does), else
//                                      uses DATABASE_URL if set, else measures the embedded database only
//   BENCH_SECONDS=10 npm run bench     longer load runs (default 5 s each)
//   BENCH_ACCOUNTS=200 BENCH_RUNS=5    accounts for the request path, runs per start-up figure
//   BENCH_WARMUP=5                     seconds of load before a server's first figure
//   BENCH_HISTORY=1000000              entries of the generated history the reports are measured on
//   BENCH_HISTORY_EMBEDDED=250000      the same on the embedded database (a million takes minutes to write there)
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { cpus, loadavg, tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import pg from "pg"
import { freePort, median, rssMiB, run, sleep, startAndWait, stop, timed } from "./process.mjs"
import { startPostgres } from "./postgres.mjs"
import { bareFigures, clockmeFigures, handwrittenFigures } from "./requests.mjs"
import { clockmeReportTimes, reportRows as comparedReports, sqlReportTimes } from "./reports.mjs"
import { seedAccounts } from "./seed.mjs"
import { seedHistory } from "./history.mjs"
import { requestTable } from "./table.mjs"

const root = join(dirname(fileURLToPath(import.meta.url)), "..")
const serverBin = join(root, "packages/api/dist/bin.js")
const cliBin = join(root, "packages/sdk/dist/cli.js")
const runs = Number(process.env.BENCH_RUNS ?? 5)
const accounts = Number(process.env.BENCH_ACCOUNTS ?? 200)
const out = process.env.BENCH_OUT ?? join(root, ".tmp/bench/results.json")
const scratch = mkdtempSync(join(tmpdir(), "clockme-bench-"))
const began = Date.now()
const machine = {
  cpus: cpus().length,
  cpu: cpus()[0]?.model,
  node: process.version,
  loadBefore: loadavg()
}

const bareServer = join(root, "bench/bare.mjs")

/** Bare node:http: start to first answer and idle RSS after the same short load. */
const baselineServer = async () => {
  const times = []
  let rss = 0
  for (let i = 0; i < Math.max(3, Math.floor(runs / 2)); i++) {
    const port = await freePort()
    const s = await startAndWait([bareServer], { ...process.env, PORT: String(port) }, `http://127.0.0.1:${port}/`)
    times.push(s.ms)
    for (let j = 0; j < 50; j++) await fetch(`http://127.0.0.1:${port}/`).then((r) => r.text())
    await sleep(1000)
    rss = rssMiB(s.child.pid)
    await stop(s.child)
  }
  return { start: median(times), rss }
}

/** The ClockMe server: a first start (new database), restarts, idle RSS, and a key for the hook runs. */
const clockmeServer = async (env) => {
  const port = await freePort()
  const base = `http://127.0.0.1:${port}`
  const serverEnv = { ...process.env, ...env, PORT: String(port), HOST: "127.0.0.1" }
  const first = await startAndWait([serverBin, "serve"], serverEnv, `${base}/api/health`)
  const key = /ck_live_[A-Za-z0-9_-]{20,}/.exec(first.output())?.[0]
  await stop(first.child)
  const restarts = []
  let running
  for (let i = 0; i < Math.max(3, Math.floor(runs / 2)); i++) {
    running = await startAndWait([serverBin, "serve"], serverEnv, `${base}/api/health`)
    restarts.push(running.ms)
    if (i < Math.max(3, Math.floor(runs / 2)) - 1) await stop(running.child)
  }
  for (let j = 0; j < 50; j++) {
    await fetch(`${base}/api/timer/current`, { headers: { authorization: `Bearer ${key}` } }).then((r) => r.text())
  }
  await sleep(1000)
  const rss = rssMiB(running.child.pid)
  return { first: first.ms, restart: median(restarts), rss, key, base, child: running.child }
}

const hookRuns = async (url, key) => {
  const home = mkdtempSync(join(scratch, "home-"))
  const project = join(home, "work", "bench-project")
  mkdirSync(project, { recursive: true })
  mkdirSync(join(home, ".config", "clockme"), { recursive: true })
  writeFileSync(join(home, ".config", "clockme", "config.json"), JSON.stringify({ url, apiKey: key ?? "ck_live_none" }))
  const env = { ...process.env, HOME: home, XDG_CONFIG_HOME: join(home, ".config"), CLAUDE_PROJECT_DIR: project }
  const times = []
  for (let i = 0; i < runs; i++) {
    const stdin = JSON.stringify({ session_id: `bench-${i}`, hook_event_name: "UserPromptSubmit", cwd: project, prompt: "go" })
    times.push(await timed([cliBin, "hook", "prompt", "--tool", "claude-code", "--auto-create"], { env, stdin }))
  }
  return median(times)
}

const nodeBaseline = async () => {
  const times = []
  for (let i = 0; i < runs; i++) times.push(await timed(["-e", "0"]))
  return median(times)
}

const historyEnd = new Date(`${new Date().toISOString().slice(0, 10)}T00:00:00Z`)
const reportRows = []

/**
 * The reports of a generated history, written into a migrated database through `open()`'s handle, then
 * served by a ClockMe started on it; the hand-written statements run on the handle once the server has
 * stopped, since the embedded database takes one process at a time.
 */
const historyFigures = async (database, env, open, entries) => {
  let db = await open()
  const began = performance.now()
  const history = await seedHistory(db, { entries, end: historyEnd })
  const seeded = (performance.now() - began) / 1000
  if (database === "embedded") await db.close()
  const port = await freePort()
  const server = await startAndWait([serverBin, "serve"], { ...process.env, ...env, PORT: String(port), HOST: "127.0.0.1" },
    `http://127.0.0.1:${port}/api/health`)
  let clockme
  try {
    clockme = await clockmeReportTimes({ base: `http://127.0.0.1:${port}`, history, end: historyEnd })
  } finally {
    await stop(server.child)
  }
  if (database === "embedded") db = await open()
  const sql = await sqlReportTimes({ db, history, end: historyEnd })
  await (database === "embedded" ? db.close() : db.end())
  for (const row of comparedReports(clockme, sql)) reportRows.push({ database, entries, seeded, ...row })
}

const startupRows = []
const figure = (what, value, unit, baseline, target) => startupRows.push({ what, value, unit, baseline, target })

// The request path first, while nothing else of the bench has warmed or loaded the machine.
const requestRows = (await bareFigures()).map((row) => ({ database: "none", ...row }))

const postgres = await startPostgres(await freePort())
let pgVersion
if (postgres !== undefined) {
  const admin = new pg.Client({ connectionString: postgres.url })
  await admin.connect()
  pgVersion = (await admin.query("SHOW server_version")).rows[0].server_version
  const name = `clockme_bench_${process.pid}`
  await admin.query(`CREATE DATABASE ${name}`)
  const url = new URL(postgres.url)
  url.pathname = `/${name}`
  const env = { DATABASE_URL: url.toString() }
  await run([serverBin, "migrate"], { ...process.env, ...env })
  const db = new pg.Client({ connectionString: env.DATABASE_URL })
  await db.connect()
  const keys = await seedAccounts(db, accounts)
  // each server starts on tables vacuumed, not on the dead rows of the one before (autovacuum may lag)
  await db.query("VACUUM ANALYZE")
  for (const row of await clockmeFigures({ serverBin, env, keys, db })) requestRows.push({ database: "postgres", ...row })
  await db.query("VACUUM ANALYZE")
  for (const row of await handwrittenFigures({ env: { ...env, BENCH_DB: "pg" }, keys })) {
    requestRows.push({ database: "postgres", ...row })
  }
  await db.end()
  {
    const historyName = `${name}_history`
    await admin.query(`CREATE DATABASE ${historyName}`)
    url.pathname = `/${historyName}`
    const historyEnv = { DATABASE_URL: url.toString() }
    await run([serverBin, "migrate"], { ...process.env, ...historyEnv })
    const open = async () => {
      const client = new pg.Client({ connectionString: historyEnv.DATABASE_URL })
      await client.connect()
      return client
    }
    await historyFigures("postgres", historyEnv, open, Number(process.env.BENCH_HISTORY ?? 1_000_000))
    await admin.query(`DROP DATABASE ${historyName} WITH (FORCE)`)
  }
  const pgServer = await clockmeServer(env)
  figure("PostgreSQL: start to first answer", pgServer.restart, "ms", "bare", "< 1000 ms")
  figure("PostgreSQL: RSS idle after 50 requests", pgServer.rss, "MiB", "bareRss", "< 150 MiB")
  await stop(pgServer.child)
  await admin.query(`DROP DATABASE ${name} WITH (FORCE)`)
  await admin.end()
}

{
  const dataDir = join(scratch, "embedded-requests")
  const env = { CLOCKME_DATA_DIR: dataDir, DATABASE_URL: "" }
  await run([serverBin, "migrate"], { ...process.env, ...env })
  const { PGlite } = await import("@electric-sql/pglite")
  const db = await PGlite.create({ dataDir: join(dataDir, "pgdata") })
  const keys = await seedAccounts(db, accounts)
  await db.query("VACUUM ANALYZE")
  await db.close()
  for (const row of await clockmeFigures({ serverBin, env, keys })) requestRows.push({ database: "embedded", ...row })
  // the hand-written server gets the tables vacuumed too, not left as ClockMe's own vacuum (or none) left them
  const again = await PGlite.create({ dataDir: join(dataDir, "pgdata") })
  await again.query("VACUUM ANALYZE")
  await again.close()
  for (const row of await handwrittenFigures({ env: { ...env, BENCH_DB: "pglite" }, keys })) {
    requestRows.push({ database: "embedded", ...row })
  }
}

{
  const dataDir = join(scratch, "embedded-history")
  const env = { CLOCKME_DATA_DIR: dataDir, DATABASE_URL: "" }
  await run([serverBin, "migrate"], { ...process.env, ...env })
  const { PGlite } = await import("@electric-sql/pglite")
  const open = () => PGlite.create({ dataDir: join(dataDir, "pgdata") })
  await historyFigures("embedded", env, open, Number(process.env.BENCH_HISTORY_EMBEDDED ?? 250_000))
}

const nodeMs = await nodeBaseline()
figure("`node -e 0` (baseline)", nodeMs, "ms")
const bare = await baselineServer()
figure("bare node:http: start to first answer (baseline)", bare.start, "ms")
figure("bare node:http: RSS idle (baseline)", bare.rss, "MiB")
const embedded = await clockmeServer({ CLOCKME_DATA_DIR: join(scratch, "data"), DATABASE_URL: "" })
figure("embedded: first start (new data directory) to first answer", embedded.first, "ms", "bare", "< 6000 ms")
figure("embedded: restart to first answer", embedded.restart, "ms", "bare", "< 2000 ms")
figure("embedded: RSS idle after 50 requests", embedded.rss, "MiB", "bareRss", "< 250 MiB")
figure("`clockme hook prompt`, server up", await hookRuns(embedded.base, embedded.key), "ms", "node", "≤ 2× node -e 0")
await stop(embedded.child)
figure("`clockme hook prompt`, server down (queued)", await hookRuns(`http://127.0.0.1:${await freePort()}`, embedded.key), "ms", "node", "≤ 2× node -e 0")
postgres?.stop()
rmSync(scratch, { recursive: true, force: true })

const baselines = { bare: bare.start, bareRss: bare.rss, node: nodeMs }
const startup = startupRows.map((row) => ({
  ...row,
  ratio: row.baseline === undefined ? undefined : row.value / baselines[row.baseline]
}))
const requests = requestTable(requestRows)
const results = {
  date: new Date(began).toISOString(),
  seconds: (Date.now() - began) / 1000,
  machine: { ...machine, loadAfter: loadavg(), postgres: pgVersion ?? null },
  settings: { loadSeconds: Number(process.env.BENCH_SECONDS ?? 5), accounts, runs },
  requests: requests.rows,
  ratios: requests.ratios,
  reports: reportRows,
  startup
}
mkdirSync(dirname(out), { recursive: true })
writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`)

console.log(`Request path: ${results.settings.loadSeconds} s per run, autocannon on loopback, ${accounts} accounts, Node ${process.version}, ` +
  `${machine.cpus} × ${machine.cpu}, PostgreSQL ${pgVersion ?? "not measured"}; load average ${machine.loadBefore.map((x) => x.toFixed(1)).join(" ")} at the start\n`)
console.log(requests.markdown)
console.log("\nReports on a generated history: ClockMe over HTTP against the same aggregate as one hand-written statement " +
  "(medians of 5 after a warm-up)\n")
console.log("| database | entries | figure | ClockMe | statement | ratio |\n|---|---|---|---|---|---|")
for (const row of reportRows) {
  console.log(`| ${row.database} | ${row.entries.toLocaleString("en")} | ${row.what} | ${row.clockme.toFixed(1)} ms | ` +
    `${row.baseline.toFixed(1)} ms | ${row.ratio.toFixed(2)}× |`)
}
console.log(`\nStart-up and memory: ${runs} runs per figure (medians)\n`)
console.log("| figure | value | ratio to baseline | target |\n|---|---|---|---|")
for (const row of startup) {
  console.log(`| ${row.what} | ${row.value.toFixed(0)} ${row.unit} | ${row.ratio === undefined ? "" : `${row.ratio.toFixed(2)}×`} | ${row.target ?? ""} |`)
}
console.log(`\nEvery figure: ${out} (${results.seconds.toFixed(0)} s in all)`)
