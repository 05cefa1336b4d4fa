import { existsSync, readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { home } from "./Paths.js"
import { PLUGIN_NAME } from "./Plugin.js"
import type { Tool } from "../setup/ToolRecords.js"

const read = (file: string): string | undefined => {
  try {
    return readFileSync(file, "utf8")
  } catch {
    return undefined
  }
}

const ours = (id: string) => id === PLUGIN_NAME || id.startsWith(`${PLUGIN_NAME}@`)

/** Claude Code: `enabledPlugins` in the user's settings, or the plugin registry under ~/.claude/plugins. */
const claudeCode = (h: string): string | undefined => {
  const settings = join(h, ".claude", "settings.json")
  try {
    const enabled = JSON.parse(read(settings) ?? "{}")?.enabledPlugins ?? {}
    if (Object.entries(enabled).some(([id, on]) => ours(id) && on === true)) return settings
  } catch {
    // not JSON: the registry may still say
  }
  const registry = join(h, ".claude", "plugins", "installed_plugins.json")
  try {
    const plugins = JSON.parse(read(registry) ?? "{}")?.plugins ?? {}
    if (Object.keys(plugins).some(ours)) return registry
  } catch {
    // nothing readable
  }
  return undefined
}

/** Codex: the `[plugins."clockme@…"]` table of config.toml, or a copy in its plugin cache. */
const codex = (h: string): string | undefined => {
  const config = join(h, ".codex", "config.toml")
  if (new RegExp(`^\\[plugins\\.["']?${PLUGIN_NAME}@`, "m").test(read(config) ?? "")) return config
  const cache = join(h, ".codex", "plugins", "cache")
  try {
    for (const marketplace of readdirSync(cache)) {
      if (existsSync(join(cache, marketplace, PLUGIN_NAME))) return join(cache, marketplace, PLUGIN_NAME)
    }
  } catch {
    // no cache
  }
  return undefined
}

/** Gemini CLI: the extension's folder under ~/.gemini/extensions. */
const gemini = (h: string): string | undefined => {
  const manifest = join(h, ".gemini", "extensions", PLUGIN_NAME, "gemini-extension.json")
  return existsSync(manifest) ? manifest : undefined
}

/**
 * Where the ClockMe plugin (or extension) shows it is installed for this tool, if it is: its hooks then track
 * sessions, and setup's would be a second copy. Cursor keeps no documented record of installed plugins.
 */
export const installedPlugin = (tool: Tool): string | undefined => {
  const h = home()
  switch (tool) {
    case "claude-code":
      return claudeCode(h)
    case "codex":
      return codex(h)
    case "gemini":
      return gemini(h)
    default:
      return undefined
  }
}
