import { parse } from "jsonc-parser"

/**
 * `clockme setup claude-code --usage`: Claude Code's OpenTelemetry export of each request's cost and tokens, sent
 * to the server's OTLP receiver, through the variables of the settings `env` block (ai-tools.md §3). Prompts and
 * tool details stay off: OTEL_LOG_USER_PROMPTS and OTEL_LOG_TOOL_DETAILS are never written.
 */

export const OTLP_LOGS_PATH = "/api/otlp/v1/logs"

export const otlpLogsUrl = (url: string): string => `${url.replace(/\/+$/, "").replace(/\/api$/, "")}${OTLP_LOGS_PATH}`

/** The variables setup writes, in order. */
export const telemetryEnv = (url: string, key: string): Record<string, string> => ({
  CLAUDE_CODE_ENABLE_TELEMETRY: "1",
  OTEL_LOGS_EXPORTER: "otlp",
  OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
  OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: otlpLogsUrl(url),
  OTEL_EXPORTER_OTLP_HEADERS: `Authorization=Bearer ${key}`
})

export const TELEMETRY_KEYS = Object.keys(telemetryEnv("", ""))

type Env = Record<string, unknown>

/** The `env` block exports to a ClockMe server: its logs endpoint is an OTLP receiver at our path. */
export const exportsToClockMe = (env: unknown): boolean =>
  typeof env === "object" && env !== null &&
  typeof (env as Env).OTEL_EXPORTER_OTLP_LOGS_ENDPOINT === "string" &&
  ((env as Env).OTEL_EXPORTER_OTLP_LOGS_ENDPOINT as string).endsWith(OTLP_LOGS_PATH)

/** Another exporter the user set up, which ours would replace. */
const foreignExport = (env: Env): string | undefined => {
  if (exportsToClockMe(env)) return undefined
  const endpoint = env.OTEL_EXPORTER_OTLP_LOGS_ENDPOINT ?? env.OTEL_EXPORTER_OTLP_ENDPOINT
  return typeof endpoint === "string" ? endpoint : undefined
}

/** Removes the variables setup wrote, and only when they export to ClockMe (a user's own exporter stays). */
export const stripTelemetry = (config: any): void => {
  const env = config?.env
  if (!exportsToClockMe(env)) return
  for (const key of TELEMETRY_KEYS) delete env[key]
  if (Object.keys(env).length === 0) delete config.env
}

/**
 * Writes the variables when `wanted`, or refreshes them (a new key or URL) when an earlier `--usage` left them:
 * a setup run without the flag keeps what the user chose.
 */
export const addTelemetry = (config: any, url: string, key: string, wanted: boolean, present: boolean): void => {
  if (!wanted && !present) return
  const env = typeof config.env === "object" && config.env !== null && !Array.isArray(config.env) ? config.env : {}
  const other = foreignExport(env)
  if (other !== undefined) {
    throw new Error(`Claude Code already exports telemetry to ${other} (settings env block); ClockMe would replace it, so --usage leaves it: remove it first, or keep the hook's transcript reading alone`)
  }
  config.env = { ...env, ...telemetryEnv(url, key) }
}

/** What setup and doctor say about the two sources of Claude Code's usage. */
export const ONE_SOURCE_NOTE = "AI usage: Claude Code exports each request's cost and tokens (OpenTelemetry) to " +
  "ClockMe, and the hook also reads the session's transcript. Both name a request by its API request id, so each " +
  "request counts once, whichever source reports it first (usually the export, with Claude Code's own cost)."

/** Whether a settings file's text exports to ClockMe. */
export const telemetryIn = (text: string | undefined): boolean =>
  text !== undefined && exportsToClockMe(parse(text, [], { allowTrailingComma: true })?.env)
