import { createTwoFilesPatch } from "diff"
import { applyEdits, type FormattingOptions, modify, parse as parseJsonc, type ParseError, printParseErrorCode } from "jsonc-parser"
import { copyFileSync, existsSync, mkdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from "node:fs"
import { dirname, join } from "node:path"
import { parse as parseToml } from "smol-toml"
import {
  addHooks,
  addMcpEntry,
  authorization,
  isObject,
  type RecordOptions,
  recordParts,
  TOML_BEGIN,
  TOML_END,
  tomlBlock
} from "../setup/SetupRecords.js"
import { type FilePath, type HooksFile, type McpFile, type McpToml, type Places, SERVER_NAME, type Tool, TOOL_RECORDS, VSCODE_INPUT } from "../setup/ToolRecords.js"
import { home } from "./Paths.js"
import { addTelemetry, exportsToClockMe, stripTelemetry } from "./Telemetry.js"

export { hookCommand } from "../setup/SetupRecords.js"

export interface SetupOptions extends RecordOptions {
  /** Where project files go with `projectScope`. */
  readonly projectDir: string
  /** Claude Code: also export each request's usage over OpenTelemetry (Telemetry.ts); kept once written. */
  readonly usage?: boolean | undefined
}

/** One change to one file. */
export interface FileChange {
  readonly file: string
  readonly before: string | undefined
  readonly after: string | undefined
  /** The new content holds the API key: written 0600. */
  readonly secret: boolean
}

type Json = any

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")

/**
 * True for a hook handler `setup` wrote for this tool, by its `hook <event> --tool <tool>`
 * signature: whatever key, URL, path or install the command was written with.
 */
export const isOurCommand = (tool: Tool, command: unknown): boolean =>
  typeof command === "string" &&
  new RegExp(`(^|\\s|["'])hook (session-start|prompt|stop|session-end) --tool ${escape(tool)}(\\s|$)`).test(command)

const handlerCommand = (handler: Json): unknown => handler?.command ?? handler?.bash

/** The hook commands setup wrote for this tool in a hooks file's text (none when it is not JSON). */
export const ourCommands = (tool: Tool, text: string | undefined): ReadonlyArray<string> => {
  const hooks = text === undefined ? undefined : parseJsonc(text, [], { allowTrailingComma: true })?.hooks
  if (!isObject(hooks)) return []
  return Object.values(hooks)
    .flatMap((list) => Array.isArray(list) ? list : [])
    .flatMap((h: Json) => Array.isArray(h?.hooks) ? h.hooks : [h])
    .map(handlerCommand)
    .filter((c): c is string => isOurCommand(tool, c))
}

const stripHooks = (layout: HooksFile["layout"], tool: Tool, hooks: Json) => {
  for (const name of Object.keys(hooks)) {
    if (!Array.isArray(hooks[name])) continue
    hooks[name] = layout === "flat"
      ? hooks[name].filter((h: Json) => !isOurCommand(tool, handlerCommand(h)))
      : hooks[name]
        .map((group: Json) => {
          if (!Array.isArray(group?.hooks)) return group
          const kept = group.hooks.filter((h: Json) => !isOurCommand(tool, handlerCommand(h)))
          return kept.length === group.hooks.length ? group : kept.length === 0 ? undefined : { ...group, hooks: kept }
        })
        .filter((group: Json) => group !== undefined)
    if (hooks[name].length === 0) delete hooks[name]
  }
}

const resolve = (where: Places, file: FilePath) => join(where[file.place], ...file.path)

const places = (options: Pick<SetupOptions, "projectDir">): Places => {
  const h = home()
  const vscode = process.platform === "darwin"
    ? join(h, "Library", "Application Support", "Code", "User")
    : process.platform === "win32" && process.env.APPDATA
    ? join(process.env.APPDATA, "Code", "User")
    : join(process.env.XDG_CONFIG_HOME || join(h, ".config"), "Code", "User")
  return { home: h, project: options.projectDir, vscode }
}

/** What one record asks of one JSON file: remove ours, then (installing) add ours back. */
interface JsonPart {
  readonly strip: (config: Json) => void
  readonly add: (config: Json) => void
  readonly skeleton?: Record<string, unknown>
  readonly secret: boolean
}

const mcpPart = (target: McpFile, options: SetupOptions): JsonPart => {
  const auth = authorization(options, target.keyReference)
  return {
    strip: (config) => {
      const servers = config[target.key]
      if (isObject(servers)) {
        delete servers[SERVER_NAME]
        if (Object.keys(servers).length === 0) delete config[target.key]
      }
      if (Array.isArray(config.inputs)) {
        config.inputs = config.inputs.filter((i: Json) => i?.id !== VSCODE_INPUT)
        if (config.inputs.length === 0) delete config.inputs
      }
    },
    add: (config) => addMcpEntry(config, target, options),
    secret: auth.includes(options.key)
  }
}

const hooksPart = (target: HooksFile, options: SetupOptions): JsonPart => ({
  strip: (config) => {
    if (!isObject(config.hooks)) return
    stripHooks(target.layout, options.tool, config.hooks)
    if (Object.keys(config.hooks).length === 0) delete config.hooks
  },
  add: (config) => addHooks(config, target, options),
  ...(target.skeleton === undefined ? {} : { skeleton: target.skeleton }),
  secret: false
})

/** Claude Code's OpenTelemetry variables in the settings `env` block: strip sees whether an earlier setup wrote them. */
const telemetryPart = (options: SetupOptions): JsonPart => {
  let present = false
  return {
    strip: (config) => {
      present = exportsToClockMe(config?.env)
      stripTelemetry(config)
    },
    add: (config) => addTelemetry(config, options.url, options.key, options.usage === true, present),
    get secret() {
      return options.usage === true || present
    }
  }
}

const readText = (file: string): string | undefined => existsSync(file) ? readFileSync(file, "utf8") : undefined

/** JSON with comments and trailing commas (VS Code's and Cursor's files may have both). */
const parseJson = (file: string, text: string | undefined): Json => {
  if (text === undefined || text.trim() === "") return {}
  const errors: Array<ParseError> = []
  const parsed = parseJsonc(text, errors, { allowTrailingComma: true, disallowComments: false })
  if (errors.length > 0) {
    const first = errors[0]!
    throw new Error(`${file} is not valid JSON (${printParseErrorCode(first.error)} at offset ${first.offset}); fix or move it, then run setup again`)
  }
  if (!isObject(parsed)) throw new Error(`${file} does not hold a JSON object; fix or move it, then run setup again`)
  return parsed
}

const canonical = (value: Json): string =>
  JSON.stringify(value, (_key, v) => isObject(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a < b ? -1 : 1)) : v)

