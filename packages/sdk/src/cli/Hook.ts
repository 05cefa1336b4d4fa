import { createHash, randomUUID } from "node:crypto"
import { appendFileSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, readdirSync, statSync, unlinkSync, utimesSync } from "node:fs"
import { join } from "node:path"
import { HookFailure, hookClient, isUnreachableFailure } from "./HookClient.js"
import { configDir, home, logFile, queueFile, resolveCredentials } from "./Paths.js"
import { gitBranchOf, projectNameFor } from "./Project.js"
import { enqueue, type QueuedEvent, queuedCount } from "./QueueFile.js"
import { type HookEvent, type Tool, TOOL_RECORDS } from "../setup/ToolRecords.js"

export type { HookEvent } from "../setup/ToolRecords.js"

export const HOOK_EVENTS: ReadonlyArray<HookEvent> = ["session-start", "prompt", "stop", "session-end"]


/** Time the whole hook may take; Claude Code gives all SessionEnd hooks 1.5 s together. */
export const BUDGET_MS: Record<HookEvent, number> = { "session-start": 4000, prompt: 4000, stop: 4000, "session-end": 1200 }

/**
 * Claude Code lets users raise the SessionEnd budget with CLAUDE_CODE_SESSIONEND_HOOKS_TIMEOUT_MS;
 * CLOCKME_HOOK_BUDGET_MS sets the other events' budget (a slow machine, a tool with a longer timeout).
 */
export const budgetMs = (event: HookEvent): number => {
  if (event !== "session-end") {
    const custom = Number(process.env.CLOCKME_HOOK_BUDGET_MS)
    return Number.isFinite(custom) && custom >= 500 ? Math.min(60_000, custom) : BUDGET_MS[event]
  }
  const raised = Number(process.env.CLAUDE_CODE_SESSIONEND_HOOKS_TIMEOUT_MS)
  if (!Number.isFinite(raised) || raised <= 1500) return BUDGET_MS[event]
  return Math.min(60_000, raised - 300)
}

export interface HookOptions {
  readonly event: HookEvent
  readonly tool: string
  readonly autoCreate: boolean
  readonly fallbackProject?: string | undefined
  readonly stdin: string
}

const log = (line: string) => {
  try {
    mkdirSync(configDir(), { recursive: true, mode: 0o700 })
    const file = logFile()
    if (existsSync(file) && statSync(file).size > 512_000) unlinkSync(file)
    appendFileSync(file, `${new Date().toISOString()} ${line}\n`, { mode: 0o600 })
  } catch {
    // logging must never break a hook
  }
}

const str = (value: unknown): string | undefined => typeof value === "string" && value.trim() !== "" ? value : undefined

/** When the event happened: the payload's ISO or epoch-millisecond timestamp, else now. */
const eventTime = (payload: any): string => {
  const t = payload?.timestamp
  const parsed = typeof t === "number" ? t : typeof t === "string" ? Date.parse(t) : Number.NaN
  return Number.isFinite(parsed) && Math.abs(parsed - Date.now()) < 86_400_000 ? new Date(parsed).toISOString() : new Date().toISOString()
}

const folderOf = (payload: any): string =>
  str(process.env.CLAUDE_PROJECT_DIR) ?? str(process.env.CURSOR_PROJECT_DIR) ?? str(process.env.GEMINI_PROJECT_DIR) ??
    str(payload?.workspace_roots?.[0]) ?? str(payload?.cwd) ?? process.cwd()

const sessionOf = (payload: any): string | undefined =>
  (str(payload?.session_id) ?? str(payload?.sessionId) ?? str(payload?.conversation_id) ?? str(payload?.trajectory_id) ??
    str(process.env.GEMINI_SESSION_ID))?.slice(0, 200)

const installedFor = (tool: "cursor" | "copilot", folder: string): boolean => {
  const files = tool === "cursor"
    ? [join(home(), ".cursor", "hooks.json"), join(folder, ".cursor", "hooks.json")]
    : [join(home(), ".copilot", "hooks", "clockme.json"), join(folder, ".github", "hooks", "clockme.json")]
  return files.some((file) => {
    try {
      return readFileSync(file, "utf8").includes(`--tool ${tool}`)
    } catch {
      return false
    }
  })
}

