import { randomBytes } from "node:crypto"
import * as fs from "node:fs"
import * as path from "node:path"
import { Data, Effect, Schedule } from "effect"

export class DataDirInUse extends Data.TaggedError("DataDirInUse")<{ readonly dataDir: string; readonly pid: number | undefined }> {
  override get message() {
    return `The data directory ${this.dataDir} is in use by another ClockMe process${this.pid === undefined ? "" : ` (pid ${this.pid})`}. ` +
      `Stop it first, or use the running server's API (the embedded database belongs to one process).`
  }
}

export class DataDirLockUnreadable extends Data.TaggedError("DataDirLockUnreadable")<{ readonly file: string }> {
  override get message() {
    return `The lock file ${this.file} is not one ClockMe wrote. Remove it if no ClockMe process uses the directory.`
  }
}

export class DataDirLockFailed extends Data.TaggedError("DataDirLockFailed")<{ readonly dataDir: string; readonly cause: unknown }> {
  override get message() {
    return `Could not lock the data directory ${this.dataDir}: ${this.cause instanceof Error ? this.cause.message : String(this.cause)}`
  }
}

type LockError = DataDirInUse | DataDirLockUnreadable | DataDirLockFailed

/** The lock file: the holder's record, written whole before it gets this name. */
export const lockPath = (dataDir: string) => path.join(dataDir, "clockme.lock")
/** The pid file that sat beside the lock directory of versions before this lock. */
const legacyPidFile = (dataDir: string) => path.join(dataDir, "clockme.pid")

/**
 * Who holds a lock: the pid with the process's start time and the machine's boot (Linux: /proc), so that a
 * pid reused by another process, or by anything after a reboot, is not mistaken for the holder; and a nonce,
 * which tells this holding from any other.
 */
export interface Holder {
  readonly pid: number
  readonly start: string | null
  readonly boot: string | null
  readonly nonce: string
}

const readText = (file: string) => {
  try {
    return fs.readFileSync(file, "utf8")
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined
    throw error
  }
}

const hasProc = fs.existsSync("/proc/self/stat")
const bootId = hasProc ? (readText("/proc/sys/kernel/random/boot_id")?.trim() ?? null) : null

/**
 * /proc/<pid>/stat: the state is the first field after the command name (which may hold spaces and
 * parentheses), the start time in clock ticks since boot the 20th. Undefined when there is no such process,
 * null when it cannot be read (such as /proc mounted with hidepid).
 */
const procStat = (pid: number): { readonly state: string; readonly start: string } | undefined | null => {
  try {
    const text = readText(`/proc/${pid}/stat`)
    if (text === undefined) return undefined
    const fields = text.slice(text.lastIndexOf(")") + 2).split(" ")
    return fields.length > 19 ? { state: fields[0]!, start: fields[19]! } : null
  } catch {
    return null
  }
}

export const currentHolder = (): Holder => ({
  pid: process.pid,
  start: hasProc ? (procStat(process.pid)?.start ?? null) : null,
  boot: bootId,
  nonce: randomBytes(16).toString("hex")
})

const signalAlive = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM"
  }
}

/**
 * A holder is dead when it is this process (which does not hold the lock: a container's pid 1 finding its
 * previous run's lock), when the machine has rebooted since, when its pid is gone or a zombie, or when the
 * pid now belongs to a process started at another time. Without /proc only the pid is checked, so a reused
 * pid keeps the lock (refusing is the safe side). A live holder is never dead, however long it stalls.
 */
export const isDead = (holder: Holder) => {
  if (holder.pid === process.pid) return true
  if (holder.boot !== null && bootId !== null && holder.boot !== bootId) return true
  const stat = hasProc ? procStat(holder.pid) : null
  if (stat === undefined) return true
  if (stat === null) return !signalAlive(holder.pid)
  if (stat.state === "Z" || stat.state === "X") return true
  return holder.start !== null && stat.start !== holder.start
}

const parse = (text: string): Holder | undefined => {
  try {
    const value = JSON.parse(text)
    return Number.isInteger(value?.pid) && typeof value.nonce === "string" &&
        (value.start === null || typeof value.start === "string") && (value.boot === null || typeof value.boot === "string")
      ? { pid: value.pid, start: value.start, boot: value.boot, nonce: value.nonce }
      : undefined
  } catch {
    return undefined
  }
}

/** The record at `file`: undefined when there is none, "unreadable" when it is not a holder's record. */
const read = (file: string): Holder | "unreadable" | undefined => {
  const text = readText(file)
  return text === undefined ? undefined : (parse(text) ?? "unreadable")
}

/**
 * Gives `file` the record unless the name exists: written and synced under a private name first, then
 * linked, so the name never shows a partial record and two writers cannot both succeed.
 */
const place = (file: string, holder: Holder): boolean => {
  const temporary = `${file}.${randomBytes(8).toString("hex")}.tmp`
  const fd = fs.openSync(temporary, "wx")
  try {
    fs.writeSync(fd, JSON.stringify(holder))
    fs.fsyncSync(fd)
  } finally {
    fs.closeSync(fd)
  }
  try {
    fs.linkSync(temporary, file)
    return true
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false
    throw error
  } finally {
    fs.rmSync(temporary, { force: true })
  }
}

/**
 * Removes the dead holder's record from `file`. Only the process that creates the claim `<file>.<nonce>`
 * may remove that record, and a record is removed only by its holder or by that claimant, so two
 * processes taking over at once cannot remove the lock the first of them has just placed. A claim left
 * by a claimant that died is itself cleared the same way. "again" when the caller should look again now,
 * "busy" while a live claimant is at work.
 */
