import { copyFileSync, existsSync, mkdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from "node:fs"
import { dirname, join } from "node:path"
import { parse as parseToml } from "smol-toml"
import { home } from "./Paths.js"

export const TOOLS = ["claude-code", "cursor", "windsurf", "gemini", "copilot", "codex"] as const
export type Tool = (typeof TOOLS)[number]

export const SERVER_NAME = "clockme"
export const KEY_ENV = "CLOCKME_API_KEY"
const VSCODE_INPUT = "clockme-api-key"

export type HookEvent = "session-start" | "prompt" | "stop" | "session-end"

export interface SetupOptions {
  readonly tool: Tool
  readonly url: string
  readonly key: string
  /** Project files (`.mcp.json`, `.cursor/…`) under `projectDir` instead of the user's. */
  readonly projectScope: boolean
  readonly projectDir: string
  /** The hook command prefix, e.g. `clockme` or `"/usr/bin/node" "/…/cli.js"`. */
  readonly command: string
  readonly fallbackProject?: string | undefined
}

/** One change to one file. */
export interface FileChange {
  readonly file: string
  readonly before: string | undefined
  readonly after: string | undefined
}

type Json = any

const mcpUrl = (url: string) => `${url.replace(/\/+$/, "").replace(/\/api$/, "")}/api/mcp`

export const hookCommand = (options: SetupOptions, event: HookEvent): string =>
  `${options.command} hook ${event} --tool ${options.tool}` +
  (options.fallbackProject ? ` --fallback-project ${options.fallbackProject}` : " --auto-create")

/** True for a hook handler `setup` wrote for this tool, whatever key, URL or command it was written with. */
export const isOurCommand = (tool: Tool, command: unknown): boolean =>
  typeof command === "string" &&
  / hook (session-start|prompt|stop|session-end) --tool /.test(command) &&
  command.includes(`--tool ${tool}`) &&
  command.toLowerCase().includes("clockme")

const handlerCommand = (handler: Json): unknown => handler?.command ?? handler?.bash

/** Hooks grouped Claude-style: `{ Event: [{ matcher?, hooks: [handler] }] }`. */
const grouped = (events: ReadonlyArray<{ readonly name: string; readonly matcher?: string; readonly handler: Json }>) => ({
  strip: (tool: Tool, hooks: Json) => {
    for (const name of Object.keys(hooks)) {
      if (!Array.isArray(hooks[name])) continue
      hooks[name] = hooks[name]
        .map((group: Json) => {
          if (!Array.isArray(group?.hooks)) return group
          const kept = group.hooks.filter((h: Json) => !isOurCommand(tool, handlerCommand(h)))
          return kept.length === group.hooks.length ? group : kept.length === 0 ? undefined : { ...group, hooks: kept }
        })
        .filter((group: Json) => group !== undefined)
      if (hooks[name].length === 0) delete hooks[name]
    }
  },
  add: (hooks: Json) => {
    for (const event of events) {
      const group = event.matcher === undefined ? { hooks: [event.handler] } : { matcher: event.matcher, hooks: [event.handler] }
      hooks[event.name] = [...(Array.isArray(hooks[event.name]) ? hooks[event.name] : []), group]
    }
  }
})

/** Hooks as flat handler lists: `{ event: [handler] }` (Cursor, Windsurf, Copilot). */
const flat = (events: ReadonlyArray<{ readonly name: string; readonly handler: Json }>) => ({
  strip: (tool: Tool, hooks: Json) => {
    for (const name of Object.keys(hooks)) {
      if (!Array.isArray(hooks[name])) continue
      hooks[name] = hooks[name].filter((h: Json) => !isOurCommand(tool, handlerCommand(h)))
      if (hooks[name].length === 0) delete hooks[name]
    }
  },
  add: (hooks: Json) => {
    for (const event of events) {
      hooks[event.name] = [...(Array.isArray(hooks[event.name]) ? hooks[event.name] : []), event.handler]
    }
  }
})

interface JsonTarget {
  readonly kind: "json"
  readonly file: string
  /** Keys a file we created starts with (Cursor's `"version": 1`): a file left with only these is removed. */
  readonly skeleton?: Json
  readonly mcp?: { readonly key: string; readonly entry: Json; readonly inputs?: ReadonlyArray<Json> }
  readonly hooks?: ReturnType<typeof grouped> | ReturnType<typeof flat>
  readonly secret: boolean
}

interface TomlTarget {
  readonly kind: "toml"
  readonly file: string
  readonly block: string
}

type Target = JsonTarget | TomlTarget

const bearer = (options: SetupOptions, style: "claude" | "cursor" | "gemini" | "vscode") => {
  if (!options.projectScope) return `Bearer ${options.key}`
  switch (style) {
    case "claude":
      return `Bearer \${${KEY_ENV}}`
    case "cursor":
      return `Bearer \${env:${KEY_ENV}}`
    case "gemini":
      return `Bearer $${KEY_ENV}`
    case "vscode":
      return `Bearer \${input:${VSCODE_INPUT}}`
  }
}

const vscodeUserDir = (): string => {
  if (process.platform === "darwin") return join(home(), "Library", "Application Support", "Code", "User")
  if (process.platform === "win32" && process.env.APPDATA) return join(process.env.APPDATA, "Code", "User")
  return join(process.env.XDG_CONFIG_HOME || join(home(), ".config"), "Code", "User")
}

/** The files `setup <tool>` changes and what it puts in each (see the integration reference). */
export const targets = (options: SetupOptions): ReadonlyArray<Target> => {
  const url = mcpUrl(options.url)
  const base = options.projectScope ? options.projectDir : home()
  const cmd = (event: HookEvent) => hookCommand(options, event)
  switch (options.tool) {
    case "claude-code": {
      const hooks = grouped([
        { name: "SessionStart", matcher: "startup|resume|clear|compact", handler: { type: "command", command: cmd("session-start"), timeout: 10 } },
        { name: "UserPromptSubmit", handler: { type: "command", command: cmd("prompt"), async: true, timeout: 10 } },
        { name: "Stop", handler: { type: "command", command: cmd("stop"), async: true, timeout: 10 } },
        { name: "SessionEnd", handler: { type: "command", command: cmd("session-end") } }
      ])
      return [
        {
          kind: "json",
          file: options.projectScope ? join(base, ".mcp.json") : join(home(), ".claude.json"),
          mcp: { key: "mcpServers", entry: { type: "http", url, headers: { Authorization: bearer(options, "claude") } } },
          secret: !options.projectScope
        },
        { kind: "json", file: join(base, ".claude", "settings.json"), hooks, secret: false }
      ]
    }
    case "cursor": {
      const hooks = flat([
        { name: "sessionStart", handler: { command: cmd("session-start"), timeout: 10 } },
        { name: "beforeSubmitPrompt", handler: { command: cmd("prompt"), timeout: 10 } },
        { name: "stop", handler: { command: cmd("stop"), timeout: 10 } },
        { name: "sessionEnd", handler: { command: cmd("session-end"), timeout: 10 } }
      ])
      return [
        {
          kind: "json",
          file: join(base, ".cursor", "mcp.json"),
          mcp: { key: "mcpServers", entry: { url, headers: { Authorization: bearer(options, "cursor") } } },
          secret: !options.projectScope
        },
        { kind: "json", file: join(base, ".cursor", "hooks.json"), skeleton: { version: 1 }, hooks, secret: false }
      ]
    }
    case "windsurf": {
      const hooks = flat([
        { name: "pre_user_prompt", handler: { command: cmd("prompt"), show_output: false } },
        { name: "post_cascade_response", handler: { command: cmd("stop"), show_output: false } }
      ])
      return [
        {
          kind: "json",
          file: join(home(), ".codeium", "windsurf", "mcp_config.json"),
          mcp: { key: "mcpServers", entry: { serverUrl: url, headers: { Authorization: `Bearer ${options.key}` } } },
          secret: true
        },
        {
          kind: "json",
          file: options.projectScope ? join(base, ".windsurf", "hooks.json") : join(home(), ".codeium", "windsurf", "hooks.json"),
          hooks,
          secret: false
        }
      ]
    }
    case "gemini": {
      const handler = (event: HookEvent) => ({ name: SERVER_NAME, type: "command", command: cmd(event), timeout: event === "session-end" ? 2000 : 5000 })
      const hooks = grouped([
        { name: "SessionStart", matcher: "*", handler: handler("session-start") },
        { name: "BeforeAgent", matcher: "*", handler: handler("prompt") },
        { name: "AfterAgent", matcher: "*", handler: handler("stop") },
        { name: "SessionEnd", matcher: "*", handler: handler("session-end") }
      ])
      return [{
        kind: "json",
        file: join(base, ".gemini", "settings.json"),
        mcp: { key: "mcpServers", entry: { httpUrl: url, headers: { Authorization: bearer(options, "gemini") } } },
        hooks,
        secret: !options.projectScope
      }]
    }
    case "copilot": {
      const handler = (event: HookEvent) => ({ type: "command", bash: cmd(event), powershell: cmd(event), command: cmd(event), timeoutSec: 10, timeout: 10 })
      // Copilot CLI reads the camelCase events; VS Code maps them to PascalCase but has no
      // UserPromptSubmitted/AgentStop, so its UserPromptSubmit and Stop are listed too.
      const hooks = flat([
        { name: "sessionStart", handler: handler("session-start") },
        { name: "userPromptSubmitted", handler: handler("prompt") },
        { name: "agentStop", handler: handler("stop") },
        { name: "sessionEnd", handler: handler("session-end") },
        { name: "UserPromptSubmit", handler: handler("prompt") },
        { name: "Stop", handler: handler("stop") }
      ])
      const vscodeEntry = { type: "http", url, headers: { Authorization: bearer(options, "vscode") } }
      const hookFile = options.projectScope ? join(base, ".github", "hooks", "clockme.json") : join(home(), ".copilot", "hooks", "clockme.json")
      const list: Array<Target> = [
        options.projectScope
          ? {
            kind: "json",
            file: join(base, ".vscode", "mcp.json"),
            mcp: {
              key: "servers",
              entry: vscodeEntry,
              inputs: [{ type: "promptString", id: VSCODE_INPUT, description: "ClockMe API key", password: true }]
            },
            secret: false
          }
          : { kind: "json", file: join(vscodeUserDir(), "mcp.json"), mcp: { key: "servers", entry: vscodeEntry }, secret: true },
        { kind: "json", file: hookFile, skeleton: { version: 1 }, hooks, secret: false }
      ]
      if (!options.projectScope) {
        list.unshift({
          kind: "json",
          file: join(home(), ".copilot", "mcp-config.json"),
          mcp: { key: "mcpServers", entry: { type: "http", url, headers: { Authorization: `Bearer ${options.key}` } } },
          secret: true
        })
      }
      return list
    }
    case "codex": {
      const hooks = grouped([
        { name: "SessionStart", matcher: "startup|resume|clear", handler: { type: "command", command: cmd("session-start"), timeout: 10 } },
        { name: "UserPromptSubmit", handler: { type: "command", command: cmd("prompt"), timeout: 10 } },
        { name: "Stop", handler: { type: "command", command: cmd("stop"), timeout: 10 } }
      ])
      const block = [
        TOML_BEGIN,
        `[mcp_servers.${SERVER_NAME}]`,
        `url = ${JSON.stringify(url)}`,
        `bearer_token_env_var = ${JSON.stringify(KEY_ENV)}`,
        TOML_END
      ].join("\n")
      return [
        { kind: "toml", file: join(base, ".codex", "config.toml"), block },
        { kind: "json", file: join(base, ".codex", "hooks.json"), hooks, secret: false }
      ]
    }
  }
}

const TOML_BEGIN = "# >>> clockme (managed by `clockme setup codex`; `clockme setup --uninstall codex` removes it)"
const TOML_END = "# <<< clockme"

const readText = (file: string): string | undefined => existsSync(file) ? readFileSync(file, "utf8") : undefined

const parseJson = (file: string, text: string | undefined): Json => {
  if (text === undefined || text.trim() === "") return {}
  try {
    const parsed = JSON.parse(text)
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new Error("not a JSON object")
    return parsed
  } catch (error) {
    throw new Error(`${file} is not plain JSON (${(error as Error).message}); fix or move it, then run setup again`)
  }
}

const sameJson = (a: Json, b: Json) => JSON.stringify(a) === JSON.stringify(b)

const onlySkeleton = (config: Json, skeleton: Json | undefined) =>
  Object.keys(config).length === 0 || (skeleton !== undefined && sameJson(config, skeleton))

const stripJson = (target: JsonTarget, tool: Tool, config: Json): Json => {
  const next = structuredClone(config)
  if (target.mcp) {
    const servers = next[target.mcp.key]
    if (servers && typeof servers === "object") {
      delete servers[SERVER_NAME]
      if (Object.keys(servers).length === 0) delete next[target.mcp.key]
    }
    if (Array.isArray(next.inputs)) {
      next.inputs = next.inputs.filter((i: Json) => i?.id !== VSCODE_INPUT)
      if (next.inputs.length === 0) delete next.inputs
    }
  }
  if (target.hooks && next.hooks && typeof next.hooks === "object") {
    target.hooks.strip(tool, next.hooks)
    if (Object.keys(next.hooks).length === 0) delete next.hooks
  }
  return next
}

const installJson = (target: JsonTarget, tool: Tool, config: Json): Json => {
  const next = stripJson(target, tool, config)
  const result: Json = target.skeleton === undefined ? next : { ...target.skeleton, ...next }
  if (target.mcp) {
    if (target.mcp.inputs) result.inputs = [...(Array.isArray(result.inputs) ? result.inputs : []), ...target.mcp.inputs]
    const existing = result[target.mcp.key]
    result[target.mcp.key] = { ...(existing && typeof existing === "object" ? existing : {}), [SERVER_NAME]: target.mcp.entry }
  }
  if (target.hooks) {
    result.hooks = result.hooks && typeof result.hooks === "object" ? result.hooks : {}
    target.hooks.add(result.hooks)
  }
  return result
}

const stripToml = (text: string): string => {
  const start = text.indexOf(TOML_BEGIN)
  if (start < 0) return text
  const endMarker = text.indexOf(TOML_END, start)
  const end = endMarker < 0 ? text.length : endMarker + TOML_END.length
  const before = text.slice(0, start).replace(/\n+$/, "")
  const after = text.slice(end).replace(/^\n+/, "")
  return before.length === 0 ? after : after.length === 0 ? before + "\n" : `${before}\n\n${after}`
}

const validToml = (file: string, text: string): Json => {
  try {
    return parseToml(text)
  } catch (error) {
    throw new Error(`${file} would not be valid TOML after the change (${(error as Error).message.split("\n")[0]}); fix it, then run setup again`)
  }
}

const installToml = (target: TomlTarget, text: string | undefined): string => {
  const stripped = stripToml(text ?? "")
  const parsed = validToml(target.file, stripped)
  if (parsed?.mcp_servers?.[SERVER_NAME] !== undefined) {
    throw new Error(`${target.file} already defines [mcp_servers.${SERVER_NAME}] outside the block setup manages; remove it, then run setup again`)
  }
  const next = stripped.trim().length === 0 ? target.block + "\n" : `${stripped.replace(/\n*$/, "")}\n\n${target.block}\n`
  validToml(target.file, next)
  return next
}

const render = (config: Json) => JSON.stringify(config, null, 2) + "\n"

/** What `setup` (or `setup --uninstall`) would change, file by file; nothing is written. */
export const plan = (options: SetupOptions, uninstall: boolean): ReadonlyArray<FileChange & { readonly secret: boolean }> =>
  targets(options).map((target) => {
    const before = readText(target.file)
    if (target.kind === "toml") {
      const after = uninstall ? stripToml(before ?? "") : installToml(target, before)
      const gone = uninstall && after.trim().length === 0
      return { file: target.file, before, after: gone ? undefined : after, secret: false }
    }
    const config = parseJson(target.file, before)
    const next = uninstall ? stripJson(target, options.tool, config) : installJson(target, options.tool, config)
    if (sameJson(next, config) && before !== undefined) return { file: target.file, before, after: before, secret: target.secret }
    if (uninstall && onlySkeleton(next, target.skeleton)) {
      return { file: target.file, before, after: before === undefined ? undefined : undefined, secret: target.secret }
    }
    return { file: target.file, before, after: render(next), secret: target.secret }
  })

const stamp = () => new Date().toISOString().replace(/[-:]/g, "").replace(/\..*$/, "").replace("T", "-")

/** Applies a plan: a backup of every existing file it changes, then the new content (0600 when it holds a key). */
export const apply = (changes: ReadonlyArray<FileChange & { readonly secret: boolean }>): ReadonlyArray<{ readonly file: string; readonly backup?: string }> => {
  const done: Array<{ file: string; backup?: string }> = []
  for (const change of changes) {
    if (change.before === change.after) continue
    let backup: string | undefined
    if (change.before !== undefined) {
      backup = `${change.file}.clockme-backup-${stamp()}`
      copyFileSync(change.file, backup)
    }
    if (change.after === undefined) {
      if (existsSync(change.file)) unlinkSync(change.file)
    } else {
      mkdirSync(dirname(change.file), { recursive: true })
      const mode = change.secret ? 0o600 : existsSync(change.file) ? statSync(change.file).mode & 0o777 : 0o644
      writeFileSync(change.file, change.after, { mode })
    }
    done.push(backup === undefined ? { file: change.file } : { file: change.file, backup })
  }
  return done
}

/** A unified-style line diff (small config files: a plain LCS table is fine). */
export const diff = (file: string, before: string | undefined, after: string | undefined, mask: (s: string) => string): string => {
  const a = before === undefined ? [] : mask(before).replace(/\n$/, "").split("\n")
  const b = after === undefined ? [] : mask(after).replace(/\n$/, "").split("\n")
  const lcs: Array<Array<number>> = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0))
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!)
    }
  }
  const lines = [`--- ${before === undefined ? "/dev/null" : file}`, `+++ ${after === undefined ? "/dev/null" : file}`]
  let i = 0
  let j = 0
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      lines.push(`  ${a[i]}`)
      i++
      j++
    } else if (j < b.length && (i >= a.length || lcs[i]![j + 1]! >= lcs[i + 1]![j]!)) {
      lines.push(`+ ${b[j]}`)
      j++
    } else {
      lines.push(`- ${a[i]}`)
      i++
    }
  }
  return lines.join("\n")
}
