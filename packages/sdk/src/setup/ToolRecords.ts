// Read by the dashboard's setup wizard as well as by `clockme setup`: nothing here may import from node.

export type HookEvent = "session-start" | "prompt" | "stop" | "session-end"

export const TOOLS = ["claude-code", "cursor", "windsurf", "gemini", "copilot", "codex"] as const
export type Tool = (typeof TOOLS)[number]

export const SERVER_NAME = "clockme"
export const KEY_ENV = "CLOCKME_API_KEY"
export const VSCODE_INPUT = "clockme-api-key"

/** Where a file lives: `home` is the user's home, `project` the folder setup runs in, `vscode` VS Code's user folder. */
export type Place = "home" | "project" | "vscode"
export type Places = Readonly<Record<Place, string>>

/** A file as a place and the path segments under it; the CLI joins them with the platform's separator. */
export interface FilePath {
  readonly place: Place
  readonly path: ReadonlyArray<string>
}

/** How an MCP entry's Authorization header names the key in a project file (user files hold the key itself). */
export type KeyReference = "claude" | "cursor" | "gemini" | "vscode" | "literal"

export interface McpFile {
  readonly kind: "json"
  /** Which setups write it: user scope, project scope, or both (the file is the same either way). */
  readonly scope: "user" | "project" | "both"
  readonly file: (projectScope: boolean) => FilePath
  /** The object under which servers are named (`mcpServers`, VS Code's `servers`). */
  readonly key: string
  readonly entry: (url: string, authorization: string) => unknown
  readonly keyReference: KeyReference
  /** VS Code's prompt for the key, in project files. */
  readonly inputs?: ReadonlyArray<unknown>
}

export interface McpToml {
  readonly kind: "toml"
  readonly scope: "both"
  readonly file: (projectScope: boolean) => FilePath
  readonly block: (url: string) => ReadonlyArray<string>
}

export interface HookSpec {
  /** The tool's name for the event. */
  readonly name: string
  readonly event: HookEvent
  readonly matcher?: string
  /** The handler object around `command`, in the tool's own shape. */
  readonly handler: (command: string) => Record<string, unknown>
}

export interface HooksFile {
  readonly file: (projectScope: boolean) => FilePath
  /** `grouped`: `{ Event: [{ matcher?, hooks: [handler] }] }`; `flat`: `{ event: [handler] }`. */
  readonly layout: "grouped" | "flat"
  /** Keys a file setup created starts with (`"version": 1`): a file left with only these is removed. */
  readonly skeleton?: Record<string, unknown>
  readonly events: ReadonlyArray<HookSpec>
}

/** Everything setup knows about one tool (see the integration reference); the engine in Setup.ts is generic. */
export interface ToolRecord {
  readonly label: string
  readonly mcp: ReadonlyArray<McpFile | McpToml>
  readonly hooks: HooksFile
}

const at = (place: Place) => (...path: ReadonlyArray<string>): FilePath => ({ place, path })
const home = at("home")
const project = at("project")
const vscode = at("vscode")
const scoped = (user: FilePath, inProject: FilePath) => (projectScope: boolean) => projectScope ? inProject : user
const always = (file: FilePath) => () => file

const command = (extra: Record<string, unknown> = {}) => (cmd: string) => ({ type: "command", command: cmd, ...extra })