export const clear = (file: string, dead: Holder, me: Holder): "again" | "busy" => {
  const claim = `${file}.${dead.nonce}`
  if (!place(claim, me)) {
    const claimant = read(claim)
    if (claimant === undefined) return "again"
    return claimant !== "unreadable" && isDead(claimant) ? clear(claim, claimant, me) : "busy"
  }
  try {
    const now = read(file)
    if (now !== undefined && now !== "unreadable" && now.nonce === dead.nonce) fs.rmSync(file)
    return "again"
  } finally {
    fs.rmSync(claim, { force: true })
  }
}

/** The lock directory and pid file of earlier versions, judged by the pid alone. */
const clearLegacy = (dataDir: string): Holder | "cleared" => {
  const pid = Number.parseInt(readText(legacyPidFile(dataDir)) ?? "", 10)
  const holder: Holder = { pid, start: null, boot: null, nonce: "legacy" }
  if (Number.isInteger(pid) && !isDead(holder)) return holder
  // rmdir, not rm -r: a lock file another process has just placed instead is never removed
  fs.rmdirSync(lockPath(dataDir))
  fs.rmSync(legacyPidFile(dataDir), { force: true })
  return "cleared"
}

type Attempt = { readonly acquired: Holder } | { readonly heldBy: Holder } | "busy"

const attemptOnce = (dataDir: string, me: Holder): Attempt | "again" => {
  const file = lockPath(dataDir)
  if (place(file, me)) return { acquired: me }
  let holder: ReturnType<typeof read>
  try {
    holder = read(file)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EISDIR") throw error
    const legacy = clearLegacy(dataDir)
    return legacy === "cleared" ? "again" : { heldBy: legacy }
  }
  if (holder === undefined) return "again"
  if (holder === "unreadable") throw new DataDirLockUnreadable({ file })
  if (!isDead(holder)) return { heldBy: holder }
  return clear(file, holder, me)
}

/** Takes the lock, or names its live holder; "busy" while another process is taking a dead lock over. */
const attempt = (dataDir: string, me: Holder): Attempt => {
  for (let tries = 0; tries < 10; tries++) {
    const result = attemptOnce(dataDir, me)
    if (result !== "again") return result
  }
  return "busy"
}

/** The data directories this process holds, so that a second hold in the same process is refused too. */
const held = new Map<string, Holder>()

/**
 * Whether the lock file still holds `holder`'s record: false once it is gone or another's, undefined while it
 * cannot be read (such as a server out of file descriptors), which is no reason to stop.
 */
export const stillHeld = (dataDir: string, holder: Holder): boolean | undefined => {
  let now: ReturnType<typeof read>
  try {
    now = read(lockPath(dataDir))
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EISDIR" ? false : undefined
  }
  return now !== undefined && now !== "unreadable" && now.nonce === holder.nonce
}

const release = (dataDir: string, holder: Holder) => {
  held.delete(dataDir)
  // only our own record: a lock this process does not hold is never removed
  if (stillHeld(dataDir, holder) === true) fs.rmSync(lockPath(dataDir), { force: true })
}

const acquire = (dataDir: string) =>
  Effect.suspend(() => {
    const mine = held.get(dataDir)
    if (mine !== undefined) return Effect.fail(new DataDirInUse({ dataDir, pid: mine.pid }))
    const me = currentHolder()
    const tryOnce = Effect.try({
      try: () => attempt(dataDir, me),
      catch: (error) => error instanceof DataDirLockUnreadable ? error : new DataDirLockFailed({ dataDir, cause: error })
    })
    // another process taking a dead lock over takes a few milliseconds, unless it is stalled
    const loop = (left: number): Effect.Effect<Holder, LockError> =>
      Effect.flatMap(tryOnce, (result) =>
        result === "busy"
          ? (left > 0 ? Effect.zipRight(Effect.sleep("20 millis"), loop(left - 1)) : Effect.fail(new DataDirInUse({ dataDir, pid: undefined })))
          : "heldBy" in result
          ? Effect.fail(new DataDirInUse({ dataDir, pid: result.heldBy.pid }))
          : Effect.sync(() => {
            held.set(dataDir, result.acquired)
            return result.acquired
          }))
    return loop(100)
  })

/** What a holder does when it finds its lock gone or taken: stop at once, without writing another byte. */
const exitAtOnce = (dataDir: string) =>
  Effect.sync(() => {
    process.stderr.write(
      `clockme-server: the lock on ${dataDir} is no longer this process's (its file was removed or replaced); ` +
        `stopping at once rather than share the embedded database with another process.\n`
    )
    // not a graceful shutdown: closing the database would write to a directory another process may now own
    process.exit(1)
  })

/**
 * Holds the data directory for the scope: PGlite must never be opened by two processes at once. A lock
 * whose holder is dead is taken over at once; a live holder's never is. The lock is checked every second,
 * and `onCompromised` runs (by default: the process exits) if another has removed or replaced it.
 */
export const lockDataDir = (dataDir: string, options: { readonly onCompromised?: Effect.Effect<void> } = {}) =>
  Effect.gen(function*() {
    yield* Effect.sync(() => fs.mkdirSync(dataDir, { recursive: true }))
    const holder = yield* Effect.acquireRelease(acquire(dataDir), (holder) => Effect.sync(() => release(dataDir, holder)))
    const onCompromised = options.onCompromised ?? exitAtOnce(dataDir)
    yield* Effect.sync(() => stillHeld(dataDir, holder)).pipe(
      Effect.repeat({ schedule: Schedule.spaced("1 second"), while: (ok) => ok !== false }),
      Effect.zipRight(onCompromised),
      Effect.forkScoped
    )
    return holder
  })