/**
 * Cursor and VS Code also run Claude Code's hooks. When our own hooks for that editor are
 * installed too, the Claude Code copy is the duplicate and is ignored.
 */
export const foreignHost = (tool: string, payload: any, folder: string): string | undefined => {
  if (tool !== "claude-code") return undefined
  if ((payload?.cursor_version !== undefined || process.env.CURSOR_VERSION) && installedFor("cursor", folder)) return "cursor"
  const vscode = payload?.hookEventName !== undefined && payload?.hook_event_name === undefined
  if (vscode && installedFor("copilot", folder)) return "copilot"
  return undefined
}

/**
 * The same event of the same session seen twice within a few seconds (two configs loaded by one
 * editor) is handled once: the first process to create the marker file wins.
 */
const firstSighting = (event: HookEvent, sessionId: string | undefined): boolean => {
  if (sessionId === undefined) return true
  const dir = join(configDir(), "seen")
  const marker = join(dir, createHash("sha256").update(`${sessionId}\0${event}`).digest("hex").slice(0, 32))
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 })
    closeSync(openSync(marker, "wx"))
    if (Math.random() < 0.05) sweep(dir)
    return true
  } catch {
    try {
      if (Date.now() - statSync(marker).mtimeMs < 5_000) return false
      const now = new Date()
      utimesSync(marker, now, now)
    } catch {
      // a race with a sweep: treat as new
    }
    return true
  }
}

const sweep = (dir: string) => {
  for (const name of readdirSync(dir)) {
    try {
      if (Date.now() - statSync(join(dir, name)).mtimeMs > 3_600_000) unlinkSync(join(dir, name))
    } catch {
      // another sweep won
    }
  }
}

type Client = ReturnType<typeof hookClient>

/**
 * Sends the event with its own time (`at`); a server that refuses it (an older server, or clock skew
 * beyond its bounds) gets it again without.
 */
const send = async (client: Client, e: QueuedEvent): Promise<string> => {
  try {
    return await sendAt(client, e, { at: e.at })
  } catch (error) {
    // an older server knows neither `at` nor `gitBranch`
    if (error instanceof HookFailure && error.code === "invalid_input") return sendAt(client, { ...e, gitBranch: undefined }, {})
    throw error
  }
}

const sendAt = async (client: Client, e: QueuedEvent, when: { readonly at?: string }): Promise<string> => {
  const session = { ...(e.sessionId ? { sessionId: e.sessionId } : {}), ...when }
  const key = `clockme-hook:${e.id}`
  const project = e.fallbackProjectId ? { fallbackProjectId: e.fallbackProjectId } : { autoCreate: e.autoCreate ?? false }
  const description = e.description ? { description: e.description } : {}
  const branch = e.gitBranch ? { gitBranch: e.gitBranch } : {}
  const start = async () => {
    const started = await client.call(
      "start",
      { projectName: e.projectName, source: "hook", ...project, ...session, ...description, ...branch },
      key
    )
    return `started ${started.projectName}${started.alreadyRunning ? " (already running)" : ""}`
  }
  switch (e.event) {
    case "session-start":
      return start()
    case "prompt":
    case "stop": {
      const autoStart = e.event === "prompt"
      try {
        await client.call("heartbeat", {
          projectName: e.projectName,
          source: "hook",
          ...session,
          ...branch,
          ...(autoStart ? { autoStart: true, autoCreate: e.autoCreate ?? false, ...description } : {})
        }, key)
        return "heartbeat"
      } catch (error) {
        if (autoStart && e.fallbackProjectId && error instanceof HookFailure && error.code === "project_not_found") return start()
        throw error
      }
    }
    case "session-end": {
      const stopped = await client.call("stop", { projectName: e.projectName, ...session, ...(e.sessionId ? { reason: "session_end" } : {}) }, key)
      return "id" in stopped ? `stopped ${e.projectName}` : `kept ${e.projectName} running for other sessions`
    }
  }
}

