import { afterAll, describe, expect, it } from "@effect/vitest"
import { type ChildProcess, spawn } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { Deferred, Effect, Exit, Fiber, Scope, TestClock } from "effect"
import { clear, currentHolder, DataDirInUse, DataDirLockUnreadable, lockDataDir, lockPath } from "../src/DataDirLock.js"

/** The lock in this process against records naming other processes (Linux: start times from /proc). */
describe("the data-directory lock", () => {
  const dirs: Array<string> = []
  const children: Array<ChildProcess> = []
  afterAll(() => {
    for (const child of children) child.kill("SIGKILL")
    for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true })
  })
  const tempDir = () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "clockme-lock-"))
    dirs.push(dir)
    return dir
  }
  const boot = fs.readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim()
  const stat = (pid: number) => {
    const text = fs.readFileSync(`/proc/${pid}/stat`, "utf8")
    const fields = text.slice(text.lastIndexOf(")") + 2).split(" ")
    return { state: fields[0]!, start: fields[19]! }
  }
  const record = (pid: number, start: string, bootId = boot) => ({ pid, start, boot: bootId, nonce: `n${pid}-${start}` })
  const writeLock = (dir: string, holder: object) => fs.writeFileSync(lockPath(dir), JSON.stringify(holder))
  const readLock = (dir: string) => JSON.parse(fs.readFileSync(lockPath(dir), "utf8"))

  /** A live process that is not ClockMe. */
  const sleeper = () => {
    const child = spawn("sleep", ["60"], { stdio: "ignore" })
    children.push(child)
    return child.pid!
  }
  /** A child that has exited and that its parent (a `sleep` that never waits) leaves a zombie. */
  const zombie = async () => {
    const parent = spawn("sh", ["-c", "sleep 0 & echo $!; exec sleep 60"], { stdio: ["ignore", "pipe", "ignore"] })
    children.push(parent)
    const pid = Number(await new Promise<string>((resolve) => parent.stdout!.once("data", (chunk) => resolve(String(chunk)))))
    while (stat(pid).state !== "Z") await new Promise((resolve) => setTimeout(resolve, 10))
    return pid
  }
  const gone = async () => {
    const child = spawn("true", { stdio: "ignore" })
    await new Promise((resolve) => child.once("exit", resolve))
    return child.pid!
  }

  /** Takes the lock in a scope of its own; the exit, and the record it wrote, or the refusal. */
  const take = (dir: string) =>
    Effect.gen(function*() {
      const scope = yield* Scope.make()
      const exit = yield* Effect.exit(Scope.extend(lockDataDir(dir, { onCompromised: Effect.void }), scope))
      return { exit, close: Scope.close(scope, Exit.void) }
    })

  const takesOver = (dir: string) =>
    Effect.gen(function*() {
      const { close, exit } = yield* take(dir)
      expect(Exit.isSuccess(exit)).toBe(true)
      const holder = readLock(dir)
      expect(holder).toMatchObject({ pid: process.pid, start: stat(process.pid).start, boot })
      yield* close
      expect(fs.existsSync(lockPath(dir))).toBe(false)
      expect(fs.readdirSync(dir)).toEqual([])
    })

  const refused = (dir: string, pid: number) =>
    Effect.gen(function*() {
      const before = fs.readFileSync(lockPath(dir), "utf8")
      const { exit } = yield* take(dir)
      expect(exit).toStrictEqual(Exit.fail(new DataDirInUse({ dataDir: dir, pid })))
      expect(fs.readFileSync(lockPath(dir), "utf8")).toBe(before)
    })

  it.effect("an empty directory: the lock records this process's pid, start time and boot, and is removed on release", () =>
    takesOver(tempDir()))

  it.effect("a lock naming this process's own pid (a container's pid 1 after a restart) is taken over at once", () =>
    Effect.gen(function*() {
      const dir = tempDir()
      writeLock(dir, record(process.pid, stat(process.pid).start))
      yield* takesOver(dir)
    }))

  it.effect("a lock whose holder is gone, a zombie, or a pid now used by a process started at another time is taken over", () =>
    Effect.gen(function*() {
      const goneDir = tempDir()
      writeLock(goneDir, record(yield* Effect.promise(gone), "1"))
      yield* takesOver(goneDir)
      const zombieDir = tempDir()
      const dead = yield* Effect.promise(zombie)
      writeLock(zombieDir, record(dead, stat(dead).start))
      yield* takesOver(zombieDir)
      const reusedDir = tempDir()
      const live = sleeper()
      writeLock(reusedDir, record(live, String(Number(stat(live).start) - 1)))
      yield* takesOver(reusedDir)
      // the same live pid and start time, but written before a reboot
      const rebootDir = tempDir()
      writeLock(rebootDir, record(live, stat(live).start, "00000000-0000-0000-0000-000000000000"))
      yield* takesOver(rebootDir)
    }))

  it.effect("a live holder is refused and named, and its lock left as it was", () =>
    Effect.gen(function*() {
      const dir = tempDir()
      const live = sleeper()
      writeLock(dir, record(live, stat(live).start))
      yield* refused(dir, live)
    }))

  it.effect("a lock file ClockMe did not write is refused, named, and left alone", () =>
    Effect.gen(function*() {
      const dir = tempDir()
      fs.writeFileSync(lockPath(dir), "not a record")
      const { exit } = yield* take(dir)
      expect(exit).toStrictEqual(Exit.fail(new DataDirLockUnreadable({ file: lockPath(dir) })))
      expect(fs.readFileSync(lockPath(dir), "utf8")).toBe("not a record")
    }))

  it.effect("a second hold in the same process is refused; a lock this process does not hold is never removed", () =>
    Effect.gen(function*() {
      const dir = tempDir()
      const first = yield* take(dir)
      expect(Exit.isSuccess(first.exit)).toBe(true)
      yield* refused(dir, process.pid)
      const other = record(sleeper(), "1")
      writeLock(dir, other)
      yield* first.close
      expect(readLock(dir)).toEqual(other)
    }))

  it.effect("the holder finds its lock replaced within a second and runs onCompromised", () =>
    Effect.gen(function*() {
      const dir = tempDir()
      const compromised = yield* Deferred.make<void>()
      const scope = yield* Scope.make()
      yield* Scope.extend(lockDataDir(dir, { onCompromised: Deferred.succeed(compromised, undefined) }), scope)
      yield* TestClock.adjust("5 seconds")
      expect(yield* Deferred.isDone(compromised)).toBe(false)
      writeLock(dir, record(sleeper(), "1"))
      yield* TestClock.adjust("1 second")
      expect(yield* Deferred.isDone(compromised)).toBe(true)
      yield* Scope.close(scope, Exit.void)
      expect(fs.existsSync(lockPath(dir))).toBe(true)
    }))

  it.effect("a takeover's claim left by a claimant that died is cleared; a live claimant's is waited for, then refused", () =>
    Effect.gen(function*() {
      const dir = tempDir()
      const dead = record(yield* Effect.promise(gone), "1")
      writeLock(dir, dead)
      fs.writeFileSync(`${lockPath(dir)}.${dead.nonce}`, JSON.stringify(record(yield* Effect.promise(gone), "1")))
      yield* takesOver(dir)

      const stalledDir = tempDir()
      writeLock(stalledDir, dead)
      const claimant = sleeper()
      fs.writeFileSync(`${lockPath(stalledDir)}.${dead.nonce}`, JSON.stringify(record(claimant, stat(claimant).start)))
      const fiber = yield* Effect.fork(take(stalledDir))
      yield* TestClock.adjust("3 seconds")
      const { exit } = yield* Fiber.join(fiber)
      expect(exit).toStrictEqual(Exit.fail(new DataDirInUse({ dataDir: stalledDir, pid: undefined })))
    }))

  it.effect("a takeover that read a dead record removes only that record, never a lock placed since by another", () =>
    Effect.gen(function*() {
      const dir = tempDir()
      const dead = record(yield* Effect.promise(gone), "1")
      // another process took the dead lock over between this one's reading it and its removing it
      const live = sleeper()
      const since = record(live, stat(live).start)
      writeLock(dir, since)
      expect(clear(lockPath(dir), dead, currentHolder())).toBe("again")
      expect(readLock(dir)).toEqual(since)
      yield* refused(dir, live)
      writeLock(dir, dead)
      expect(clear(lockPath(dir), dead, currentHolder())).toBe("again")
      expect(fs.readdirSync(dir)).toEqual([])
    }))

  it.effect("the lock directory of earlier versions: taken over when its pid is dead, refused when alive", () =>
    Effect.gen(function*() {
      const dir = tempDir()
      fs.mkdirSync(lockPath(dir))
      fs.writeFileSync(path.join(dir, "clockme.pid"), String(yield* Effect.promise(gone)))
      yield* takesOver(dir)
      const liveDir = tempDir()
      fs.mkdirSync(lockPath(liveDir))
      const live = sleeper()
      fs.writeFileSync(path.join(liveDir, "clockme.pid"), String(live))
      const { exit } = yield* take(liveDir)
      expect(exit).toStrictEqual(Exit.fail(new DataDirInUse({ dataDir: liveDir, pid: live })))
      expect(fs.statSync(lockPath(liveDir)).isDirectory()).toBe(true)
    }))
})
