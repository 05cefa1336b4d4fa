import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmdirSync, rmSync, writeFileSync } from "node:fs"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { home } from "./Paths.js"

/**
 * The one hook program per user and the record of who uses it. Every tool's hook commands run
 * `launcherFile()`, whatever install wrote them (a checkout, a project, a global install, the npx
 * cache), so the commands stay byte for byte the same across updates and cache clean-ups.
 */

/** `$CLOCKME_HOME`, else `~/.clockme`. */
export const clockmeHome = (): string => process.env.CLOCKME_HOME || join(home(), ".clockme")

export const programFile = (): string => join(clockmeHome(), "bin", "clockme-hook.mjs")

/** A shell script naming the Node that runs the program: a new Node is one setup away, the hook commands unchanged. */
export const launcherFile = (): string => join(clockmeHome(), "bin", "clockme-hook")

/** Which tools' hook files run the program (setup adds, uninstall removes; the last one out removes the program). */
export const recordsFile = (): string => join(clockmeHome(), "installs.json")

const windows = process.platform === "win32"

/** The command prefix every hook runs. Windows has no shell script to launch: Node and the program by path. */
export const programCommand = (): string => windows ? `"${process.execPath}" "${programFile()}"` : `"${launcherFile()}"`

const MARK = "// clockme-hook "

/** The bundle this install ships (dist/hook.js), and its package version; from the sources, the built one. */
export const shippedProgram = (): { readonly file: string; readonly version: string } => {
  const here = fileURLToPath(import.meta.url)
  const dist = /\.[cm]?ts$/.test(here) ? join(dirname(here), "..", "..", "dist") : dirname(here)
  const version = String(JSON.parse(readFileSync(join(dist, "..", "package.json"), "utf8")).version)
  return { file: join(dist, "hook.js"), version }
}

/** The installed program's version, from its first line; undefined when it is missing. */
export const installedVersion = (): string | undefined => {
  try {
    const first = readFileSync(programFile(), "utf8").split("\n", 1)[0]!
    return first.startsWith(MARK) ? first.slice(MARK.length).trim() : "unknown"
  } catch {
    return undefined
  }
}

const newer = (a: string, b: string): boolean => {
  const parts = (v: string) => v.split(/[.+-]/).map((p) => Number.parseInt(p, 10)).map((n) => Number.isFinite(n) ? n : 0)
  const [x, y] = [parts(a), parts(b)]
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) > (y[i] ?? 0)
  }
  return false
}

const writeAtomically = (file: string, content: string, mode: number) => {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 })
  const temp = `${file}.${process.pid}.tmp`
  writeFileSync(temp, content, { mode })
  chmodSync(temp, mode)
  renameSync(temp, file)
}

const launcherText = () => `#!/bin/sh\n# written by clockme setup: the Node that runs the ClockMe hook program\nexec "${process.execPath}" "${programFile()}" "$@"\n`

export type ProgramChange = "installed" | "updated" | "kept"

/**
 * Puts the shipped program in place, each file replaced by a rename (a hook running meanwhile reads the
 * old or the new file, never half of one). An installed program of a newer version is kept.
 */
export const installProgram = (): ProgramChange => {
  const shipped = shippedProgram()
  const installed = installedVersion()
  const content = `${MARK}${shipped.version}\n${readFileSync(shipped.file, "utf8")}`
  let change: ProgramChange = "kept"
  if (installed === undefined || !(installed !== "unknown" && newer(installed, shipped.version))) {
    const current = existsSync(programFile()) ? readFileSync(programFile(), "utf8") : undefined
    if (current !== content) {
      writeAtomically(programFile(), content, 0o644)
      change = installed === undefined ? "installed" : "updated"
    }
  }
  if (!windows) {
    const current = existsSync(launcherFile()) ? readFileSync(launcherFile(), "utf8") : undefined
    if (current !== launcherText()) writeAtomically(launcherFile(), launcherText(), 0o755)
  }
  return change
}

/** One tool's hook file that runs the program. */
export interface ProgramUser {
  readonly tool: string
  readonly file: string
}

/** Whether a tool's file still names the program (a hand edit may have removed our hooks). */
export const runsProgram = (file: string): boolean => {
  try {
    const text = readFileSync(file, "utf8")
    return [launcherFile(), programFile()].some((path) => text.includes(JSON.stringify(path).slice(1, -1)))
  } catch {
    return false
  }
}

export const readRecords = (): ReadonlyArray<ProgramUser> => {
  try {
    const parsed = JSON.parse(readFileSync(recordsFile(), "utf8"))
    return Array.isArray(parsed?.installs)
      ? parsed.installs.filter((u: any) => typeof u?.tool === "string" && typeof u?.file === "string")
      : []
  } catch {
    return []
  }
}

const writeRecords = (users: ReadonlyArray<ProgramUser>) =>
  writeAtomically(recordsFile(), JSON.stringify({ installs: users }, null, 2) + "\n", 0o600)

export const addRecord = (user: ProgramUser): void => {
  const users = readRecords().filter((u) => !(u.tool === user.tool && u.file === user.file))
  writeRecords([...users, user])
}

/**
 * Forgets one tool's hook file; once no file runs the program (by the record, and among `alsoCheck`),
 * removes the program, its launcher and the record. Returns whether the program went.
 */
export const removeRecord = (user: ProgramUser, alsoCheck: ReadonlyArray<string> = []): boolean => {
  const users = readRecords().filter((u) => !(u.tool === user.tool && u.file === user.file) && runsProgram(u.file))
  if (users.length > 0) {
    writeRecords(users)
    return false
  }
  // A hook file that names the program without a record (a record lost or from an older setup) keeps it.
  if (alsoCheck.some((file) => file !== user.file && runsProgram(file))) {
    writeRecords(users)
    return false
  }
  if (!existsSync(programFile()) && !existsSync(recordsFile())) return false
  for (const file of [programFile(), launcherFile(), recordsFile()]) rmSync(file, { force: true })
  for (const dir of [dirname(programFile()), clockmeHome()]) {
    try {
      rmdirSync(dir)
    } catch {
      // not empty: something else of the user's lives there
    }
  }
  return true
}
