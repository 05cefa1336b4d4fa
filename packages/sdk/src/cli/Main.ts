import { matchProjectName } from "@clockme/domain/ProjectMatch"
import { createInterface } from "node:readline"
import { parseArgs } from "node:util"
import { ClockMe } from "../ClockMe.js"
import { ClockMeError } from "../Errors.js"
import { configFile, readConfig, resolveCredentials, writeConfig } from "./Paths.js"
import { projectNameFor } from "./Project.js"
import { installedCommand } from "./InstalledCommand.js"
import { flushQueue, readQueue } from "./Queue.js"
import { apply, diff, plan } from "./Setup.js"
import { TOOLS, type Tool } from "./Tools.js"

const USAGE = `clockme — time tracking for AI coding tools

Usage:
  clockme setup <tool> [--key K] [--url U] [--project-scope] [--fallback-project ID | --auto-create] [--dry-run]
  clockme setup --uninstall <tool> [--project-scope] [--dry-run]
      tools: ${TOOLS.join(", ")}
  clockme hook <session-start|prompt|stop|session-end> --tool <tool>   (run by the tools; reads their JSON on stdin)
  clockme start [project]         start a timer (default: this folder's git repository or folder name)
  clockme stop [project]          stop a timer
  clockme pause [project]         pause a timer
  clockme resume [project]        resume a paused timer
  clockme status                  running timers
  clockme log <project> <duration> [--at TIME] [-m DESCRIPTION]   e.g. clockme log acme 1h30m --at 09:00
  clockme report [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--csv]
  clockme login [--url U] [--key K]   store the server URL and API key (${"$"}XDG_CONFIG_HOME/clockme/config.json, mode 0600)
  clockme sync                    send hook events queued while the server was unreachable

Options: --json (machine-readable output), --url, --key (else CLOCKME_URL, CLOCKME_API_KEY, then the config file)
`

class UsageError extends Error {}

const readStdin = async (limitMs: number): Promise<string> => {
  if (process.stdin.isTTY) return ""
  return new Promise((resolve) => {
    const chunks: Array<Buffer> = []
    const done = () => {
      clearTimeout(timer)
      process.stdin.removeAllListeners()
      process.stdin.pause()
      resolve(Buffer.concat(chunks).toString("utf8"))
    }
    const timer = setTimeout(done, limitMs)
    process.stdin.on("data", (chunk: Buffer) => {
      chunks.push(chunk)
      if (chunks.reduce((n, c) => n + c.length, 0) > 1_000_000) done()
    })
    process.stdin.on("end", done)
    process.stdin.on("error", done)
  })
}

const out = (json: boolean, value: unknown, human: string) => {
  process.stdout.write(json ? JSON.stringify(value, null, 2) + "\n" : human + "\n")
}

const client = (flags: { url?: string | undefined; key?: string | undefined }) => {
  const credentials = resolveCredentials(flags)
  if (!credentials.apiKey) {
    throw new UsageError("no API key: run `clockme login`, pass --key, or set CLOCKME_API_KEY")
  }
  return new ClockMe({ apiKey: credentials.apiKey, baseUrl: credentials.url })
}

/** `1h30m`, `90m`, `1.5h`, `45` (minutes), `1:30`. */
export const parseDuration = (text: string): number => {
  const s = text.trim().toLowerCase()
  let minutes: number | undefined
  const clock = /^(\d+):([0-5]\d)$/.exec(s)
  if (clock) minutes = Number(clock[1]) * 60 + Number(clock[2])
  else if (/^\d+(\.\d+)?$/.test(s)) minutes = Number(s)
  else {
    const parts = /^(?:(\d+(?:\.\d+)?)h)?\s*(?:(\d+(?:\.\d+)?)m(?:in)?)?$/.exec(s)
    if (parts && (parts[1] || parts[2])) minutes = Number(parts[1] ?? 0) * 60 + Number(parts[2] ?? 0)
  }
  if (minutes === undefined || !(minutes > 0)) throw new UsageError(`cannot read the duration "${text}" (try 1h30m, 90m, 1.5h or 1:30)`)
  return minutes
}

