import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs"
import { homedir } from "node:os"
import { dirname, join } from "node:path"

/** `$HOME`, read at call time so tests (and sudo -E) can move it. */
export const home = (): string => process.env.HOME || homedir()

/** `$XDG_CONFIG_HOME/clockme`, else `~/.config/clockme` (`%APPDATA%\clockme` on Windows). */
export const configDir = (): string => {
  const xdg = process.env.XDG_CONFIG_HOME
  if (xdg) return join(xdg, "clockme")
  if (process.platform === "win32" && process.env.APPDATA) return join(process.env.APPDATA, "clockme")
  return join(home(), ".config", "clockme")
}

export const configFile = (): string => join(configDir(), "config.json")
export const queueFile = (): string => join(configDir(), "queue.jsonl")
export const logFile = (): string => join(configDir(), "hook.log")

/** What `clockme login` and `clockme setup --key` store. */
export interface StoredConfig {
  readonly url?: string
  readonly apiKey?: string
}

export const readConfig = (): StoredConfig => {
  try {
    const parsed = JSON.parse(readFileSync(configFile(), "utf8"))
    return typeof parsed === "object" && parsed !== null ? parsed : {}
  } catch {
    return {}
  }
}

/** Writes atomically with 0600: the file holds an API key. */
export const writeConfig = (config: StoredConfig): void => {
  writePrivate(configFile(), JSON.stringify(config, null, 2) + "\n")
}

export const writePrivate = (file: string, content: string): void => {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 })
  const temp = `${file}.${process.pid}.tmp`
  writeFileSync(temp, content, { mode: 0o600 })
  chmodSync(temp, 0o600)
  renameSync(temp, file)
}

/**
 * The URL and key a command uses: flags, then `CLOCKME_URL`/`CLOCKME_API_KEY`, then the values the Claude Code
 * plugin prompted for (exported to its hooks as `CLAUDE_PLUGIN_OPTION_<KEY>`), then the config file.
 */
export const resolveCredentials = (flags: { readonly url?: string | undefined; readonly key?: string | undefined } = {}) => {
  const stored = readConfig()
  const env = (...names: ReadonlyArray<string>) => names.map((name) => process.env[name]).find((value) => !!value)
  return {
    url: flags.url ?? env("CLOCKME_URL", "CLAUDE_PLUGIN_OPTION_SERVER_URL") ?? stored.url ?? "http://127.0.0.1:8787",
    apiKey: flags.key ?? env("CLOCKME_API_KEY", "CLAUDE_PLUGIN_OPTION_API_KEY") ?? stored.apiKey
  }
}
