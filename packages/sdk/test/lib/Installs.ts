import { execFile, spawn } from "node:child_process"
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { promisify } from "node:util"
import { sdkRoot } from "./Cli.js"

export const repoRoot = join(sdkRoot, "..", "..")

/** Asynchronous on purpose: a server under test may run in this process and must keep answering. */
export const run = async (file: string, args: ReadonlyArray<string>, options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) =>
  (await promisify(execFile)(file, [...args], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024, ...options })).stdout

const npmEnv = () => ({ ...process.env, npm_config_audit: "false", npm_config_fund: "false", npm_config_update_notifier: "false" })

export const npm = (args: ReadonlyArray<string>, cwd: string, env: NodeJS.ProcessEnv = {}) => run("npm", args, { cwd, env: { ...npmEnv(), ...env } })

export interface Packed {
  readonly tarball: string
  readonly files: ReadonlyArray<string>
}

/**
 * `npm pack` of a workspace package as built by vitest's global setup (its prepack would rebuild
 * and so delete the dist other test files are running).
 */
export const pack = async (packageDir: string, into: string): Promise<Packed> => {
  const packed = JSON.parse(await npm(["pack", "--ignore-scripts", "--json", "--pack-destination", into], packageDir))
  return { tarball: join(into, packed[0].filename), files: packed[0].files.map((f: { path: string }) => f.path) }
}

/** The same package as a later release: the tarball with its version raised, nothing else changed. */
export const repackNewer = async (tarball: string, into: string): Promise<{ readonly tarball: string; readonly version: string }> => {
  const dir = mkdtempSync(join(tmpdir(), "clockme-newer-"))
  await run("tar", ["-xzf", tarball, "-C", dir])
  const manifest = join(dir, "package", "package.json")
  const json = JSON.parse(readFileSync(manifest, "utf8"))
  const [major, minor, patch] = String(json.version).split(".").map(Number)
  json.version = `${major}.${minor}.${patch! + 1}`
  writeFileSync(manifest, JSON.stringify(json, null, 2) + "\n")
  const newer = join(into, `clockme-sdk-${json.version}.tgz`)
  await run("tar", ["-czf", newer, "-C", dir, "package"])
  return { tarball: newer, version: json.version }
}

/** npm's cache folder, read with the real HOME (tests run npx with another HOME but this cache). */
export const npmCache = async (): Promise<string> => (await npm(["config", "get", "cache"], repoRoot)).trim()

/** Deletes the npx install folders made for `spec` (what `npm cache npx rm` or a cleanup does); returns how many. */
export const deleteNpxInstalls = (cache: string, spec: string): number => {
  const root = join(cache, "_npx")
  let deleted = 0
  for (const hash of (() => {
    try {
      return readdirSync(root)
    } catch {
      return []
    }
  })()) {
    try {
      if (!readFileSync(join(root, hash, "package.json"), "utf8").includes(spec)) continue
    } catch {
      continue
    }
    rmSync(join(root, hash), { recursive: true, force: true })
    deleted++
  }
  return deleted
}

/** An empty project folder that installed the tarballs, as a user would. */
export const installInto = async (tarballs: ReadonlyArray<string>): Promise<string> => {
  const app = mkdtempSync(join(tmpdir(), "clockme-app-"))
  writeFileSync(join(app, "package.json"), JSON.stringify({ name: "app", private: true, type: "module" }))
  await npm(["install", "--prefer-offline", "--no-save", ...tarballs], app)
  return app
}

/** `npm i -g` into a prefix of its own; its `bin` folder is what goes on PATH. */
export const installGlobally = async (tarballs: ReadonlyArray<string>): Promise<string> => {
  const prefix = mkdtempSync(join(tmpdir(), "clockme-global-"))
  mkdirSync(join(prefix, "lib"), { recursive: true })
  await npm(["install", "-g", "--prefer-offline", "--prefix", prefix, ...tarballs], prefix)
  return join(prefix, "bin")
}

export interface Ran {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

/** A hook command run the way the tools run it: `bash -c` with the payload on stdin. */
export const bash = (command: string, options: { readonly cwd: string; readonly env: NodeJS.ProcessEnv; readonly stdin: string }) =>
  new Promise<Ran>((resolve) => {
    const child = spawn("bash", ["-c", command], { cwd: options.cwd, env: options.env, stdio: ["pipe", "pipe", "pipe"] })
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (d) => (stdout += d))
    child.stderr.on("data", (d) => (stderr += d))
    child.on("close", (code) => resolve({ code, stdout, stderr }))
    child.stdin.end(options.stdin)
  })