/** `HH:MM` today (local time), or any date-time `Date` understands. */
export const parseAt = (text: string, now = new Date()): Date => {
  const hm = /^(\d{1,2}):(\d{2})$/.exec(text.trim())
  if (hm) {
    const at = new Date(now)
    at.setHours(Number(hm[1]), Number(hm[2]), 0, 0)
    return at
  }
  const parsed = new Date(text)
  if (Number.isNaN(parsed.getTime())) throw new UsageError(`cannot read the time "${text}" (try 09:30 or 2026-06-01T09:30)`)
  return parsed
}

const formatDuration = (seconds: number) => {
  const m = Math.round(seconds / 60)
  return m >= 60 ? `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, "0")}m` : `${m}m`
}

const findProject = async (cm: ClockMe, name: string) => {
  const projects = await cm.projects.list()
  const { match, suggestions } = matchProjectName(name, projects)
  if (!match) {
    throw new ClockMeError({
      code: "project_not_found",
      message: `no project matches "${name}"${suggestions.length > 0 ? ` (closest: ${suggestions.join(", ")})` : ""}`
    })
  }
  return match
}

const prompt = (question: string): Promise<string> =>
  new Promise((resolve) => {
    const rl = createInterface({ input: process.stdin, output: process.stderr })
    rl.question(question, (answer) => {
      rl.close()
      resolve(answer.trim())
    })
  })

export const main = async (argv: ReadonlyArray<string>): Promise<number> => {
  const [command, ...rest] = argv
  try {
    switch (command) {
      case "setup":
        return await setup(rest)
      case "start":
      case "stop":
      case "pause":
      case "resume":
        return await timerCommand(command, rest)
      case "status":
        return await status(rest)
      case "log":
        return await logTime(rest)
      case "report":
        return await report(rest)
      case "login":
        return await login(rest)
      case "sync":
        return await sync(rest)
      case undefined:
      case "help":
      case "--help":
      case "-h":
        process.stdout.write(USAGE)
        return command === undefined ? 2 : 0
      default:
        throw new UsageError(`unknown command "${command}"`)
    }
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`clockme: ${error.message}\n\n${USAGE}`)
      return 2
    }
    if (error instanceof ClockMeError) {
      process.stderr.write(`clockme: ${error.message}${error.code ? ` [${error.code}]` : ""}\n`)
      return 1
    }
    process.stderr.write(`clockme: ${error instanceof Error ? error.message : String(error)}\n`)
    return 1
  }
}

const common = {
  json: { type: "boolean", default: false },
  url: { type: "string" },
  key: { type: "string" }
} as const

const parse = <O extends Record<string, { type: "string" | "boolean"; short?: string; default?: any }>>(args: ReadonlyArray<string>, options: O) => {
  try {
    return parseArgs({ args: [...args], options: { ...common, ...options }, allowPositionals: true, strict: true })
  } catch (error) {
    throw new UsageError((error as Error).message)
  }
}

