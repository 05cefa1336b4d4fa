import { matchProjectName } from "@clockme/domain/ProjectMatch"
import { createInterface } from "node:readline"
import { ClockMe } from "../ClockMe.js"
import { ClockMeError } from "../Errors.js"
import { addRecord, installProgram, programCommand, programFile, removeRecord } from "./HookProgram.js"
import { installedPlugin } from "./InstalledPlugin.js"
import { configFile, readConfig, resolveCredentials, writeConfig } from "./Paths.js"
import { projectNameFor } from "./Project.js"
import { hookClient } from "./HookClient.js"
import { flushQueue, queuedCount } from "./Queue.js"
import { apply, diff, hooksFile, plan, type SetupOptions } from "./Setup.js"
import { readStdin } from "./Stdin.js"
import { type Tool, TOOL_RECORDS, TOOLS } from "../setup/ToolRecords.js"
import { ONE_SOURCE_NOTE, telemetryIn } from "./Telemetry.js"

/** A mistake in how a command was called: exit code 2, like the parser's own errors. */
export class UsageError extends Error {}

/** What every command that talks to the server takes. */
export interface Common {
  readonly json: boolean
  readonly url: string | undefined
  readonly key: string | undefined
}

const out = (json: boolean, value: unknown, human: string) => {
  process.stdout.write(json ? JSON.stringify(value, null, 2) + "\n" : human + "\n")
}

