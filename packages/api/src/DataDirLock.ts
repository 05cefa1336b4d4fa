import * as fs from "node:fs"
import * as path from "node:path"
import { Data, Effect } from "effect"

export class DataDirInUse extends Data.TaggedError("DataDirInUse")<{ readonly dataDir: string; readonly pid: number }> {
  override get message() {
    return `The data directory ${this.dataDir} is in use by another ClockMe process (pid ${this.pid}). ` +
      `Stop it first, or use the running server's API (the embedded database belongs to one process).`
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

const tryAcquire = (file: string): number | undefined => {
  try {
    fs.writeFileSync(file, String(process.pid), { flag: "wx" })
    return undefined
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error
    const holder = Number.parseInt(fs.readFileSync(file, "utf8"), 10)
    if (Number.isInteger(holder) && holder !== process.pid && isAlive(holder)) return holder
    fs.rmSync(file, { force: true })
    return tryAcquire(file)
  }
}

/** Holds `<dataDir>/clockme.lock` for the scope: PGlite must never be opened by two processes at once. */
export const lockDataDir = (dataDir: string) =>
  Effect.acquireRelease(
    Effect.gen(function*() {
      const file = path.join(dataDir, "clockme.lock")
      yield* Effect.sync(() => fs.mkdirSync(dataDir, { recursive: true }))
      const holder = yield* Effect.sync(() => tryAcquire(file))
      if (holder !== undefined) return yield* new DataDirInUse({ dataDir, pid: holder })
      return file
    }),
    (file) => Effect.sync(() => fs.rmSync(file, { force: true }))
  )
