import { spawn } from "node:child_process"
import { mkdirSync, mkdtempSync } from "node:fs"
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"

export const sdkRoot = join(dirname(fileURLToPath(import.meta.url)), "..", "..")

/** The built `clockme` bin, as shipped (vitest's global setup bundles it fresh for every run). */
export const cliBin = join(sdkRoot, "dist", "cli.js")

/** A fresh HOME and XDG_CONFIG_HOME, plus a project folder. */
export const sandbox = () => {
  const root = mkdtempSync(join(tmpdir(), "clockme-home-"))
  const home = join(root, "home")
  const project = join(root, "work", "acme-app")
  mkdirSync(home, { recursive: true })
  mkdirSync(project, { recursive: true })
  return { root, home, project, config: join(home, ".config") }
}

export interface Run {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
  readonly ms: number
}

export const runCli = (
  cli: string,
  args: ReadonlyArray<string>,
  options: { readonly env: Record<string, string | undefined>; readonly cwd?: string; readonly stdin?: string }
): Promise<Run> =>
  new Promise((resolve) => {
    const started = Date.now()
    const env: Record<string, string> = {}
    for (const [k, v] of Object.entries(process.env)) {
      if (v !== undefined && !k.startsWith("CLOCKME_") && !k.startsWith("CLAUDE_") && !k.startsWith("CURSOR_") && !k.startsWith("GEMINI_")) env[k] = v
    }
    for (const [k, v] of Object.entries(options.env)) {
      if (v === undefined) delete env[k]
      else env[k] = v
    }
    const child = spawn(process.execPath, [cli, ...args], { cwd: options.cwd ?? process.cwd(), env, stdio: ["pipe", "pipe", "pipe"] })
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (d) => (stdout += d))
    child.stderr.on("data", (d) => (stderr += d))
    child.on("close", (code) => resolve({ code, stdout, stderr, ms: Date.now() - started }))
    child.stdin.end(options.stdin ?? "")
  })

/** The URL of a port nothing listens on: a server that is down. */
export const closedPort = async () => {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const port = (server.address() as AddressInfo).port
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return `http://127.0.0.1:${port}`
}