const client = (flags: Common) => {
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

export interface SetupInput extends Common {
  readonly tool: Tool
  readonly uninstall: boolean
  readonly projectScope: boolean
  readonly fallbackProject: string | undefined
  readonly autoCreate: boolean
  readonly dryRun: boolean
  readonly command: string | undefined
  readonly usage?: boolean | undefined
  /** With the ClockMe plugin installed, remove what an earlier setup wrote without asking. */
  readonly removeOldHooks: boolean
}

/**
 * The ClockMe plugin is installed for this tool: its hooks track sessions and it carries the MCP server, so
 * setup adds no hooks, and what an earlier setup wrote would count every session twice. Offers to remove that
 * (asks on a terminal; `--remove-old-hooks` says yes up front). The plugin carries no OpenTelemetry export:
 * `--usage` still writes it (and a key or URL change refreshes it), and removing the old hooks leaves it.
 */
const besidePlugin = async (input: SetupInput, options: SetupOptions, evidence: string, mask: (s: string) => string, keyed: boolean): Promise<number> => {
  const usage = keyed ? plan(options, false, "usage").filter((c) => c.before !== c.after) : []
  const wrote = input.dryRun ? [] : apply(usage)
  const changed = plan(options, true, "records").filter((c) => c.before !== c.after)
  const removal = () => {
    const applied = apply(changed)
    const user = { tool: input.tool, file: hooksFile(options) }
    const program = removeRecord(user, TOOLS.map((tool) => hooksFile({ tool, projectScope: false, projectDir: options.projectDir })))
    return { applied, program }
  }
  if (input.json) {
    const removed = changed.length > 0 && !input.dryRun && input.removeOldHooks ? removal() : undefined
    const applied = [...wrote, ...removed?.applied ?? []]
    out(true, {
      tool: input.tool,
      plugin: evidence,
      dryRun: input.dryRun,
      oldHooks: changed.length === 0 ? "none" : removed ? "removed" : "kept",
      usage: usage.length === 0 ? "unchanged" : input.dryRun ? "would change" : "written",
      changed: [...new Set(applied.map((a) => a.file))],
      backups: applied.flatMap((a) => a.backup ? [a.backup] : []),
      program: removed?.program ? "removed" : "untouched"
    }, "")
    return 0
  }
  const adds = usage.length > 0 ? "adds only the OpenTelemetry export of AI usage, which the plugin does not carry" : "adds nothing"
  process.stdout.write(`${TOOL_RECORDS[input.tool].label}: the ClockMe plugin is installed (${evidence}); it tracks sessions and carries the MCP server, so setup ${adds}.\n`)
  for (const change of usage) process.stdout.write(diff(change, mask) + "\n\n")
  for (const a of wrote) process.stdout.write(`wrote ${a.file}${a.backup ? ` (backup: ${a.backup})` : ""}\n`)
  if (usage.length > 0) process.stdout.write(`${ONE_SOURCE_NOTE}\n`)
  if (changed.length === 0) {
    if (input.dryRun && usage.length > 0) process.stdout.write("dry run: nothing written.\n")
    return 0
  }
  for (const change of changed) process.stdout.write(diff(change, mask) + "\n\n")
  const question = "What an earlier setup wrote (above) would count each session twice beside the plugin."
  const remove = !input.dryRun && (input.removeOldHooks || (process.stdin.isTTY === true && /^y(es)?$/i.test(await prompt(`${question} Remove it? [y/N] `))))
  if (remove) {
    const { applied, program } = removal()
    for (const a of applied) process.stdout.write(`wrote ${a.file}${a.backup ? ` (backup: ${a.backup})` : ""}\n`)
    if (program) process.stdout.write(`removed the hook program (no tool runs it now): ${programFile()}\n`)
    return 0
  }
  process.stdout.write(
    `${question} ${input.dryRun ? "Dry run: nothing written" : "Kept"}; remove it with: ` +
      `clockme setup ${input.tool}${input.projectScope ? " --project-scope" : ""} --remove-old-hooks\n`
  )
  return 0
}

export const setup = async (input: SetupInput): Promise<number> => {
  if (input.fallbackProject && input.autoCreate) throw new UsageError("use --fallback-project or --auto-create, not both")
  if (input.usage === true && input.tool !== "claude-code") throw new UsageError("--usage is for claude-code; the hooks of the other tools read their usage themselves")
  if (input.usage === true && input.projectScope) throw new UsageError("--usage writes your key into Claude Code's settings env block: run it without --project-scope")
  const stored = readConfig()
  const url = input.url ?? (process.env.CLOCKME_URL || undefined) ?? stored.url ?? "http://127.0.0.1:8787"
  const key = input.key ?? (process.env.CLOCKME_API_KEY || undefined) ?? stored.apiKey
  const plugin = input.uninstall ? undefined : installedPlugin(input.tool)
  if (!key && !input.uninstall && !input.dryRun && (plugin === undefined || input.usage === true)) throw new UsageError("setup needs an API key: pass --key ck_live_… or run `clockme login` first")
  const options = {
    tool: input.tool,
    url,
    key: key ?? "ck_live_YOUR_KEY",
    projectScope: input.projectScope,
    projectDir: process.cwd(),
    command: input.command ?? programCommand(),
    fallbackProject: input.fallbackProject,
    usage: input.usage === true
  }
  const mask = (text: string) => key ? text.split(key).join(`${key.slice(0, 8)}…${key.slice(-4)}`) : text
  if (plugin !== undefined) return besidePlugin(input, options, plugin, mask, key !== undefined)
  // `--uninstall --usage` turns the export off and leaves the hooks.
  const onlyUsage = input.uninstall && input.usage === true
  const changes = plan(options, input.uninstall, onlyUsage ? "usage" : "all")
  const changed = changes.filter((c) => c.before !== c.after)
  // The program goes in place before any hook names it; --command names another program.
  const program = input.dryRun || input.uninstall || input.command !== undefined ? undefined : installProgram()
  const applied = input.dryRun ? [] : apply(changes)
  const user = { tool: input.tool, file: hooksFile(options) }
  if (program !== undefined) addRecord(user)
  const removed = input.uninstall && !onlyUsage && !input.dryRun &&
    removeRecord(user, TOOLS.map((tool) => hooksFile({ tool, projectScope: false, projectDir: options.projectDir })))
  if (!input.dryRun && !input.uninstall && key && (key !== stored.apiKey || url !== stored.url)) writeConfig({ ...stored, url, apiKey: key })
  if (input.json) {
    out(true, {
      tool: input.tool,
      dryRun: input.dryRun,
      changed: changed.map((c) => c.file),
      backups: applied.flatMap((a) => a.backup ? [a.backup] : []),
      program: removed ? "removed" : program ?? "untouched"
    }, "")
    return 0
  }
  if (program === "installed" || program === "updated") process.stdout.write(`${program} the hook program: ${programFile()}\n`)
  if (removed) process.stdout.write(`removed the hook program (no tool runs it now): ${programFile()}\n`)
  if (!input.uninstall && changes.some((c) => telemetryIn(c.after))) process.stdout.write(`${ONE_SOURCE_NOTE}\n`)
  if (changed.length === 0) {
    process.stdout.write(`${input.tool}: already ${input.uninstall ? "clean" : "set up"}; nothing to change.\n`)
    return 0
  }
  for (const change of changed) process.stdout.write(diff(change, mask) + "\n\n")
  for (const a of applied) process.stdout.write(`wrote ${a.file}${a.backup ? ` (backup: ${a.backup})` : ""}\n`)
  if (input.dryRun) process.stdout.write("dry run: nothing written.\n")
  if (!input.uninstall && (input.tool === "codex" || input.projectScope)) {
    process.stdout.write("note: export CLOCKME_API_KEY in the environment the tool starts from; the MCP entry reads the key from it.\n")
  }
  return 0
}

export interface TimerInput extends Common {
  readonly project: string | undefined
  readonly create: boolean
  readonly message: string | undefined
}

export const timer = async (command: "start" | "stop" | "pause" | "resume", input: TimerInput): Promise<number> => {
  const cm = client(input)
  if (command === "start") {
    const projectName = input.project ?? projectNameFor(process.cwd())
    const started = await cm.timer.start({ projectName, autoCreate: input.create, ...(input.message ? { description: input.message } : {}) })
    out(input.json, started, started.alreadyRunning ? `${started.projectName} is already running (${formatDuration(started.elapsedSeconds)})` : `started ${started.projectName}`)
    return 0
  }
  const target = input.project === undefined ? {} : { projectName: input.project }
  if (command === "stop") {
    const stopped = await cm.timer.stop(target)
    out(input.json, stopped, "durationSeconds" in stopped ? `stopped: ${formatDuration(stopped.durationSeconds)} logged` : stopped.message)
    return 0
  }
  const changed = command === "pause" ? await cm.timer.pause(target) : await cm.timer.resume(target)
  out(input.json, changed, `${command === "pause" ? "paused" : "resumed"} ${changed.projectName} (${formatDuration(changed.elapsedSeconds)})`)
  return 0
}

export const status = async (input: Common): Promise<number> => {
  const cm = client(input)
  const current = await cm.timer.current()
  const queued = queuedCount()
  const lines = current.timers.length === 0
    ? ["no timer running"]
    : current.timers.map((t) => `${t.state === "paused" ? "⏸" : "▶"} ${t.projectName}  ${formatDuration(t.elapsedSeconds)}  (${t.source}${t.description ? `, ${t.description}` : ""})`)
  if (queued > 0) lines.push(`${queued} hook event(s) queued; run clockme sync`)
  out(input.json, { ...current, queued }, lines.join("\n"))
  return 0
}

export interface LogInput extends Common {
  readonly project: string
  readonly duration: string
  readonly at: string | undefined
  readonly message: string | undefined
  readonly billable: boolean | undefined
}

export const logTime = async (input: LogInput): Promise<number> => {
  const minutes = parseDuration(input.duration)
  const start = input.at ? parseAt(input.at) : new Date(Date.now() - minutes * 60_000)
  const cm = client(input)
  const project = await findProject(cm, input.project)
  const entry = await cm.entries.create({
    projectId: project.id,
    startTime: start,
    durationMinutes: minutes,
    ...(input.message ? { description: input.message } : {}),
    ...(input.billable === undefined ? {} : { billable: input.billable })
  })
  out(input.json, entry, `logged ${formatDuration(entry.durationSeconds)} on ${project.name} from ${new Date(entry.startTime).toLocaleString()}`)
  return 0
}

const csvCell = (value: unknown) => {
  const s = value === null || value === undefined ? "" : String(value)
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s
}

export interface ReportInput extends Common {
  readonly from: string | undefined
  readonly to: string | undefined
  readonly csv: boolean
}

export const report = async (input: ReportInput): Promise<number> => {
  const cm = client(input)
  const result = await cm.reports.billing({ ...(input.from ? { from: input.from } : {}), ...(input.to ? { to: input.to } : {}) })
  if (input.csv) {
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
  out(input.json, result, lines.join("\n"))
  return 0
}

export const login = async (input: Common): Promise<number> => {
  const stored = readConfig()
  const url = input.url ?? stored.url ?? "http://127.0.0.1:8787"
  const key = input.key ?? (process.stdin.isTTY ? await prompt("API key (ck_live_…): ") : (await readStdin(2000)).trim())
  if (!key) throw new UsageError("login needs an API key")
  const me = await new ClockMe({ apiKey: key, baseUrl: url }).me.get()
  writeConfig({ ...stored, url, apiKey: key })
  out(input.json, { url, user: me.user, configFile: configFile() }, `logged in to ${url} as ${me.user.email}; saved to ${configFile()}`)
  return 0
}

export const sync = async (input: Common): Promise<number> => {
  const credentials = resolveCredentials(input)
  if (!credentials.apiKey) {
    throw new UsageError("no API key: run `clockme login`, pass --key, or set CLOCKME_API_KEY")
  }
  // The queue's requests, over the hook's plain client: a flush sends the same bytes from either.
  const timer = hookClient({ baseUrl: credentials.url, apiKey: credentials.apiKey, remaining: () => 30_000, retries: 2 })
  const result = await flushQueue(timer.call)
  if (result === undefined) throw new Error("another clockme process is sending the queue; try again in a moment")
  out(input.json, result, [...result.log, `${result.sent} sent, ${result.dropped} dropped, ${result.left} left`].join("\n"))
  return result.left > 0 ? 1 : 0
}

export const doctor = async (input: Common): Promise<number> => {
  const { diagnose } = await import("./Doctor.js")
  const report = await diagnose(input)
  const width = Math.max(...report.checks.map((c) => c.subject.length))
  const lines = report.checks.flatMap((c) => [
    `${c.ok ? "ok " : "!! "} ${c.subject.padEnd(width)}  ${c.detail}`,
    ...(c.fix ? [`    ${" ".repeat(width)}  fix: ${c.fix}`] : [])
  ])
  lines.push(report.broken ? "something is broken: run the fix commands above" : "all good")
  out(input.json, report, lines.join("\n"))
  return report.broken ? 1 : 0
}
