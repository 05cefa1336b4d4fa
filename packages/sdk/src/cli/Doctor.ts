import { spawnSync } from "node:child_process"
import { existsSync, readFileSync } from "node:fs"
import { installedVersion, launcherFile, programCommand, programFile } from "./HookProgram.js"
import { installedPlugin } from "./InstalledPlugin.js"
import { resolveCredentials } from "./Paths.js"
import { queuedCount } from "./QueueFile.js"
import { hooksFile, ourCommands, plan, type PlanScope, type SetupOptions } from "./Setup.js"
import { ONE_SOURCE_NOTE, telemetryIn } from "./Telemetry.js"
import { type Tool, TOOLS } from "../setup/ToolRecords.js"

/** One line of the report: a problem carries the command that fixes it. */
export interface Check {
  readonly subject: string
  readonly ok: boolean
  readonly detail: string
  readonly fix?: string
}

export interface DoctorReport {
  readonly checks: ReadonlyArray<Check>
  readonly broken: boolean
}

const ok = (subject: string, detail: string): Check => ({ subject, ok: true, detail })
const problem = (subject: string, detail: string, fix: string): Check => ({ subject, ok: false, detail, fix })

const readText = (file: string) => existsSync(file) ? readFileSync(file, "utf8") : undefined

const get = async (url: string, key?: string): Promise<{ readonly status: number; readonly json: any }> => {
  const response = await fetch(url, { headers: key ? { authorization: `Bearer ${key}` } : {}, signal: AbortSignal.timeout(5000) })
  return { status: response.status, json: await response.json().catch(() => undefined) }
}

const masked = (key: string) => `${key.slice(0, 12)}…${key.slice(-4)}`

/** The server, the key and its scope, and what is queued: what every tool's hooks share. */
const shared = async (url: string, key: string | undefined): Promise<ReadonlyArray<Check>> => {
  const checks: Array<Check> = []
  const base = url.replace(/\/+$/, "").replace(/\/api$/, "")
  let up = false
  try {
    const health = await get(`${base}/api/health`)
    up = health.status === 200
    if (up) {
      const version = (await get(`${base}/api/openapi`)).json?.info?.version
      checks.push(ok("server", `${base} answers (ClockMe ${typeof version === "string" ? version : "of an unknown version"})`))
    } else {
      checks.push(problem("server", `${base}/api/health answers HTTP ${health.status}`, `check the server's log, or point to another: clockme login --url <url>`))
    }
  } catch (error) {
    checks.push(problem("server", `${base} does not answer (${(error as Error).cause instanceof Error ? ((error as Error).cause as Error).message : (error as Error).message})`, `start the server (clockme-server serve), or point to it: clockme login --url <url>`))
  }
  if (key === undefined) {
    checks.push(problem("key", "no API key stored", `clockme login --url ${base}`))
  } else if (up) {
    try {
      const me = await get(`${base}/api/me`, key)
      if (me.status === 401) {
        checks.push(problem("key", `${masked(key)} is refused (revoked or mistyped): ${me.json?.message ?? "HTTP 401"}`, `create a key in ClockMe, then: clockme login --key <new key>, and clockme setup <tool> again`))
      } else if (me.status !== 200) {
        checks.push(problem("key", `${masked(key)}: /api/me answers HTTP ${me.status}`, `clockme login --key <key>`))
      } else if (me.json?.scope === "read") {
        checks.push(problem("key", `${masked(key)} of ${me.json.user?.email} is read-only; hooks start and stop timers, which needs a write or full key`, `create a write key, then: clockme login --key <new key>, and clockme setup <tool> again`))
      } else {
        checks.push(ok("key", `${masked(key)} of ${me.json?.user?.email} works (scope ${me.json?.scope})`))
      }
    } catch (error) {
      checks.push(problem("key", `could not check the key (${(error as Error).message})`, "clockme doctor again"))
    }
  }
  const queued = queuedCount()
  if (queued === 0) checks.push(ok("queue", "no hook event waits to be sent"))
  else if (up) checks.push(problem("queue", `${queued} hook event(s) wait to be sent`, "clockme sync"))
  else checks.push(ok("queue", `${queued} hook event(s) wait for the server; the next hook or clockme sync sends them`))
  return checks
}

/** Whether the program the hooks run is there and starts; checked once for all tools. */
const programCheck = (): Check => {
  const fix = "clockme setup <tool> (any tool set up puts it back)"
  const version = installedVersion()
  if (version === undefined) return problem("program", `the hook program is missing: ${programFile()}`, fix)
  const [file, ...args] = process.platform === "win32" ? [process.execPath, programFile()] : [launcherFile()]
  const ran = spawnSync(file!, [...args, "--version"], { encoding: "utf8", timeout: 10_000 })
  if (ran.status !== 0 || !ran.stdout.startsWith("clockme-hook")) {
    return problem("program", `the hook program does not run (${ran.error?.message ?? (ran.stderr.trim().split("\n")[0] || `exit ${ran.status}`)})`, fix)
  }
  return ok("program", `${programFile()} ${version} runs`)
}

