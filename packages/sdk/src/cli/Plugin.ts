import { hookArgs, hookEntries } from "../setup/SetupRecords.js"
import { KEY_ENV, SERVER_NAME, type Tool, TOOL_RECORDS } from "../setup/ToolRecords.js"

/**
 * ClockMe as a plugin: the files that make this repository a marketplace for Claude Code, Codex and Cursor
 * and a Gemini CLI extension (the reference in ai-tools.md §1). Written by `npm run plugin` from the same
 * records `clockme setup` writes from (Tools.ts), with the hook program bundled in; a test keeps the
 * committed copies equal to what this returns.
 */

export const PLUGIN_NAME = "clockme"
/** The marketplace's name: `/plugin install clockme@clockme`. */
export const MARKETPLACE_NAME = "clockme"
export const REPOSITORY = "clockme/clockme"
/** Claude Code and Cursor read this folder; Codex its own, whose default hooks/hooks.json is in Codex's shape. */
export const PLUGIN_DIR = "plugins/clockme"
export const CODEX_PLUGIN_DIR = "plugins/clockme-codex"
/** Inside each plugin folder: hosts copy a plugin alone, so each carries the program. */
export const PROGRAM = "bin/clockme-hook.mjs"
/** The first line `clockme-hook --version` prints (the mark HookProgram.ts writes). */
export const programText = (bundle: string, version: string): string => `// clockme-hook ${version}\n${bundle}`

/** The Claude Code plugin's prompted options, exported to its hooks as `CLAUDE_PLUGIN_OPTION_<KEY>` (read in Paths.ts). */
export const USER_CONFIG = {
  server_url: {
    type: "string",
    title: "ClockMe server URL",
    description: "The address of your ClockMe server, e.g. https://clockme.example.com",
    default: "http://127.0.0.1:8787",
    required: true
  },
  api_key: {
    type: "string",
    title: "ClockMe API key",
    description: "An API key with write scope (ck_live_…), from the dashboard or `clockme-server keys create`",
    sensitive: true,
    required: true
  }
} as const

export const URL_ENV = "CLOCKME_URL"

const marketplaceDescription = "ClockMe, the self-hostable time tracker for AI coding sessions"
const description = "Tracks your AI coding sessions as timers in ClockMe, and gives the agent ClockMe's MCP tools"
const author = { name: "ClockMe" }
const homepage = `https://github.com/${REPOSITORY}`

/** What every host's manifest says of the plugin. */
const metadata = (version: string) => ({
  name: PLUGIN_NAME,
  version,
  description,
  author,
  homepage,
  repository: homepage,
  license: "MIT",
  keywords: ["time-tracking", "timesheets", "mcp", "hooks"]
})

/** A hooks document in `tool`'s shape, each handler running the bundled program with the command `run` makes. */
const hooksDocument = (tool: Tool, handler: (made: (command: string) => Record<string, unknown>, args: ReadonlyArray<string>) => unknown) => {
  const target = TOOL_RECORDS[tool].hooks
  const hooks: Record<string, Array<unknown>> = {}
  for (const { entry, name } of hookEntries(target, (spec) => handler(spec.handler, hookArgs(tool, spec.event)) as Record<string, unknown>)) {
    hooks[name] = [...(hooks[name] ?? []), entry]
  }
  return { ...target.skeleton, hooks }
}

/** Shell form: the program's path quoted, so a root with spaces (macOS "Application Support") works. */
const shell = (program: string) => (made: (command: string) => Record<string, unknown>, args: ReadonlyArray<string>) =>
  made(`node "${program}" ${args.join(" ")}`)

/** Each host's hooks file (relative to the repository root), from the records. */
export const pluginHooks = () => ({
  // Exec form (command plus args, no shell), which Claude Code substitutes `${CLAUDE_PLUGIN_ROOT}` in.
  [`${PLUGIN_DIR}/hooks/hooks.json`]: hooksDocument("claude-code", (made, args) => ({ ...made("node"), args: [`\${CLAUDE_PLUGIN_ROOT}/${PROGRAM}`, ...args] })),
  // Cursor runs a plugin's hook commands from the plugin's folder (its own plugins name `./hooks/…`).
  [`${PLUGIN_DIR}/hooks/cursor.json`]: hooksDocument("cursor", shell(`./${PROGRAM}`)),
  // Codex documents no plugin-root variable; `PLUGIN_ROOT` is what its plugins use, Claude's name the fallback.
  [`${CODEX_PLUGIN_DIR}/hooks/hooks.json`]: hooksDocument("codex", shell(`\${PLUGIN_ROOT:-$CLAUDE_PLUGIN_ROOT}/${PROGRAM}`)),
  // The extension is the repository itself; `${extensionPath}` and `${/}` are Gemini's own placeholders.
  "hooks/hooks.json": hooksDocument("gemini", shell(["${extensionPath}", ...PLUGIN_DIR.split("/"), ...PROGRAM.split("/")].join("${/}")))
})