const sameJson = (a: Json, b: Json) => canonical(a) === canonical(b)

/** The paths (two levels deep at most: a server, an event's handlers) whose values differ. */
const changedPaths = (before: Json, after: Json, path: Array<string> = []): Array<Array<string>> => {
  if (sameJson(before, after)) return []
  if (path.length >= 2 || !isObject(before) || !isObject(after)) return [path]
  const keys = new Set([...Object.keys(before), ...Object.keys(after)])
  return [...keys].flatMap((key) => changedPaths(before[key], after[key], [...path, key]))
}

const formatting = (text: string): FormattingOptions => {
  const indent = /^([ \t]+)\S/m.exec(text)?.[1]
  return indent?.startsWith("\t")
    ? { insertSpaces: false, tabSize: 1, eol: text.includes("\r\n") ? "\r\n" : "\n" }
    : { insertSpaces: true, tabSize: indent?.length ?? 2, eol: text.includes("\r\n") ? "\r\n" : "\n" }
}

/** Edits the file's text in place, so its comments, order and layout outside our entries stay. */
const editJson = (text: string | undefined, before: Json, after: Json): string => {
  const render = JSON.stringify(after, null, 2) + "\n"
  if (text === undefined || text.trim() === "") return render
  let next = text
  const options = formatting(text)
  for (const path of changedPaths(before, after)) {
    const value = path.reduce((v, k) => v?.[k], after)
    next = applyEdits(next, modify(next, path, value, { formattingOptions: options }))
  }
  return sameJson(parseJsonc(next, [], { allowTrailingComma: true }), after) ? next : render
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

const installToml = (file: string, block: string, text: string | undefined): string => {
  const stripped = stripToml(text ?? "")
  const parsed = validToml(file, stripped)
  if (parsed?.mcp_servers?.[SERVER_NAME] !== undefined) {
    throw new Error(`${file} already defines [mcp_servers.${SERVER_NAME}] outside the block setup manages; remove it, then run setup again`)
  }
  const next = stripped.trim().length === 0 ? block + "\n" : `${stripped.replace(/\n*$/, "")}\n\n${block}\n`
  validToml(file, next)
  return next
}

const tomlChange = (target: McpToml, file: string, options: SetupOptions, uninstall: boolean): FileChange => {
  const before = readText(file)
  const block = tomlBlock(target, options)
  const after = uninstall ? stripToml(before ?? "") : installToml(file, block, before)
  return { file, before, after: uninstall && after.trim().length === 0 ? undefined : after, secret: false }
}

const jsonChange = (file: string, parts: ReadonlyArray<JsonPart>, uninstall: boolean): FileChange => {
  const before = readText(file)
  const config = parseJson(file, before)
  const next = structuredClone(config)
  for (const part of parts) part.strip(next)
  const skeleton = parts.reduce<Record<string, unknown> | undefined>((s, p) => p.skeleton ?? s, undefined)
  const secret = parts.some((p) => p.secret)
  if (uninstall) {
    const empty = Object.keys(next).length === 0 || (skeleton !== undefined && sameJson(next, skeleton))
    if (sameJson(next, config) && before !== undefined) return { file, before, after: before, secret }
    return { file, before, after: empty ? undefined : editJson(before, config, next), secret }
  }
  const result = skeleton === undefined ? next : { ...skeleton, ...next }
  for (const part of parts) part.add(result)
  if (sameJson(result, config) && before !== undefined) return { file, before, after: before, secret }
  return { file, before, after: editJson(before, config, result), secret }
}

/** The file that holds the tool's hooks for these options. */
export const hooksFile = (options: Pick<SetupOptions, "tool" | "projectScope" | "projectDir">): string =>
  resolve(places(options), TOOL_RECORDS[options.tool].hooks.file(options.projectScope))

/**
 * What a plan covers: everything setup writes, only the hooks and MCP entries (`records`: what the ClockMe plugin
 * replaces), or only Claude Code's OpenTelemetry variables (`usage`: the plugin carries none).
 */
export type PlanScope = "all" | "records" | "usage"

/** What `setup` (or `setup --uninstall`) would change, file by file; nothing is written. */
export const plan = (options: SetupOptions, uninstall: boolean, scope: PlanScope = "all"): ReadonlyArray<FileChange> => {
  const where = places(options)
  const json = new Map<string, Array<JsonPart>>()
  const toml: Array<FileChange> = []
  const order: Array<string> = []
  const partsOf = (file: string) => {
    if (!json.has(file)) {
      json.set(file, [])
      order.push(file)
    }
    return json.get(file)!
  }
  for (const part of scope === "usage" ? [] : recordParts(options.tool, options.projectScope)) {
    const file = resolve(where, part.file)
    if (part.kind === "toml") {
      toml.push(tomlChange(part.target, file, options, uninstall))
      order.push(file)
    } else {
      partsOf(file).push(part.kind === "mcp" ? mcpPart(part.target, options) : hooksPart(part.target, options))
    }
  }
  if (scope !== "records" && options.tool === "claude-code" && !options.projectScope) partsOf(hooksFile(options)).push(telemetryPart(options))
  return order.map((file) => toml.find((c) => c.file === file) ?? jsonChange(file, json.get(file)!, uninstall))
}

const stamp = () => new Date().toISOString().replace(/[-:]/g, "").replace(/\..*$/, "").replace("T", "-")

/** Applies a plan: a backup of every existing file it changes, then the new content (0600 when it holds a key). */
export const apply = (changes: ReadonlyArray<FileChange>): ReadonlyArray<{ readonly file: string; readonly backup?: string }> => {
  const done: Array<{ file: string; backup?: string }> = []
  for (const change of changes) {
    if (change.before === change.after) continue
    let backup: string | undefined
    if (change.before !== undefined) {
      // Two changes to one file within a second (the usage export, then the old hooks) keep both backups.
      const name = `${change.file}.clockme-backup-${stamp()}`
      backup = name
      for (let n = 2; existsSync(backup); n++) backup = `${name}-${n}`
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

/** A unified diff of one change, with `mask` applied to both sides (it hides the key). */
export const diff = (change: FileChange, mask: (s: string) => string): string =>
  createTwoFilesPatch(
    change.before === undefined ? "/dev/null" : change.file,
    change.after === undefined ? "/dev/null" : change.file,
    mask(change.before ?? ""),
    mask(change.after ?? ""),
    undefined,
    undefined,
    { context: 3 }
  ).replace(/^=+\n/, "").trimEnd()