const fixFor = (tool: Tool, projectScope: boolean, fallback: string | undefined) =>
  `clockme setup ${tool}${projectScope ? " --project-scope" : ""}${fallback ? ` --fallback-project ${fallback}` : ""}`

/** One tool in one scope: is what setup would write there what is there? */
const toolChecks = (tool: Tool, options: SetupOptions, program: () => Check, scope: PlanScope): ReadonlyArray<Check> => {
  const subject = options.projectScope ? `${tool} (project)` : tool
  const hooks = hooksFile(options)
  // Run from the home folder, a project's files are the user's own: checked once, as the user's.
  if (options.projectScope && hooks === hooksFile({ ...options, projectScope: false })) return []
  const commands = ourCommands(tool, readText(hooks))
  const present = commands.length > 0 || (!options.projectScope && plan(options, true, scope).some((c) => c.before !== c.after))
  if (!present) return []
  const fallback = commands.map((c) => /--fallback-project (\S+)/.exec(c)?.[1]).find((f) => f !== undefined)
  const expected = plan({ ...options, fallbackProject: fallback }, false, scope)
  const fix = fixFor(tool, options.projectScope, fallback)
  const checks: Array<Check> = []
  for (const change of expected) {
    if (change.before === change.after) continue
    const elsewhere = change.file === hooks ? commands.find((c) => !c.startsWith(programCommand())) : undefined
    checks.push(problem(
      subject,
      change.before === undefined || (change.file === hooks && commands.length === 0)
        ? `${change.file}: ClockMe's ${change.file === hooks ? "hooks are" : "MCP entry is"} missing`
        : elsewhere !== undefined
        ? `${change.file}: hooks run ${elsewhere.slice(0, elsewhere.indexOf(" hook "))}, not the hook program (an older setup; a cache or checkout path breaks when it goes)`
        : `${change.file} differs from what setup writes (edited by hand, or a changed key or URL)`,
      fix
    ))
  }
  if (commands.some((c) => c.startsWith(programCommand()))) {
    const ran = program()
    if (!ran.ok) checks.push({ ...ran, subject, fix })
  }
  if (checks.length === 0) checks.push(ok(subject, `MCP entry and ${commands.length} hooks as setup writes them`))
  return [...checks, ...usageCheck(tool, options)]
}

const usageCheck = (tool: Tool, options: SetupOptions): ReadonlyArray<Check> =>
  tool === "claude-code" && !options.projectScope && telemetryIn(readText(hooksFile(options))) ? [ok(`${tool} usage`, ONE_SOURCE_NOTE)] : []

export const diagnose = async (flags: { readonly url?: string | undefined; readonly key?: string | undefined }): Promise<DoctorReport> => {
  const { url, apiKey } = resolveCredentials(flags)
  const checks: Array<Check> = [...await shared(url, apiKey)]
  let ran: Check | undefined
  const program = () => (ran ??= programCheck())
  const base = { url, key: apiKey ?? "ck_live_YOUR_KEY", projectDir: process.cwd(), command: programCommand(), fallbackProject: undefined }
  const tools: Array<Check> = []
  for (const tool of TOOLS) {
    // Beside the plugin, only the hooks and MCP entries are old: the usage export is setup's alone.
    const plugin = installedPlugin(tool)
    const found = [false, true].flatMap((projectScope) => {
      try {
        return toolChecks(tool, { ...base, tool, projectScope }, program, plugin === undefined ? "all" : "records")
      } catch (error) {
        return [problem(projectScope ? `${tool} (project)` : tool, (error as Error).message, fixFor(tool, projectScope, undefined))]
      }
    })
    if (plugin === undefined) tools.push(...(found.length > 0 ? found : [ok(tool, "not set up")]))
    else if (found.length === 0) tools.push(ok(tool, `the ClockMe plugin is installed (${plugin})`), ...usageCheck(tool, { ...base, tool, projectScope: false }))
    else tools.push(problem(tool, `the ClockMe plugin is installed (${plugin}) beside the hooks setup wrote: each event runs twice`, `clockme setup ${tool} --remove-old-hooks`))
  }
  if (ran !== undefined && ran.ok) checks.push(ran)
  checks.push(...tools)
  if (tools.every((c) => c.detail === "not set up")) checks.push(problem("tools", "no tool is set up", "clockme setup <tool>"))
  return { checks, broken: checks.some((c) => !c.ok) }
}