export const TOOL_RECORDS: Record<Tool, ToolRecord> = {
  "claude-code": {
    label: "Claude Code",
    mcp: [{
      kind: "json",
      scope: "both",
      file: scoped(home(".claude.json"), project(".mcp.json")),
      key: "mcpServers",
      entry: (url, authorization) => ({ type: "http", url, headers: { Authorization: authorization } }),
      keyReference: "claude"
    }],
    hooks: {
      file: scoped(home(".claude", "settings.json"), project(".claude", "settings.json")),
      layout: "grouped",
      events: [
        { name: "SessionStart", event: "session-start", matcher: "startup|resume|clear|compact", handler: command({ timeout: 10 }) },
        { name: "UserPromptSubmit", event: "prompt", handler: command({ async: true, timeout: 10 }) },
        { name: "Stop", event: "stop", handler: command({ async: true, timeout: 10 }) },
        { name: "SessionEnd", event: "session-end", handler: command() }
      ]
    }
  },
  cursor: {
    label: "Cursor",
    mcp: [{
      kind: "json",
      scope: "both",
      file: scoped(home(".cursor", "mcp.json"), project(".cursor", "mcp.json")),
      key: "mcpServers",
      entry: (url, authorization) => ({ url, headers: { Authorization: authorization } }),
      keyReference: "cursor"
    }],
    hooks: {
      file: scoped(home(".cursor", "hooks.json"), project(".cursor", "hooks.json")),
      layout: "flat",
      skeleton: { version: 1 },
      events: [
        { name: "sessionStart", event: "session-start", handler: (cmd) => ({ command: cmd, timeout: 10 }) },
        { name: "beforeSubmitPrompt", event: "prompt", handler: (cmd) => ({ command: cmd, timeout: 10 }) },
        { name: "stop", event: "stop", handler: (cmd) => ({ command: cmd, timeout: 10 }) },
        { name: "sessionEnd", event: "session-end", handler: (cmd) => ({ command: cmd, timeout: 10 }) }
      ]
    }
  },
  windsurf: {
    label: "Windsurf",
    mcp: [{
      kind: "json",
      scope: "both",
      file: always(home(".codeium", "windsurf", "mcp_config.json")),
      key: "mcpServers",
      entry: (url, authorization) => ({ serverUrl: url, headers: { Authorization: authorization } }),
      keyReference: "literal"
    }],
    hooks: {
      file: scoped(home(".codeium", "windsurf", "hooks.json"), project(".windsurf", "hooks.json")),
      layout: "flat",
      events: [
        { name: "pre_user_prompt", event: "prompt", handler: (cmd) => ({ command: cmd, show_output: false }) },
        { name: "post_cascade_response", event: "stop", handler: (cmd) => ({ command: cmd, show_output: false }) }
      ]
    }
  },
  gemini: {
    label: "Gemini CLI",
    mcp: [{
      kind: "json",
      scope: "both",
      file: scoped(home(".gemini", "settings.json"), project(".gemini", "settings.json")),
      key: "mcpServers",
      entry: (url, authorization) => ({ httpUrl: url, headers: { Authorization: authorization } }),
      keyReference: "gemini"
    }],
    hooks: {
      file: scoped(home(".gemini", "settings.json"), project(".gemini", "settings.json")),
      layout: "grouped",
      events: [
        { name: "SessionStart", event: "session-start", matcher: "*", handler: (cmd) => ({ name: SERVER_NAME, ...command({ timeout: 5000 })(cmd) }) },
        { name: "BeforeAgent", event: "prompt", matcher: "*", handler: (cmd) => ({ name: SERVER_NAME, ...command({ timeout: 5000 })(cmd) }) },
        { name: "AfterAgent", event: "stop", matcher: "*", handler: (cmd) => ({ name: SERVER_NAME, ...command({ timeout: 5000 })(cmd) }) },
        { name: "SessionEnd", event: "session-end", matcher: "*", handler: (cmd) => ({ name: SERVER_NAME, ...command({ timeout: 2000 })(cmd) }) }
      ]
    }
  },
  copilot: {
    label: "Copilot",
    mcp: [
      {
        kind: "json",
        scope: "user",
        file: always(home(".copilot", "mcp-config.json")),
        key: "mcpServers",
        entry: (url, authorization) => ({ type: "http", url, headers: { Authorization: authorization } }),
        keyReference: "literal"
      },
      {
        kind: "json",
        scope: "user",
        file: always(vscode("mcp.json")),
        key: "servers",
        entry: (url, authorization) => ({ type: "http", url, headers: { Authorization: authorization } }),
        keyReference: "vscode"
      },
      {
        kind: "json",
        scope: "project",
        file: always(project(".vscode", "mcp.json")),
        key: "servers",
        entry: (url, authorization) => ({ type: "http", url, headers: { Authorization: authorization } }),
        keyReference: "vscode",
        inputs: [{ type: "promptString", id: VSCODE_INPUT, description: "ClockMe API key", password: true }]
      }
    ],
    hooks: {
      file: scoped(home(".copilot", "hooks", "clockme.json"), project(".github", "hooks", "clockme.json")),
      layout: "flat",
      skeleton: { version: 1 },
      // Copilot CLI reads the camelCase events; VS Code maps them to PascalCase but has no
      // UserPromptSubmitted/AgentStop, so its UserPromptSubmit and Stop are listed too.
      events: ([
        ["sessionStart", "session-start"],
        ["userPromptSubmitted", "prompt"],
        ["agentStop", "stop"],
        ["sessionEnd", "session-end"],
        ["UserPromptSubmit", "prompt"],
        ["Stop", "stop"]
      ] as const).map(([name, event]) => ({
        name,
        event,
        handler: (cmd: string) => ({ type: "command", bash: cmd, powershell: cmd, command: cmd, timeoutSec: 10, timeout: 10 })
      }))
    }
  },
  codex: {
    label: "Codex",
    mcp: [{
      kind: "toml",
      scope: "both",
      file: scoped(home(".codex", "config.toml"), project(".codex", "config.toml")),
      block: (url) => [`[mcp_servers.${SERVER_NAME}]`, `url = ${JSON.stringify(url)}`, `bearer_token_env_var = ${JSON.stringify(KEY_ENV)}`]
    }],
    hooks: {
      file: scoped(home(".codex", "hooks.json"), project(".codex", "hooks.json")),
      layout: "grouped",
      events: [
        { name: "SessionStart", event: "session-start", matcher: "startup|resume|clear", handler: command({ timeout: 10 }) },
        { name: "UserPromptSubmit", event: "prompt", handler: command({ timeout: 10 }) },
        { name: "Stop", event: "stop", handler: command({ timeout: 10 }) },
        // Codex clamps a SessionEnd hook to about 3 s; the hook gives itself 1.2 s (Hook.ts BUDGET_MS).
        { name: "SessionEnd", event: "session-end", handler: command({ timeout: 2 }) }
      ]
    }
  }
}
