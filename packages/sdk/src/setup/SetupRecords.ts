// What `clockme setup` writes, as a pure function the dashboard's wizard calls in the browser: nothing here may
// import from node (test/setupRecords.test.ts checks).
import {
  type FilePath,
  type HookEvent,
  type HooksFile,
  type HookSpec,
  KEY_ENV,
  type KeyReference,
  type McpFile,
  type McpToml,
  type Place,
  SERVER_NAME,
  type Tool,
  TOOL_RECORDS,
  VSCODE_INPUT
} from "./ToolRecords.js"

export { TOOL_RECORDS, TOOLS } from "./ToolRecords.js"
export type { Tool } from "./ToolRecords.js"

/** What the entries setup writes depend on. */
export interface RecordOptions {
  readonly tool: Tool
  readonly url: string
  readonly key: string
  /** Project files (`.mcp.json`, `.cursor/…`) name the key by reference instead of holding it. */
  readonly projectScope: boolean
  /** The hook command prefix, e.g. `clockme` or `"/usr/bin/node" "/…/cli.js"`. */
  readonly command: string
  readonly fallbackProject?: string | undefined
}

type Json = any

export const TOML_BEGIN = "# >>> clockme (managed by `clockme setup codex`; `clockme setup --uninstall codex` removes it)"
export const TOML_END = "# <<< clockme"

export const isObject = (value: unknown): value is Record<string, Json> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

export const mcpUrl = (url: string) => `${url.replace(/\/+$/, "").replace(/\/api$/, "")}/api/mcp`

/** What every hook runs after the program: setup's commands and the plugins' (cli/Plugin.ts) alike. */
export const hookArgs = (tool: Tool, event: HookEvent, fallbackProject?: string): ReadonlyArray<string> =>
  ["hook", event, "--tool", tool, ...(fallbackProject ? ["--fallback-project", fallbackProject] : ["--auto-create"])]

export const hookCommand = (options: Pick<RecordOptions, "command" | "tool" | "fallbackProject">, event: HookEvent): string =>
  `${options.command} ${hookArgs(options.tool, event, options.fallbackProject).join(" ")}`

/** One tool's hook entries in its file's layout, each event's handler made by `handler`. */
export const hookEntries = (target: HooksFile, handler: (spec: HookSpec) => Record<string, unknown>) =>
  target.events.map((spec) => {
    const made = handler(spec)
    const entry = target.layout === "flat" ? made : spec.matcher === undefined ? { hooks: [made] } : { matcher: spec.matcher, hooks: [made] }
    return { name: spec.name, entry }
  })

export const authorization = (options: RecordOptions, reference: KeyReference): string => {
  if (!options.projectScope) return `Bearer ${options.key}`
  switch (reference) {
    case "claude":
      return `Bearer \${${KEY_ENV}}`
    case "cursor":
      return `Bearer \${env:${KEY_ENV}}`
    case "gemini":
      return `Bearer $${KEY_ENV}`
    case "vscode":
      return `Bearer \${input:${VSCODE_INPUT}}`
    case "literal":
      return `Bearer ${options.key}`
  }
}

/** Adds the ClockMe MCP server (and VS Code's key prompt) to a parsed config file. */
export const addMcpEntry = (config: Json, target: McpFile, options: RecordOptions): void => {
  if (target.inputs) config.inputs = [...(Array.isArray(config.inputs) ? config.inputs : []), ...target.inputs]
  config[target.key] = {
    ...(isObject(config[target.key]) ? config[target.key] : {}),
    [SERVER_NAME]: target.entry(mcpUrl(options.url), authorization(options, target.keyReference))
  }
}

/** Adds the tool's ClockMe hooks to a parsed hooks file, after any hooks it holds. */
export const addHooks = (config: Json, target: HooksFile, options: RecordOptions): void => {
  const hooks = isObject(config.hooks) ? config.hooks : {}
  for (const { entry, name } of hookEntries(target, (spec) => spec.handler(hookCommand(options, spec.event)))) {
    hooks[name] = [...(Array.isArray(hooks[name]) ? hooks[name] : []), entry]
  }
  config.hooks = hooks
}

