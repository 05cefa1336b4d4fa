// Start-up, hook and memory figures of the built ClockMe, each next to a baseline measured in the
// same run (`node -e 0`, a bare node:http server), so a busy machine shows in both. Usage:
//   npm run bench                    embedded database (and PostgreSQL too when DATABASE_URL is set)
//   BENCH_RUNS=20 npm run bench      more runs per figure (default 9)
import { spawn } from "node:child_process"
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { createServer } from "node:net"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"

const root = join(dirname(fileURLToPath(import.meta.url)), "..")
const serverBin = join(root, "packages/api/dist/bin.js")
const cliBin = join(root, "packages/sdk/dist/cli.js")
const runs = Number(process.env.BENCH_RUNS ?? 9)
const scratch = mkdtempSync(join(tmpdir(), "clockme-bench-"))

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

const freePort = () => new Promise((resolve) => {
  const probe = createServer().listen(0, "127.0.0.1", () => {
    const { port } = probe.address()
    probe.close(() => resolve(port))
  })
})

/** Wall time of one process from spawn to exit, in ms. */
const timed = (args, { env = process.env, stdin = "" } = {}) => new Promise((resolve, reject) => {
  const started = performance.now()
  const child = spawn(process.execPath, args, { env, stdio: ["pipe", "ignore", "ignore"] })
  child.on("error", reject)
  child.on("exit", () => resolve(performance.now() - started))
  child.stdin.end(stdin)
})

const rssMiB = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))[1]) / 1024

/** Starts a server process and resolves once `url` answers: the ms it took, and the process. */
const startAndWait = async (args, env, url) => {
  const started = performance.now()
  const child = spawn(process.execPath, args, { env, stdio: ["ignore", "pipe", "pipe"] })
  let output = ""
  child.stdout.on("data", (d) => (output += d))
  child.stderr.on("data", (d) => (output += d))
  let exited = false
  child.on("exit", () => (exited = true))
  for (;;) {
    if (exited) throw new Error(`${args.join(" ")} exited:\n${output}`)
    if (await fetch(url).then((r) => r.ok, () => false)) break
    await sleep(10)
  }
  return { ms: performance.now() - started, child, output: () => output }
}

const stop = (child) => new Promise((resolve) => {
  child.on("exit", resolve)
  child.kill("SIGTERM")
})

const bareServer = `require("node:http").createServer((q, s) => s.end("{}")).listen(Number(process.env.PORT), "127.0.0.1")`

/** Bare node:http: start to first answer and idle RSS after the same short load. */
const baselineServer = async () => {
  const times = []
  let rss = 0
  for (let i = 0; i < Math.max(3, Math.floor(runs / 2)); i++) {
    const port = await freePort()
    const s = await startAndWait(["-e", bareServer], { ...process.env, PORT: String(port) }, `http://127.0.0.1:${port}/`)
    times.push(s.ms)
    for (let j = 0; j < 50; j++) await fetch(`http://127.0.0.1:${port}/`).then((r) => r.text())
    await sleep(1000)
    rss = rssMiB(s.child.pid)
    await stop(s.child)
  }
  return { start: median(times), rss }
}

/** The ClockMe server: a first start (new database), restarts, idle RSS, and a key for the hook runs. */
const clockmeServer = async (label, env) => {
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
  return { label, first: first.ms, restart: median(restarts), rss, key, base, child: running.child }
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

const row = (what, value, unit, baseline, target) =>
  `| ${what} | ${value.toFixed(0)} ${unit} | ${baseline === undefined ? "" : `${(value / baseline).toFixed(2)}×`} | ${target} |`

const lines = ["| figure | value | ratio to baseline | target |", "|---|---|---|---|"]
const nodeMs = await nodeBaseline()
lines.push(row("`node -e 0` (baseline)", nodeMs, "ms", undefined, ""))
const bare = await baselineServer()
lines.push(row("bare node:http: start to first answer (baseline)", bare.start, "ms", undefined, ""))
lines.push(row("bare node:http: RSS idle (baseline)", bare.rss, "MiB", undefined, ""))

const embedded = await clockmeServer("embedded", { CLOCKME_DATA_DIR: join(scratch, "data"), DATABASE_URL: "" })
lines.push(row("embedded: first start (new data directory) to first answer", embedded.first, "ms", bare.start, "< 6000 ms"))
lines.push(row("embedded: restart to first answer", embedded.restart, "ms", bare.start, "< 2000 ms"))
lines.push(row("embedded: RSS idle after 50 requests", embedded.rss, "MiB", bare.rss, "< 250 MiB"))
const up = await hookRuns(embedded.base, embedded.key)
lines.push(row("`clockme hook prompt`, server up", up, "ms", nodeMs, "≤ 2× node -e 0"))
await stop(embedded.child)
const down = await hookRuns(`http://127.0.0.1:${await freePort()}`, embedded.key)
lines.push(row("`clockme hook prompt`, server down (queued)", down, "ms", nodeMs, "≤ 2× node -e 0"))

if (process.env.DATABASE_URL) {
  const pg = await clockmeServer("postgres", { DATABASE_URL: process.env.DATABASE_URL })
  lines.push(row("PostgreSQL: start to first answer", pg.restart, "ms", bare.start, "< 1000 ms"))
  lines.push(row("PostgreSQL: RSS idle after 50 requests", pg.rss, "MiB", bare.rss, "< 150 MiB"))
  await stop(pg.child)
}

rmSync(scratch, { recursive: true, force: true })
console.log(`${runs} runs per figure (medians), Node ${process.version}\n`)
console.log(lines.join("\n"))