const setup = async (args: ReadonlyArray<string>): Promise<number> => {
  const { values, positionals } = parse(args, {
    uninstall: { type: "boolean", default: false },
    "project-scope": { type: "boolean", default: false },
    "fallback-project": { type: "string" },
    "auto-create": { type: "boolean", default: false },
    "dry-run": { type: "boolean", default: false },
    command: { type: "string" }
  })
  const tool = positionals[0] as Tool
  if (!TOOLS.includes(tool)) throw new UsageError(`setup needs one of: ${TOOLS.join(", ")}`)
  if (values["fallback-project"] && values["auto-create"]) throw new UsageError("use --fallback-project or --auto-create, not both")
  const stored = readConfig()
  const url = values.url ?? (process.env.CLOCKME_URL || undefined) ?? stored.url ?? "http://127.0.0.1:8787"
  const key = values.key ?? (process.env.CLOCKME_API_KEY || undefined) ?? stored.apiKey
  if (!key && !values.uninstall && !values["dry-run"]) throw new UsageError("setup needs an API key: pass --key ck_live_… or run `clockme login` first")
  const options = {
    tool,
    url,
    key: key ?? "ck_live_YOUR_KEY",
    projectScope: values["project-scope"] === true,
    projectDir: process.cwd(),
    command: values.command ?? installedCommand(),
    fallbackProject: values["fallback-project"]
  }
  const changes = plan(options, values.uninstall === true)
  const mask = (text: string) => key ? text.split(key).join(`${key.slice(0, 8)}…${key.slice(-4)}`) : text
  const changed = changes.filter((c) => c.before !== c.after)
  const applied = values["dry-run"] ? [] : apply(changes)
  if (!values["dry-run"] && !values.uninstall && key && (key !== stored.apiKey || url !== stored.url)) writeConfig({ ...stored, url, apiKey: key })
  if (values.json) {
    out(true, { tool, dryRun: values["dry-run"], changed: changed.map((c) => c.file), backups: applied.flatMap((a) => a.backup ? [a.backup] : []) }, "")
    return 0
  }
  if (changed.length === 0) {
    process.stdout.write(`${tool}: already ${values.uninstall ? "clean" : "set up"}; nothing to change.\n`)
    return 0
  }
  for (const change of changed) process.stdout.write(diff(change, mask) + "\n\n")
  for (const a of applied) process.stdout.write(`wrote ${a.file}${a.backup ? ` (backup: ${a.backup})` : ""}\n`)
  if (values["dry-run"]) process.stdout.write("dry run: nothing written.\n")
  if (!values.uninstall && (tool === "codex" || options.projectScope)) {
    process.stdout.write(`note: export ${"CLOCKME_API_KEY"} in the environment the tool starts from; the MCP entry reads the key from it.\n`)
  }
  return 0
}

const timerCommand = async (command: "start" | "stop" | "pause" | "resume", args: ReadonlyArray<string>): Promise<number> => {
  const { values, positionals } = parse(args, { create: { type: "boolean", default: false }, m: { type: "string", short: "m" } })
  const cm = client(values)
  const named = positionals[0]
  const api = cm.timer as Record<string, unknown>
  if (typeof api[command] !== "function") throw new UsageError(`this server's API has no timer ${command}`)
  if (command === "start") {
    const projectName = named ?? projectNameFor(process.cwd())
    const timer = await cm.timer.start({ projectName, autoCreate: values.create === true, ...(values.m ? { description: values.m } : {}) })
    out(values.json, timer, timer.alreadyRunning ? `${timer.projectName} is already running (${formatDuration(timer.elapsedSeconds)})` : `started ${timer.projectName}`)
    return 0
  }
  const target = named === undefined ? {} : { projectName: named }
  if (command === "stop") {
    const stopped = await cm.timer.stop(target)
    out(values.json, stopped, "durationSeconds" in stopped ? `stopped: ${formatDuration(stopped.durationSeconds)} logged` : stopped.message)
    return 0
  }
  const fn = api[command] as (input: unknown) => Promise<{ projectName: string; elapsedSeconds: number }>
  const timer = await fn(target)
  out(values.json, timer, `${command === "pause" ? "paused" : "resumed"} ${timer.projectName} (${formatDuration(timer.elapsedSeconds)})`)
  return 0
}

const status = async (args: ReadonlyArray<string>): Promise<number> => {
  const { values } = parse(args, {})
  const cm = client(values)
  const current = await cm.timer.current()
  const queued = readQueue().length
  const lines = current.timers.length === 0
    ? ["no timer running"]
    : current.timers.map((t) => `${t.state === "paused" ? "⏸" : "▶"} ${t.projectName}  ${formatDuration(t.elapsedSeconds)}  (${t.source}${t.description ? `, ${t.description}` : ""})`)
  if (queued > 0) lines.push(`${queued} hook event(s) queued; run clockme sync`)
  out(values.json, { ...current, queued }, lines.join("\n"))
  return 0
}

