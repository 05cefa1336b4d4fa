import * as fs from "node:fs"
import * as path from "node:path"
import { Data, Effect } from "effect"
import * as lockfile from "proper-lockfile"

export class DataDirInUse extends Data.TaggedError("DataDirInUse")<{ readonly dataDir: string; readonly pid: number | undefined }> {
  override get message() {
    return `The data directory ${this.dataDir} is in use by another ClockMe process${this.pid === undefined ? "" : ` (pid ${this.pid})`}. ` +
      `Stop it first, or use the running server's API (the embedded database belongs to one process).`
  }
}

/**
 * The lock is proper-lockfile's directory; the holder's pid sits beside it for the refusal message
 * (not inside: that would change the directory's mtime, which the lock uses to prove it is alive).
 */
export const lockPath = (dataDir: string) => path.join(dataDir, "clockme.lock")
export const pidFile = (dataDir: string) => path.join(dataDir, "clockme.pid")

const holderOf = (dataDir: string): number | undefined => {
  try {
    const pid = Number.parseInt(fs.readFileSync(pidFile(dataDir), "utf8"), 10)
    return Number.isInteger(pid) ? pid : undefined
  } catch {
    return undefined
  }
}

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM"
  }
}

const options = (dataDir: string) => ({ lockfilePath: lockPath(dataDir), realpath: false, stale: 10_000, update: 2_000 })

/**
 * Holds the data directory for the scope: PGlite must never be opened by two processes at once.
 * A lock left by a killed process is taken over at once when its pid is gone, else once stale.
 */
export const lockDataDir = (dataDir: string) =>
  Effect.acquireRelease(
    Effect.gen(function*() {
      yield* Effect.sync(() => fs.mkdirSync(dataDir, { recursive: true }))
      const holder = holderOf(dataDir)
      if (holder !== undefined && holder !== process.pid && !isAlive(holder)) {
        yield* Effect.sync(() => {
          fs.rmSync(lockPath(dataDir), { recursive: true, force: true })
          fs.rmSync(pidFile(dataDir), { force: true })
        })
      }
      const release = yield* Effect.tryPromise({
        try: () => lockfile.lock(dataDir, { ...options(dataDir), onCompromised: () => undefined }),
        catch: () => new DataDirInUse({ dataDir, pid: holderOf(dataDir) })
      })
      yield* Effect.sync(() => fs.writeFileSync(pidFile(dataDir), String(process.pid)))
      return release
    }),
    (release) =>
      Effect.promise(async () => {
        fs.rmSync(pidFile(dataDir), { force: true })
        await release().catch(() => undefined)
      })
  )
