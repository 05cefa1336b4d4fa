import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import * as fs from "node:fs"
import { inject } from "vitest"
import { ADMISSION_CACHE_MILLIS } from "@clockme/domain/services/AdmissionCache"
import { listenerApplicationName } from "@clockme/domain/services/AdmissionListener"
import { runStatement } from "../../../domain/test/lib/TestDatabase.js"
import { allEntries, ownerKey, pause, postgresDatabase, request, runCli, startServer, tempDataDir, visibleEvents } from "../lib/Process.js"
import type { JsonReply, RunningServer } from "../lib/Process.js"

const RACERS = 16

/**
 * How soon a change made on one server must be seen on the other, far under ADMISSION_CACHE_MILLIS: only
 * the other's LISTEN can make it so, since it has just cached the row it would otherwise reuse for 5 s.
 */
const NOTICE_WITHIN_MS = 1_500

/**
 * Two `clockme-server` processes behave as one. On PostgreSQL, two servers share one database; the
 * embedded database belongs to one process, so there a second server refuses its data directory.
 */
describe("two server processes", () => {
  const serverUrl = process.env.DATABASE_URL
  const cleanups: Array<() => Promise<unknown>> = []
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined)
  })

  // Each database gets its own cases; the other's are reported as skipped.
  it.skipIf(serverUrl)("embedded database: a second server on the same data directory refuses to start and names the first; the first serves on", async () => {
    const dataDir = tempDataDir("two")
    cleanups.push(async () => fs.rmSync(dataDir, { recursive: true, force: true }))
    const first = await startServer(dataDir)
    cleanups.push(() => first.stop("SIGKILL"))
    const refused = await startServer(dataDir, 60_000).then(
      (second) => second.stop("SIGKILL").then(() => "started"),
      (error: Error) => error.message
    )
    expect(refused).toContain("exited before it was ready")
    expect(refused).toContain(`pid ${first.pid}`)
    const me = await request(first.base, "GET", "/api/me", { key: ownerKey(first) })
    expect(me.status).toBe(200)
  }, 180_000)

  let a: RunningServer
  let b: RunningServer
  let key: string
  let freeKey: string
  let memberKey: string
  let memberId: string
  let databaseUrl: string
  /** Alternates between the two servers, so concurrent calls are split across both processes. */
  const either = (i: number) => (i % 2 === 0 ? a : b).base

  beforeAll(async () => {
    if (!serverUrl) return
    const database = await postgresDatabase(serverUrl, inject("pgTemplate"), "two")
    cleanups.push(database.drop)
    databaseUrl = database.url
    const env = {
      DATABASE_URL: database.url,
      CLOCKME_RATE_LIMITS: "database",
      CLOCKME_WATCHDOG_INTERVAL_SECONDS: "1",
      CLOCKME_WATCHDOG_STARTUP_GRACE_SECONDS: "0"
    }
    // one after the other: the first creates the owner on the empty database
    a = await startServer(tempDataDir("two-a"), 120_000, env)
    cleanups.push(() => a.stop("SIGKILL"))
    // the rate-limit test's account, made by the CLI (after the owner, or the owner would never be made)
    const account = (email: string, plan: string, dir: string) =>
      runCli(["accounts", "create", "--email", email, "--plan", plan], tempDataDir(dir), 120_000, { DATABASE_URL: database.url })
    const [second, created, member] = await Promise.all([
      startServer(tempDataDir("two-b"), 120_000, env),
      account("free@example.com", "free", "two-cli"),
      account("member@example.com", "team", "two-cli-member")
    ])
    b = second
    cleanups.push(() => b.stop("SIGKILL"))
    expect(created.code).toBe(0)
    freeKey = JSON.parse(created.stdout).apiKey.secret
    expect(member.code).toBe(0)
    memberKey = JSON.parse(member.stdout).apiKey.secret
    memberId = JSON.parse(member.stdout).user.id
    key = ownerKey(a)
    expect(b.output()).not.toContain("ck_live_")
  }, 240_000)

  const race = (call: (base: string) => Promise<JsonReply>) => Promise.all(Array.from({ length: RACERS }, (_, i) => call(either(i))))

  it.skipIf(!serverUrl)("racing starts, stops and idempotent writes split across both give exactly one timer or entry", async () => {
    const post = (path: string, body: unknown, idempotencyKey?: string) => (base: string) =>
      request(base, "POST", path, { key, body, ...(idempotencyKey === undefined ? {} : { headers: { "idempotency-key": idempotencyKey } }) })
    const project = await request(a.base, "POST", "/api/projects", { key, body: { name: "race" } })
    expect(project.status).toBe(201)

    const starts = await race(post("/api/timer/start", { projectName: "race" }))
    expect(starts.map((s) => s.status)).toEqual(Array(RACERS).fill(200))
    expect(new Set(starts.map((s) => s.body.id)).size).toBe(1)
    expect(starts.filter((s) => s.body.alreadyRunning !== true)).toHaveLength(1)
    for (const server of [a, b]) {
      expect((await request(server.base, "GET", "/api/timer/current", { key })).body.timers).toHaveLength(1)
    }

    const stops = await race(post("/api/timer/stop", { projectName: "race" }))
    // a stop that lost the race answers the winner's entry; one that came after it, 404
    const stopped = stops.filter((s) => s.status === 200)
    expect(stopped.length).toBeGreaterThan(0)
    expect(new Set(stopped.map((s) => s.body.id)).size).toBe(1)
    for (const s of stops.filter((s) => s.status !== 200)) expect(s).toMatchObject({ status: 404, body: { code: "timer_not_running" } })

    // the same Idempotency-Key on every racer: one timer, one stop, one entry, the same answer to all
    const keyedStarts = await race(post("/api/timer/start", { projectName: "race" }, "race-start"))
    expect(keyedStarts.map((s) => s.status)).toEqual(Array(RACERS).fill(200))
    expect(new Set(keyedStarts.map((s) => JSON.stringify(s.body))).size).toBe(1)
    const keyedStops = await race(post("/api/timer/stop", { projectName: "race" }, "race-stop"))
    expect(keyedStops.map((s) => s.status)).toEqual(Array(RACERS).fill(200))
    expect(new Set(keyedStops.map((s) => JSON.stringify(s.body))).size).toBe(1)

    const logBody = { projectId: project.body.id, startTime: "2026-01-05T09:00:00Z", durationMinutes: 45 }
    const logs = await race(post("/api/entries", logBody, "race-log"))
    expect(logs.map((l) => l.status)).toEqual(Array(RACERS).fill(201))
    expect(new Set(logs.map((l) => l.body.id)).size).toBe(1)
    const bodyKeyed = await race(post("/api/entries", { ...logBody, idempotencyKey: "race-log-body" }))
    expect(new Set(bodyKeyed.map((l) => l.body.id)).size).toBe(1)

    const entries = await allEntries(b.base, key)
    expect(entries.map((e) => e.id).sort()).toEqual(
      [stopped[0]!.body.id, keyedStops[0]!.body.id, logs[0]!.body.id, bodyKeyed[0]!.body.id].sort()
    )
    const created = await visibleEvents(a.base, key, "entry.created", (events) => events.length >= entries.length)
    expect(created.map((e) => e.data.entry.id).sort()).toEqual(entries.map((e) => e.id).sort())
    expect(await visibleEvents(a.base, key, "timer.started", (events) => events.length >= 2)).toHaveLength(2)
  }, 120_000)

  it.skipIf(!serverUrl)("the idle watchdog runs in each process: each alone stops stale timers while the other is frozen, and both together stop each exactly once", async () => {
    const hourAgo = new Date(Date.now() - 3_600_000).toISOString()
    /** Timers the watchdog stopped, by what this server logged. */
    const stoppedBy = (server: RunningServer) =>
      [...server.output().matchAll(/Idle watchdog stopped (\d+) timer/g)].reduce((sum, match) => sum + Number(match[1]), 0)
    const staleTimers = (count: number, prefix: string, base: (i: number) => string) =>
      Promise.all(Array.from({ length: count }, (_, i) =>
        request(base(i), "POST", "/api/timer/start", {
          key,
          body: { projectName: `${prefix}-${i}`, autoCreate: true, source: "hook", at: hourAgo }
        })
      ))
    const untilNoneRunning = async (base: string, what: string) => {
      const deadline = Date.now() + 30_000
      while ((await request(base, "GET", "/api/timer/current", { key })).body.timers.length > 0) {
        expect(Date.now(), `stale timers still running after 30 s with ${what}`).toBeLessThan(deadline)
        await pause(200)
      }
    }
    // each process alone: the other is frozen (SIGSTOP), so only this one's watchdog can stop them
    for (const [alone, frozen, name] of [[a, b, "a"], [b, a, "b"]] as const) {
      const before = stoppedBy(alone)
      process.kill(frozen.pid, "SIGSTOP")
      try {
        const started = await staleTimers(3, `alone-${name}`, () => alone.base)
        for (const timer of started) expect(timer.status).toBe(200)
        await untilNoneRunning(alone.base, `only server ${name}'s watchdog`)
      } finally {
        process.kill(frozen.pid, "SIGCONT")
      }
      expect({ server: name, stopped: stoppedBy(alone) - before }).toEqual({ server: name, stopped: 3 })
    }

    // both running: each stale timer is stopped once, whichever process gets it
    const stale = await staleTimers(8, "stale", either)
    for (const started of stale) expect(started.status).toBe(200)
    const ids = new Set(stale.map((s) => s.body.id))
    await untilNoneRunning(a.base, "both watchdogs")
    // both watchdogs sweep every second: give each a few more sweeps to stop anything a second time
    await pause(3_000)
    const stopped = (await visibleEvents(b.base, key, "timer.stopped", (events) =>
      events.filter((e) => ids.has(e.data.timer.id)).length >= ids.size
    )).filter((e) => ids.has(e.data.timer.id)).map((e) => e.data)
    expect(stopped).toHaveLength(ids.size)
    expect(new Set(stopped.map((e) => e.timer.id)).size).toBe(ids.size)
    for (const event of stopped) expect(event).toMatchObject({ reason: "idle", entry: { stopReason: "idle", durationSeconds: 0 } })
    const staleProjects = new Set(stale.map((s) => s.body.projectId))
    const idle = (await allEntries(a.base, key)).filter((e) => e.stopReason === "idle" && staleProjects.has(e.projectId))
    expect(idle.map((e) => e.id).sort()).toEqual(stopped.map((e) => e.entry.id).sort())
    expect(idle.map((e) => e.projectId).sort()).toEqual(stale.map((s) => s.body.projectId).sort())
  }, 120_000)

  it.skipIf(!serverUrl)("CLOCKME_RATE_LIMITS=database: one rate budget for the account across both processes", async () => {
    // the budget is counted per clock minute (both servers share this machine's clock): a burst counts only
    // if it began and ended inside one minute that it had to itself, else it is sent again in the next
    let answers: Array<JsonReply> = []
    for (let attempt = 0; attempt < 3; attempt++) {
      const intoMinute = Date.now() % 60_000
      if (attempt > 0 || intoMinute > 40_000) await pause(60_000 - intoMinute + 200)
      const began = Math.floor(Date.now() / 60_000)
      answers = await Promise.all(Array.from({ length: 80 }, (_, i) =>
        request(either(i), "GET", "/api/timer/current", { key: freeKey })
      ))
      if (Math.floor(Date.now() / 60_000) === began) break
    }
    const statuses = answers.map((r) => r.status)
    expect(statuses.filter((s) => s === 200)).toHaveLength(60)
    expect(statuses.filter((s) => s === 429)).toHaveLength(20)
    for (const limited of answers.filter((r) => r.status === 429)) {
      expect(limited.body.code).toBe("rate_limited")
      expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0)
      expect(limited.headers.get("ratelimit-remaining")).toBe("0")
    }
    const remaining = answers.filter((r) => r.status === 200).map((r) => Number(r.headers.get("ratelimit-remaining")))
    expect(remaining.sort((x, y) => x - y)).toEqual(Array.from({ length: 60 }, (_, i) => i))
  }, 180_000)

  /**
   * Asks `server` until it stops answering 200, for at most NOTICE_WITHIN_MS (the first answer is asked for at
   * once, and it was 200 a moment before the change was made on the other server).
   */
  const refusedWithin = async (server: RunningServer, method: string, path: string, withKey: string) => {
    const began = Date.now()
    for (;;) {
      const reply = await request(server.base, method, path, { key: withKey })
      if (reply.status !== 200) return reply
      expect(Date.now() - began, `still answered 200 ${NOTICE_WITHIN_MS} ms after the change on the other server`)
        .toBeLessThan(NOTICE_WITHIN_MS)
      await pause(20)
    }
  }

  /** A workspace the owner makes on A, which the member joins and makes active on B. */
  const sharedWorkspace = async (name: string) => {
    const workspace = await request(a.base, "POST", "/api/workspaces", { key, body: { name } })
    expect(workspace.status).toBe(201)
    const invite = await request(a.base, "POST", `/api/workspaces/${workspace.body.id}/invites`, { key, body: {} })
    expect(invite.status).toBe(201)
    const joined = await request(b.base, "POST", "/api/workspaces/join", { key: memberKey, body: { code: invite.body.code } })
    expect(joined.status).toBe(200)
    expect((await request(b.base, "POST", `/api/workspaces/${workspace.body.id}/activate`, { key: memberKey })).status).toBe(200)
    return workspace.body.id as string
  }

  /** A key made on A, used on B (so B caches its row), revoked on A: B refuses it long before its row expires. */
  const revokeSeenAcross = async (label: string) => {
    const created = await request(a.base, "POST", "/api/keys", { key, body: { scope: "read", label } })
    expect(created.status).toBe(201)
    expect((await request(b.base, "GET", "/api/timer/current", { key: created.body.secret })).status).toBe(200)
    expect((await request(a.base, "DELETE", `/api/keys/${created.body.key.id}`, { key })).status).toBe(200)
    const refused = await refusedWithin(b, "GET", "/api/timer/current", created.body.secret)
    expect(refused).toMatchObject({ status: 401, body: { message: expect.stringContaining("revoked") } })
  }

  it.skipIf(!serverUrl)(`a key revoked on one server is refused by the other within ${NOTICE_WITHIN_MS} ms, not ${ADMISSION_CACHE_MILLIS} ms`, async () => {
    await revokeSeenAcross("revoked on a")
  }, 60_000)

  it.skipIf(!serverUrl)("a role change on one server is seen by the other at once: an owner made member loses the owners' endpoints there", async () => {
    const workspace = await sharedWorkspace("Roles across servers")
    const invites = `/api/workspaces/${workspace}/invites`
    const member = `/api/workspaces/${workspace}/members/${memberId}`
    expect((await request(a.base, "PATCH", member, { key, body: { role: "owner" } })).status).toBe(200)
    expect((await request(b.base, "GET", invites, { key: memberKey })).status).toBe(200)
    expect((await request(a.base, "PATCH", member, { key, body: { role: "member" } })).status).toBe(200)
    const refused = await refusedWithin(b, "GET", invites, memberKey)
    expect(refused).toMatchObject({ status: 403, body: { message: expect.stringContaining("your role there is member") } })
  }, 60_000)

  it.skipIf(!serverUrl)("a member removed on one server loses its workspace's key on the other at once", async () => {
    const workspace = await sharedWorkspace("Removal across servers")
    const restricted = await request(b.base, "POST", "/api/keys", { key: memberKey, body: { scope: "read", workspaceId: workspace } })
    expect(restricted.status).toBe(201)
    expect((await request(b.base, "GET", "/api/timer/current", { key: restricted.body.secret })).status).toBe(200)
    expect((await request(a.base, "DELETE", `/api/workspaces/${workspace}/members/${memberId}`, { key })).status).toBe(204)
    const refused = await refusedWithin(b, "GET", "/api/timer/current", restricted.body.secret)
    expect(refused).toMatchObject({ status: 401, body: { message: expect.stringContaining("no longer a member") } })
  }, 60_000)

  it.skipIf(!serverUrl)("a server whose listening connection is cut logs it once, reconnects, and hears the other's changes again", async () => {
    const logged = (server: RunningServer, text: string) => server.output().split(text).length - 1
    const lost = "Admission listener: not listening"
    const back = "Admission listener: listening again"
    expect(logged(b, lost)).toBe(0)
    await runStatement(
      databaseUrl,
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = '${listenerApplicationName(b.pid)}'`
    )
    const deadline = Date.now() + 30_000
    while (logged(b, back) === 0) {
      expect(Date.now(), `no reconnection logged in 30 s:\n${b.output()}`).toBeLessThan(deadline)
      await pause(50)
    }
    expect(logged(b, lost)).toBe(1)
    expect(b.output()).toContain(`changes made on other servers are seen within ${ADMISSION_CACHE_MILLIS / 1000} s`)
    expect(logged(b, back)).toBe(1)
    expect(logged(a, lost)).toBe(0)
    await revokeSeenAcross("revoked after b reconnected")
  }, 60_000)
})