/** The block setup manages in Codex's config.toml, between its markers. */
export const tomlBlock = (target: McpToml, options: Pick<RecordOptions, "url">): string =>
  [TOML_BEGIN, ...target.block(mcpUrl(options.url)), TOML_END].join("\n")

/** One part of one file, in the order setup writes them: the MCP entries, then the hooks. */
export type RecordPart =
  | { readonly kind: "mcp"; readonly file: FilePath; readonly target: McpFile }
  | { readonly kind: "toml"; readonly file: FilePath; readonly target: McpToml }
  | { readonly kind: "hooks"; readonly file: FilePath; readonly target: HooksFile }

/** The parts setup writes for a tool in one scope. */
export const recordParts = (tool: Tool, projectScope: boolean): ReadonlyArray<RecordPart> => {
  const record = TOOL_RECORDS[tool]
  const scope = projectScope ? "project" : "user"
  const parts: Array<RecordPart> = []
  for (const target of record.mcp) {
    if (target.scope !== "both" && target.scope !== scope) continue
    const file = target.file(projectScope)
    parts.push(target.kind === "toml" ? { kind: "toml", file, target } : { kind: "mcp", file, target })
  }
  parts.push({ kind: "hooks", file: record.hooks.file(projectScope), target: record.hooks })
  return parts
}

export interface WizardOptions {
  readonly key: string
  /** The server's address as the tool reaches it, e.g. `http://127.0.0.1:8787`. */
  readonly serverUrl: string
  /** Without a fallback project, a project named after the folder is created when none matches (the default). */
  readonly autoCreate?: boolean | undefined
  readonly fallbackProject?: string | undefined
  /** The hook command prefix; `clockme setup` installs a program and names it, the wizard names a command on PATH. */
  readonly hookCommand: string
  readonly projectScope?: boolean | undefined
}

export interface RecordFile {
  /** `home`: the user's home; `project`: the project's folder; `vscode`: VS Code's user folder. */
  readonly place: Place
  /** Under `place`, `/`-separated. */
  readonly path: string
  /** What setup writes where the file does not exist yet. */
  readonly content: string
}

export interface SetupRecords {
  readonly files: ReadonlyArray<RecordFile>
  /** The one line that writes the same files on the user's machine. */
  readonly command: string
}

const shellWord = (word: string) => /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`

/** The files `clockme setup <tool>` writes into a fresh home or project, and the command that writes them. */
export const setupRecords = (tool: Tool, options: WizardOptions): SetupRecords => {
  const record: RecordOptions = {
    tool,
    url: options.serverUrl,
    key: options.key,
    projectScope: options.projectScope === true,
    command: options.hookCommand,
    fallbackProject: options.fallbackProject
  }
  const files = new Map<string, { place: Place; path: string; config: Json; toml?: string }>()
  for (const part of recordParts(tool, record.projectScope)) {
    const path = part.file.path.join("/")
    const id = `${part.file.place}:${path}`
    const file = files.get(id) ?? { place: part.file.place, path, config: {} }
    files.set(id, file)
    if (part.kind === "toml") file.toml = tomlBlock(part.target, record)
    else if (part.kind === "mcp") addMcpEntry(file.config, part.target, record)
    else {
      if (part.target.skeleton !== undefined) file.config = { ...part.target.skeleton, ...file.config }
      addHooks(file.config, part.target, record)
    }
  }
  const words = [
    "npx",
    "@clockme/sdk",
    "setup",
    tool,
    "--key",
    options.key,
    "--url",
    options.serverUrl,
    ...(options.fallbackProject ? ["--fallback-project", options.fallbackProject] : ["--auto-create"]),
    ...(record.projectScope ? ["--project-scope"] : [])
  ]
  return {
    files: [...files.values()].map(({ config, path, place, toml }) => ({
      place,
      path,
      content: toml === undefined ? JSON.stringify(config, null, 2) + "\n" : toml + "\n"
    })),
    command: words.map(shellWord).join(" ")
  }
}