const logTime = async (args: ReadonlyArray<string>): Promise<number> => {
  const { values, positionals } = parse(args, { at: { type: "string" }, m: { type: "string", short: "m" }, billable: { type: "boolean" } })
  const [name, duration] = positionals
  if (!name || !duration) throw new UsageError("log needs a project and a duration, e.g. clockme log acme 1h30m")
  const minutes = parseDuration(duration)
  const cm = client(values)
  const project = await findProject(cm, name)
  const start = values.at ? parseAt(values.at) : new Date(Date.now() - minutes * 60_000)
  const entry = await cm.entries.create({
    projectId: project.id,
    startTime: start,
    durationMinutes: minutes,
    ...(values.m ? { description: values.m } : {}),
    ...(values.billable === undefined ? {} : { billable: values.billable })
  })
  out(values.json, entry, `logged ${formatDuration(entry.durationSeconds)} on ${project.name} from ${new Date(entry.startTime).toLocaleString()}`)
  return 0
}

const csvCell = (value: unknown) => {
  const s = value === null || value === undefined ? "" : String(value)
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s
}

const report = async (args: ReadonlyArray<string>): Promise<number> => {
  const { values } = parse(args, { from: { type: "string" }, to: { type: "string" }, csv: { type: "boolean", default: false } })
  const cm = client(values)
  const result = await cm.reports.billing({ ...(values.from ? { from: values.from } : {}), ...(values.to ? { to: values.to } : {}) })
  if (values.csv) {
    const rows = result.projects.map((p) => p as Record<string, unknown>)
    const columns = rows.length > 0 ? Object.keys(rows[0]!) : ["projectId", "projectName", "hours"]
    process.stdout.write([columns.join(","), ...rows.map((r) => columns.map((c) => csvCell(r[c])).join(","))].join("\n") + "\n")
    return 0
  }
  const lines = [`${result.from} – ${result.to} (${result.timezone})`]
  for (const p of result.projects) {
    const amount = (p as Record<string, unknown>).amount
    lines.push(`  ${String(p.projectName ?? "(none)").padEnd(30)} ${p.hours.toFixed(2).padStart(8)} h${typeof amount === "number" ? `  ${amount.toFixed(2)} ${result.currency}` : ""}`)
  }
  if (result.projects.length === 0) lines.push("  no time in this period")
  out(values.json, result, lines.join("\n"))
  return 0
}

const login = async (args: ReadonlyArray<string>): Promise<number> => {
  const { values } = parse(args, {})
  const stored = readConfig()
  const url = values.url ?? stored.url ?? "http://127.0.0.1:8787"
  const key = values.key ?? (process.stdin.isTTY ? await prompt("API key (ck_live_…): ") : (await readStdin(2000)).trim())
  if (!key) throw new UsageError("login needs an API key")
  const me = await new ClockMe({ apiKey: key, baseUrl: url }).me.get()
  writeConfig({ ...stored, url, apiKey: key })
  out(values.json, { url, user: me.user, configFile: configFile() }, `logged in to ${url} as ${me.user.email}; saved to ${configFile()}`)
  return 0
}

const sync = async (args: ReadonlyArray<string>): Promise<number> => {
  const { values } = parse(args, {})
  const cm = client(values)
  const result = await flushQueue(cm)
  if (result === undefined) throw new Error("another clockme process is sending the queue; try again in a moment")
  out(values.json, result, [...result.log, `${result.sent} sent, ${result.dropped} dropped, ${result.left} left`].join("\n"))
  return result.left > 0 ? 1 : 0
}

export const run = async (args: ReadonlyArray<string>): Promise<void> => {
  process.exitCode = await main(args)
}