/**
 * Sends what the queue holds before the live event, when the server answers again: one request per
 * stretch (see Stretches.ts) over the same plain client, so even a flush loads neither Effect nor the
 * SDK, only the queue lock. Leaves time for the live event: a session end must still stop its timer.
 */
const flushFirst = async (client: Client, remaining: () => number) => {
  await client.call("health")
  const { flushQueue } = await import("./Queue.js")
  let timer: ReturnType<typeof setTimeout> | undefined
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new HookFailure("timeout", "the queue did not flush in time")), Math.max(100, remaining() - 400))
  })
  try {
    return await Promise.race([flushQueue(client.call), deadline])
  } finally {
    clearTimeout(timer)
  }
}

/** Past this size, the appended lines are rewritten as stretches (under the queue lock). */
const COMPACT_BYTES = 4096

const queueEvent = async (event: QueuedEvent) => {
  enqueue(event)
  try {
    if (statSync(queueFile()).size > COMPACT_BYTES) await (await import("./Queue.js")).compactQueue()
  } catch {
    // compacting is an optimisation
  }
}

/**
 * Handles one hook event: never throws, never writes to stdout, and gives up (queueing the event)
 * before the tool's time budget runs out.
 */
export const runHook = async (options: HookOptions): Promise<void> => {
  const started = Date.now()
  let payload: any = {}
  try {
    payload = options.stdin.trim() === "" ? {} : JSON.parse(options.stdin)
  } catch {
    log(`${options.tool} ${options.event}: stdin is not JSON; going on without it`)
  }
  const folder = folderOf(payload)
  const host = foreignHost(options.tool, payload, folder)
  if (host !== undefined) {
    log(`${options.tool} ${options.event}: ignored, ${host} runs its own clockme hooks`)
    return
  }
  const sessionId = sessionOf(payload)
  if (!firstSighting(options.event, sessionId)) {
    log(`${options.tool} ${options.event}: ignored duplicate for session ${sessionId}`)
    return
  }
  const event: QueuedEvent = {
    id: randomUUID(),
    event: options.event,
    tool: options.tool,
    at: eventTime(payload),
    projectName: projectNameFor(folder).slice(0, 200),
    sessionId,
    autoCreate: options.fallbackProject === undefined ? options.autoCreate : false,
    fallbackProjectId: options.fallbackProject,
    description: `${TOOL_RECORDS[options.tool as Tool]?.label ?? options.tool} session`,
    gitBranch: gitBranchOf(str(payload?.cwd) ?? folder)
  }
  const credentials = resolveCredentials()
  if (!credentials.apiKey) {
    log(`${options.tool} ${options.event}: no API key (run clockme login); event not sent`)
    return
  }
  const budget = budgetMs(options.event) - 150
  const remaining = () => budget - (Date.now() - started)
  const client = hookClient({
    baseUrl: credentials.url,
    apiKey: credentials.apiKey,
    remaining,
    retries: options.event === "session-end" ? 0 : 1
  })
  try {
    if (queuedCount() > 0) {
      const flushed = await flushFirst(client, remaining)
      for (const line of flushed?.log ?? []) log(`flush: ${line}`)
      if (flushed === undefined || flushed.left > 0) {
        await queueEvent(event)
        log(`${options.tool} ${options.event}: queued behind ${flushed?.left ?? "a running flush"}`)
        return
      }
    }
    const result = await send(client, event)
    log(`${options.tool} ${options.event} ${event.projectName}: ${result}`)
  } catch (error) {
    if (isUnreachableFailure(error)) {
      await queueEvent(event)
      log(`${options.tool} ${options.event} ${event.projectName}: queued (${(error as Error).message})`)
    } else {
      log(`${options.tool} ${options.event} ${event.projectName}: ${(error as Error).message}`)
    }
  }
}
