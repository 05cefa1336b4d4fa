import { type ChildProcess, spawn } from "node:child_process"
import * as fs from "node:fs"
import * as net from "node:net"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { runStatement } from "../../../domain/test/lib/TestDatabase.js"
import { expectDocumented } from "./DocumentedAnswers.js"

/** The repository root: the spawned server runs from there, as `npm start` does. */
export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../..")
/** The built server, as `npm start` and the `clockme-server` bin run it (vitest's global setup builds it fresh). */
export const serverBin = path.join(root, "packages/api/dist/bin.js")

export const tempDataDir = (name: string) => fs.mkdtempSync(path.join(os.tmpdir(), `clockme-${name}-`))

/** A port nobody listens on right now: the OS picks one, we release it and hand it to the server. */
export const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const probe = net.createServer()
    probe.once("error", reject)
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address()
      if (address === null || typeof address === "string") return reject(new Error("no port"))
      probe.close(() => resolve(address.port))
    })
  })

/**
 * The child's environment: always the embedded database in its own data directory, whatever
 * DATABASE_URL the test run has (these tests are about that database's files and lock).
 */
const childEnv = (dataDir: string, extra: Record<string, string> = {}) => {
  const env: Record<string, string> = {}
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v
  delete env.DATABASE_URL
  delete env.CLOCKME_OWNER_EMAIL
  delete env.NODE_OPTIONS
  return { ...env, CLOCKME_DATA_DIR: dataDir, HOST: "127.0.0.1", ...extra }
}

export interface Finished {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  readonly stdout: string
  readonly stderr: string
}

/** Runs the built `clockme-server <args>` to completion; `env` may name a DATABASE_URL. */
export const runCli = (args: ReadonlyArray<string>, dataDir: string, timeoutMs = 180_000, env: Record<string, string> = {}) =>
  runToEnd(process.execPath, [serverBin, ...args], args, dataDir, timeoutMs, env)

/** The same through `npx clockme-server <args>` from the checkout, as its README says (npx costs most of a second). */
export const runCliViaNpx = (args: ReadonlyArray<string>, dataDir: string) =>
  runToEnd("npx", ["--no-install", "clockme-server", ...args], args, dataDir, 180_000, {})

const runToEnd = (
  command: string,
  argv: ReadonlyArray<string>,
  args: ReadonlyArray<string>,
  dataDir: string,
  timeoutMs: number,
  env: Record<string, string>
) =>
  new Promise<Finished>((resolve, reject) => {
    const child = spawn(command, argv, {
      cwd: root,
      env: childEnv(dataDir, env),
      stdio: ["ignore", "pipe", "pipe"]
    })
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (chunk) => (stdout += chunk))
    child.stderr.on("data", (chunk) => (stderr += chunk))
    const timer = setTimeout(() => {
      child.kill("SIGKILL")
      reject(new Error(`clockme-server ${args.join(" ")} did not finish in ${timeoutMs} ms\n${stdout}\n${stderr}`))
    }, timeoutMs)
    child.once("error", reject)
    child.once("exit", (code, signal) => {
      clearTimeout(timer)
      // let the pipes drain
      setImmediate(() => resolve({ code, signal, stdout, stderr }))
    })
  })