const json = (value: unknown) => JSON.stringify(value, null, 2) + "\n"

/** Every generated file, path (from the repository root) to content; `bundle` is the SDK's dist/hook.js. */
export const pluginFiles = (bundle: string, version: string): Record<string, string> => {
  const hooks = Object.fromEntries(Object.entries(pluginHooks()).map(([file, document]) => [file, json(document)]))
  const program = programText(bundle, version)
  return {
    ".claude-plugin/marketplace.json": json({
      $schema: "https://json.schemastore.org/claude-code-marketplace.json",
      name: MARKETPLACE_NAME,
      description: marketplaceDescription,
      owner: author,
      plugins: [{ name: PLUGIN_NAME, source: `./${PLUGIN_DIR}`, description, version, category: "productivity", homepage }]
    }),
    ".agents/plugins/marketplace.json": json({
      name: MARKETPLACE_NAME,
      plugins: [{ name: PLUGIN_NAME, source: { source: "local", path: `./${CODEX_PLUGIN_DIR}` }, category: "Productivity" }]
    }),
    // The shape of Cursor's own marketplace (cursor/plugins): sources are folders, named without `./`.
    ".cursor-plugin/marketplace.json": json({
      name: MARKETPLACE_NAME,
      owner: author,
      metadata: { description: marketplaceDescription },
      plugins: [{ name: PLUGIN_NAME, source: PLUGIN_DIR, description }]
    }),
    "gemini-extension.json": json({
      name: PLUGIN_NAME,
      version,
      description,
      mcpServers: { [SERVER_NAME]: { httpUrl: `\${${URL_ENV}}/api/mcp`, headers: { Authorization: `Bearer \${${KEY_ENV}}` } } },
      settings: [
        { name: USER_CONFIG.server_url.title, description: USER_CONFIG.server_url.description, envVar: URL_ENV, sensitive: false },
        { name: USER_CONFIG.api_key.title, description: USER_CONFIG.api_key.description, envVar: KEY_ENV, sensitive: true }
      ]
    }),
    [`${PLUGIN_DIR}/.claude-plugin/plugin.json`]: json({
      $schema: "https://json.schemastore.org/claude-code-plugin-manifest.json",
      ...metadata(version),
      userConfig: USER_CONFIG
    }),
    [`${PLUGIN_DIR}/.mcp.json`]: json({
      mcpServers: {
        [SERVER_NAME]: { type: "http", url: "${user_config.server_url}/api/mcp", headers: { Authorization: "Bearer ${user_config.api_key}" } }
      }
    }),
    [`${PLUGIN_DIR}/.cursor-plugin/plugin.json`]: json({
      ...metadata(version),
      displayName: "ClockMe",
      hooks: "./hooks/cursor.json",
      mcpServers: { [SERVER_NAME]: { url: `\${env:${URL_ENV}}/api/mcp`, headers: { Authorization: `Bearer \${env:${KEY_ENV}}` } } }
    }),
    [`${CODEX_PLUGIN_DIR}/.codex-plugin/plugin.json`]: json({
      ...metadata(version),
      interface: {
        displayName: "ClockMe",
        shortDescription: "Time tracking for your Codex sessions",
        longDescription: `${description}. Sign in once with \`clockme login\` (or set ${KEY_ENV} and ${URL_ENV}).`,
        developerName: "ClockMe",
        category: "Productivity",
        capabilities: ["Hooks"],
        websiteURL: homepage,
        defaultPrompt: "What did I work on in this session?"
      }
    }),
    ...hooks,
    [`${PLUGIN_DIR}/${PROGRAM}`]: program,
    [`${CODEX_PLUGIN_DIR}/${PROGRAM}`]: program
  }
}
