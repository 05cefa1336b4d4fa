// Only the report figures of `npm run bench`, on PostgreSQL (DATABASE_URL) or the embedded database (no
// DATABASE_URL), against the built server. The seeded history is kept between runs (a database named after its
// size, or a data directory under .tmp/bench), so iterating on the report code costs no new seeding. Usage:
//   DATABASE_URL=postgres://postgres@127.0.0.1:55432/clockme node bench/reports-only.mjs
//   BENCH_HISTORY=200000 BENCH_RUNS=9 BENCH_FRESH=1 node bench/reports-only.mjs
//   BENCH_SERVER=path/to/bin.js     another build of the server (an earlier one, to compare)
//   BENCH_DATABASE=name             the PostgreSQL database to keep the history in (clockme_reports_<entries>)
// Besides the wall times it prints the server's CPU time per request (/proc), steadier on a busy machine.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { clockmeCpuTimes } from "./reports-cpu.mjs"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import pg from "pg"
import { freePort, run, startAndWait, stop } from "./process.mjs"
import { seedHistory } from "./history.mjs"
import { clockmeReportTimes, reportRows, sqlReportTimes } from "./reports.mjs"

const root = join(dirname(fileURLToPath(import.meta.url)), "..")
const serverBin = process.env.BENCH_SERVER ?? join(root, "packages/api/dist/bin.js")
const entries = Number(process.env.BENCH_HISTORY ?? 200_000)
const runs = Number(process.env.BENCH_RUNS ?? 5)
const fresh = process.env.BENCH_FRESH === "1"
const end = new Date("2026-12-01T00:00:00Z")
const scratch = join(root, ".tmp/bench")
mkdirSync(scratch, { recursive: true })
const database = process.env.DATABASE_URL ? "postgres" : "embedded"
const historyFile = join(scratch, `history-${database}-${process.env.BENCH_DATABASE ?? entries}.json`)

let env
let open
let close
if (database === "postgres") {
  const url = new URL(process.env.DATABASE_URL)
  const name = process.env.BENCH_DATABASE ?? `clockme_reports_${entries}`
  url.pathname = "/postgres"
  const admin = new pg.Client({ connectionString: url.toString() })
  await admin.connect()
  const exists = (await admin.query("SELECT 1 FROM pg_database WHERE datname = $1", [name])).rows.length > 0
  if (exists && fresh) await admin.query(`DROP DATABASE ${name} WITH (FORCE)`)
  if (!exists || fresh) {
    rmSync(historyFile, { force: true })
    await admin.query(`CREATE DATABASE ${name}`)
  }
  await admin.end()
  url.pathname = `/${name}`
  env = { DATABASE_URL: url.toString() }
  open = async () => {
    const client = new pg.Client({ connectionString: env.DATABASE_URL })
    await client.connect()
    return client
  }
  close = (db) => db.end()
} else {
  const dataDir = join(scratch, `embedded-history-${entries}`)
  if (fresh) rmSync(dataDir, { recursive: true, force: true })
  if (!existsSync(dataDir)) rmSync(historyFile, { force: true })
  env = { CLOCKME_DATA_DIR: dataDir, DATABASE_URL: "" }
  const { PGlite } = await import("@electric-sql/pglite")
  open = () => PGlite.create({ dataDir: join(dataDir, "pgdata") })
  close = (db) => db.close()
}

await run([serverBin, "migrate"], { ...process.env, ...env })
let history
if (existsSync(historyFile)) {
  history = JSON.parse(readFileSync(historyFile, "utf8"))
} else {
  const db = await open()
  const began = performance.now()
  history = await seedHistory(db, { entries, end })
  console.log(`seeded ${entries} entries in ${((performance.now() - began) / 1000).toFixed(1)} s`)
  await close(db)
  writeFileSync(historyFile, JSON.stringify(history))
}
// On a shared PostgreSQL another database's open transaction can keep the seed's VACUUM from marking pages
// all-visible (index-only scans then read the heap); vacuum again before measuring, as autovacuum would.
{
  const db = await open()
  await db.query("VACUUM ANALYZE entries")
  await close(db)
}

const port = await freePort()
const serverArgs = process.env.BENCH_PROFILE ? ["--cpu-prof", `--cpu-prof-dir=${join(scratch, "profiles")}`] : []
const server = await startAndWait([...serverArgs, serverBin, "serve"], {
  ...process.env,
  ...env,
  PORT: String(port),
  HOST: "127.0.0.1"
}, `http://127.0.0.1:${port}/api/health`)
let clockme
let cpu
try {
  // a first round warms the server's JIT up (the full bench measures a server that has served load before)
  await clockmeReportTimes({ base: `http://127.0.0.1:${port}`, history, end, runs: 1 })
  clockme = await clockmeReportTimes({ base: `http://127.0.0.1:${port}`, history, end, runs })
  cpu = await clockmeCpuTimes({ base: `http://127.0.0.1:${port}`, pid: server.child.pid, history, end, runs: runs * 4 })
} finally {
  await stop(server.child)
}
const db = await open()
const sql = await sqlReportTimes({ db, history, end, runs })
await close(db)

console.log(`${database}, ${entries} entries, median of ${runs} runs`)
for (const row of reportRows(clockme, sql)) {
  console.log(
    `${row.what.padEnd(60)} ${row.clockme.toFixed(1).padStart(8)} ms  ${row.baseline.toFixed(1).padStart(8)} ms  ${
      row.ratio.toFixed(2)
    }×`
  )
}
console.log("server CPU per request (ms):", Object.entries(cpu).map(([what, ms]) => `${what} ${ms.toFixed(2)}`).join(", "))