export interface RunningServer {
  readonly child: ChildProcess
  readonly pid: number
  readonly base: string
  readonly dataDir: string
  readonly output: () => string
  /** Resolves when the process has exited. */
  readonly exited: Promise<Finished>
  /** Sends a signal and waits for the exit. */
  readonly stop: (signal: NodeJS.Signals) => Promise<Finished>
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Starts `clockme-server serve` on a free port and waits until it answers /api/health; `env` may name a DATABASE_URL. */
export const startServer = async (
  dataDir: string,
  timeoutMs = 180_000,
  env: Record<string, string> = {}
): Promise<RunningServer> => {
  const port = await freePort()
  const child = spawn(process.execPath, [serverBin, "serve"], {
    cwd: root,
    env: childEnv(dataDir, { ...env, PORT: String(port) }),
    stdio: ["ignore", "pipe", "pipe"]
  })
  let stdout = ""
  let stderr = ""
  child.stdout!.on("data", (chunk) => (stdout += chunk))
  child.stderr!.on("data", (chunk) => (stderr += chunk))
  const exited = new Promise<Finished>((resolve) =>
    child.once("exit", (code, signal) => setImmediate(() => resolve({ code, signal, stdout, stderr })))
  )
  let done = false
  void exited.then(() => (done = true))
  const base = `http://127.0.0.1:${port}`
  const deadline = Date.now() + timeoutMs
  for (;;) {
    if (done) throw new Error(`the server exited before it was ready:\n${stdout}\n${stderr}`)
    if (Date.now() > deadline) {
      child.kill("SIGKILL")
      throw new Error(`the server was not ready in ${timeoutMs} ms:\n${stdout}\n${stderr}`)
    }
    const ready = await fetch(`${base}/api/health`).then((r) => r.ok, () => false)
    if (ready) break
    await sleep(100)
  }
  return {
    child,
    pid: child.pid!,
    base,
    dataDir,
    output: () => stdout + stderr,
    exited,
    stop: (signal) => {
      if (!done) child.kill(signal)
      return exited
    }
  }
}

export interface JsonReply {
  readonly status: number
  readonly body: any
  readonly headers: Headers
}

export const request = async (
  base: string,
  method: string,
  pathname: string,
  options: {
    readonly key?: string
    readonly body?: unknown
    /** Sent as is (a provider's signed form body), instead of `body` as JSON. */
    readonly rawBody?: string
    readonly headers?: Record<string, string>
    /** Abort (and fail) if the whole answer takes longer. */
    readonly timeoutMs?: number
  } = {}
): Promise<JsonReply> => {
  const headers: Record<string, string> = { ...options.headers }
  if (options.key !== undefined) headers.authorization = `Bearer ${options.key}`
  if (options.body !== undefined) headers["content-type"] = "application/json"
  const response = await fetch(base + pathname, {
    method,
    headers,
    ...(options.rawBody !== undefined ? { body: options.rawBody } : options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    ...(options.timeoutMs === undefined ? {} : { signal: AbortSignal.timeout(options.timeoutMs) })
  })
  const text = await response.text()
  await expectDocumented({ method: method.toUpperCase(), url: response.url, status: response.status, contentType: response.headers.get("content-type"), text })
  return { status: response.status, body: text === "" ? null : JSON.parse(text), headers: response.headers }
}

/**
 * `request`, waiting out a 429 as its Retry-After says (a few times): for reads that check what a test did,
 * which may come right after the test spent the account's rate budget.
 */
export const requestPatiently = async (...args: Parameters<typeof request>): Promise<JsonReply> => {
  for (let attempt = 0; ; attempt++) {
    const reply = await request(...args)
    const retryAfter = Number(reply.headers.get("retry-after"))
    if (reply.status !== 429 || attempt === 3 || !(retryAfter > 0)) return reply
    await pause(retryAfter * 1000)
  }
}

export interface PostgresDatabase {
  readonly url: string
  readonly drop: () => Promise<void>
}

/** A database of its own on the PostgreSQL server at `serverUrl` for spawned servers, cloned from the run's migrated template. */
export const postgresDatabase = async (serverUrl: string, template: string, name: string): Promise<PostgresDatabase> => {
  const database = `${template}_${name}_${process.pid}`
  await runStatement(serverUrl, `DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`)
  await runStatement(serverUrl, `CREATE DATABASE "${database}" TEMPLATE "${template}"`)
  const url = new URL(serverUrl)
  url.pathname = `/${database}`
  return {
    url: url.toString(),
    drop: () => runStatement(serverUrl, `DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`)
  }
}

/** The owner's key a server prints on its first start with an empty database. */
export const ownerKey = (server: RunningServer) => {
  const key = /ck_live_[A-Za-z0-9_-]{20,}/.exec(server.output())?.[0]
  if (key === undefined) throw new Error(`the server printed no owner key:\n${server.output()}`)
  return key
}

export const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Every entry the key's user has in its active workspace, page after page (a 429 waited out). */
export const allEntries = async (base: string, key: string): Promise<Array<any>> => {
  const entries: Array<any> = []
  let cursor: string | null = null
  do {
    const page: JsonReply = await requestPatiently(
      base,
      "GET",
      `/api/entries?limit=500${cursor === null ? "" : `&cursor=${encodeURIComponent(cursor)}`}`,
      { key }
    )
    if (page.status !== 200) throw new Error(`GET /api/entries answered ${page.status}: ${JSON.stringify(page.body)}`)
    entries.push(...page.body.entries)
    cursor = page.body.nextCursor
  } while (cursor !== null)
  return entries
}

/** Every domain event of the key's active workspace, of the given types, page after page. */
export const allEvents = async (base: string, key: string, types: string): Promise<Array<any>> => {
  const events: Array<any> = []
  let after = ""
  for (;;) {
    const page = await request(base, "GET", `/api/events?limit=500&types=${types}${after === "" ? "" : `&after=${encodeURIComponent(after)}`}`, {
      key
    })
    if (page.status !== 200) throw new Error(`GET /api/events answered ${page.status}: ${JSON.stringify(page.body)}`)
    events.push(...page.body.events)
    if (!page.body.hasMore) return events
    after = page.body.nextCursor
  }
}

/**
 * `allEvents` once `ready` holds for them, or after 15 s. The stream shows only events older than
 * every transaction running on the whole PostgreSQL server, and other test files' transactions on the same
 * server can hold that horizon back for a moment.
 */
export const visibleEvents = async (
  base: string,
  key: string,
  types: string,
  ready: (events: Array<any>) => boolean
): Promise<Array<any>> => {
  const deadline = Date.now() + 15_000
  for (;;) {
    const events = await allEvents(base, key, types)
    if (ready(events) || Date.now() > deadline) return events
    await pause(100)
  }
}
