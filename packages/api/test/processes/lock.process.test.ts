import { afterAll, describe, expect, it } from "@effect/vitest"
import { spawn } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { allEntries, ownerKey, pause, request, runCli, startServer, tempDataDir } from "../lib/Process.js"
import type { RunningServer } from "../lib/Process.js"

const SLOW = 300_000
/** How long the lock of earlier versions took to go stale while its holder was alive (by its mtime). */
const OLD_STALENESS_MS = 10_000

/**
 * The embedded data directory's lock between real processes: a crashed server's lock is taken over at
 * once, a stalled server's never, and a server whose lock is taken stops.
 */
describe("the data-directory lock between processes", () => {
  const dataDir = tempDataDir("lock")
  const lockFile = path.join(dataDir, "clockme.lock")
  const holder = () => JSON.parse(fs.readFileSync(lockFile, "utf8"))
  let server: RunningServer | undefined
  let key = ""
  let projectId = ""
  const cleanups: Array<() => unknown> = []
  afterAll(async () => {
    server?.child.kill("SIGCONT")
    await server?.stop("SIGKILL")
    for (const cleanup of cleanups) cleanup()
    fs.rmSync(dataDir, { recursive: true, force: true })
  })

  const logEntry = async (description: string) => {
    const reply = await request(server!.base, "POST", "/api/entries", {
      key,
      body: { projectId, startTime: "2026-01-05T09:00:00Z", durationMinutes: 5, description }
    })
    expect(reply.status).toBe(201)
    return reply.body.id as string
  }
  const acknowledged: Array<string> = []

  it("SIGKILL, and a restart begun at once serves on the same directory with every acknowledged write", async () => {
    server = await startServer(dataDir)
    key = ownerKey(server)
    projectId = (await request(server.base, "POST", "/api/projects", { key, body: { name: "lock" } })).body.id
    acknowledged.push(await logEntry("before the crash"))
    const dead = server.pid
    const killedAt = Date.now()
    server.child.kill("SIGKILL")
    server = await startServer(dataDir)
    const servingAfterMs = Date.now() - killedAt
    console.log(`served again ${servingAfterMs} ms after SIGKILL`)
    expect(holder().pid).toBe(server.pid)
    expect(holder().pid).not.toBe(dead)
    expect((await allEntries(server.base, key)).map((e) => e.id)).toEqual(acknowledged)
  }, SLOW)

  it("a server stopped (SIGSTOP) past the old staleness bound keeps its lock: a command and a second server are refused, and no acknowledged write is lost", async () => {
    const stalled = server!
    const before = fs.readFileSync(lockFile, "utf8")
    stalled.child.kill("SIGSTOP")
    try {
      await pause(OLD_STALENESS_MS + 1_000)
      const [command, second] = await Promise.all([
        runCli(["keys", "create", "--email", "owner@clockme.local"], dataDir),
        startServer(dataDir).then(
          (started) => started.stop("SIGKILL").then(() => "started"),
          (error: Error) => error.message
        )
      ])
      expect(command.code).toBe(1)
      expect(command.stderr).toContain(`pid ${stalled.pid}`)
      expect(command.stdout).not.toContain("ck_live_")
      expect(second).toContain("exited before it was ready")
      expect(second).toContain(`pid ${stalled.pid}`)
      expect(fs.readFileSync(lockFile, "utf8")).toBe(before)
    } finally {
      stalled.child.kill("SIGCONT")
    }
    acknowledged.push(await logEntry("after the stall"))
    expect((await stalled.stop("SIGTERM")).code).toBe(0)
    expect(fs.existsSync(lockFile)).toBe(false)
    server = await startServer(dataDir)
    expect((await allEntries(server.base, key)).map((e) => e.id).sort()).toEqual([...acknowledged].sort())
  }, SLOW)

  it("a server whose lock file is replaced by another's stops at once with exit code 1", async () => {
    const other = spawn("sleep", ["60"], { stdio: "ignore" })
    cleanups.push(() => other.kill("SIGKILL"))
    const replaced = JSON.stringify({ ...holder(), pid: other.pid, nonce: "another" })
    fs.writeFileSync(`${lockFile}.new`, replaced)
    fs.renameSync(`${lockFile}.new`, lockFile)
    const finished = await Promise.race([server!.exited, pause(10_000).then(() => undefined)])
    expect(finished?.code).toBe(1)
    expect(finished?.stderr).toContain("no longer this process's")
    // and it left the other's lock alone
    expect(fs.readFileSync(lockFile, "utf8")).toBe(replaced)
    server = undefined
  }, SLOW)
})
