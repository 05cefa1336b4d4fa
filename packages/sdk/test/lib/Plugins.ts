import { spawn } from "node:child_process"
import { cpSync, readFileSync } from "node:fs"
import { delimiter, dirname, join } from "node:path"
import { sdkRoot, type Run } from "./Cli.js"

/** The repository root: the marketplace, the Gemini extension and the plugin folders live there. */
export const repoRoot = join(sdkRoot, "..", "..")

export const readRepoJson = (file: string): any => JSON.parse(readFileSync(join(repoRoot, file), "utf8"))

/** A copy of repository paths into `to` (kept at their paths), as Gemini CLI copies the extension. */
export const copyPlugin = (to: string, paths: ReadonlyArray<string>) => {
  for (const path of paths) cpSync(join(repoRoot, path), join(to, path), { recursive: true })
  return to
}

/** A copy of one plugin folder alone, as Claude Code, Codex and Cursor copy a marketplace's plugin into their cache. */
export const copyPluginFolder = (folder: string, to: string) => {
  cpSync(join(repoRoot, folder), to, { recursive: true })
  return to
}

/** `${NAME}` placeholders replaced as the host does before it runs a command (Claude Code's, Gemini's). */
export const substitute = (text: string, vars: Record<string, string>): string =>
  text.replace(/\$\{([^}]+)\}/g, (whole, name: string) => vars[name] ?? whole)

export interface HandlerRun {
  /** The handler as the hooks file holds it. */
  readonly handler: any
  /** Placeholders the host substitutes in the handler (exec form: command and args; shell form: the command). */
  readonly placeholders: Record<string, string>
  /** The environment the host gives the hook, beyond a clean one with node on its PATH. */
  readonly env: Record<string, string>
  readonly cwd: string
  readonly stdin: string
}

/** Runs one hook handler as its host would: exec form spawned directly, shell form through `bash -c`. */
export const runHandler = (run: HandlerRun): Promise<Run> =>
  new Promise((resolve) => {
    const started = Date.now()
    const env: Record<string, string> = {}
    for (const [k, v] of Object.entries(process.env)) {
      if (v !== undefined && !/^(CLOCKME_|CLAUDE_|CURSOR_|GEMINI_|PLUGIN_)/.test(k)) env[k] = v
    }
    env.PATH = `${dirname(process.execPath)}${delimiter}${env.PATH ?? ""}`
    Object.assign(env, run.env)
    const command = run.handler.command ?? run.handler.bash
    const child = Array.isArray(run.handler.args)
      ? spawn(substitute(command, run.placeholders), run.handler.args.map((a: string) => substitute(a, run.placeholders)), { cwd: run.cwd, env })
      : spawn("bash", ["-c", substitute(command, run.placeholders)], { cwd: run.cwd, env })
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (d) => (stdout += d))
    child.stderr.on("data", (d) => (stderr += d))
    child.on("close", (code) => resolve({ code, stdout, stderr, ms: Date.now() - started }))
    child.stdin.end(run.stdin)
  })

/** The handlers of one event in a hooks file, whatever its layout. */
export const handlersOf = (document: any, event: string): ReadonlyArray<any> =>
  (document.hooks?.[event] ?? []).flatMap((entry: any) => Array.isArray(entry?.hooks) ? entry.hooks : [entry])
