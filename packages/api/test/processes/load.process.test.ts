import { afterAll, describe, expect, it } from "@effect/vitest"
import * as fs from "node:fs"
import { inject } from "vitest"
import { allEntries, ownerKey, pause, postgresDatabase, request, requestPatiently, runCli, startServer, tempDataDir } from "../lib/Process.js"
import type { JsonReply, RunningServer } from "../lib/Process.js"

const ACCOUNTS = 5
const CLIENTS_PER_ACCOUNT = 10
const LOAD_MS = 20_000
const minute = 60_000

interface Tally {
  /** Seconds this client's entries add up to: logged durations and timers stopped with `at`. */
  seconds: number
  entries: number
  readonly errors: Array<string>
}

/**
 * One client of an account: rounds of start → heartbeat → stop on its own project, each at a known time
 * (`at`), a logged entry with a known duration, and a report. A 429 is retried with the same
 * Idempotency-Key after a short pause; anything else but a 2xx is an error.
 */
const client = async (base: string, key: string, name: string, until: number): Promise<Tally> => {
  const tally: Tally = { seconds: 0, entries: 0, errors: [] }
  const call = async (method: string, path: string, body?: unknown, idempotencyKey?: string): Promise<JsonReply | undefined> => {
    for (let attempt = 0; attempt < 200; attempt++) {
      let reply: JsonReply
      try {
        reply = await request(base, method, path, {
          key,
          ...(body === undefined ? {} : { body }),
          ...(idempotencyKey === undefined ? {} : { headers: { "idempotency-key": idempotencyKey } }),
          timeoutMs: 30_000
        })
      } catch (error) {
        tally.errors.push(`${method} ${path}: ${String(error)}`)
        return undefined
      }
      if (reply.status < 300) return reply
      if (reply.status !== 429) {
        tally.errors.push(`${method} ${path}: ${reply.status} ${JSON.stringify(reply.body)}`)
        return undefined
      }
      if (reply.body?.code !== "rate_limited" || reply.headers.get("retry-after") === null) {
        tally.errors.push(`${method} ${path}: a 429 without its code or Retry-After`)
      }
      await pause(250 + Math.random() * 250)
    }
    tally.errors.push(`${method} ${path}: still 429 after 200 attempts`)
    return undefined
  }

  const project = await call("POST", "/api/projects", { name })
  if (project === undefined) return tally
  // timers run in the past, one after the other, so each stop's duration is known to the second
  let clock = Date.now() - 20 * 60 * minute
  for (let round = 0; Date.now() < until && tally.errors.length === 0; round++) {
    const seconds = 60 + ((round * 37) % 540)
    const startAt = new Date(clock).toISOString()
    const stopAt = new Date(clock + seconds * 1000).toISOString()
    clock += (seconds + 60) * 1000
    const started = await call("POST", "/api/timer/start", { projectName: name, source: "hook", at: startAt }, `${name}-start-${round}`)
    if (started === undefined) break
    const beat = await call("POST", "/api/timer/heartbeat", { projectName: name, at: new Date(clock - 60_000 - seconds * 500).toISOString() })
    if (beat === undefined) break
    const stopped = await call("POST", "/api/timer/stop", { projectName: name, at: stopAt }, `${name}-stop-${round}`)
    if (stopped === undefined) break
    if (stopped.body.durationSeconds !== seconds) tally.errors.push(`stop ${round}: ${stopped.body.durationSeconds} s, not ${seconds}`)
    tally.seconds += seconds
    tally.entries++
    const minutes = 1 + (round % 90)
    const logged = await call("POST", "/api/entries", {
      projectId: project.body.id,
      startTime: new Date(Date.now() - 3 * 24 * 60 * minute + round * 90 * minute).toISOString(),
      durationMinutes: minutes,
      idempotencyKey: `${name}-log-${round}`
    })
    if (logged === undefined) break
    tally.seconds += minutes * 60
    tally.entries++
    if (round % 2 === 0) {
      const today = new Date().toISOString().slice(0, 10)
      const from = new Date(Date.now() - 4 * 24 * 60 * minute).toISOString().slice(0, 10)
      if (await call("GET", `/api/reports?from=${from}&to=${today}&groupBy=project`) === undefined) break
    }
  }
  return tally
}

/**
 * 50 clients over 5 accounts for 20 s of mixed traffic against one spawned server on loopback. It runs on
 * PostgreSQL only: on the embedded database each extra account is a CLI run that opens the database anew
 * before the server may take it, and one PGlite connection serves all 50 clients (see README, Tests).
 */
describe("load", () => {
  // vitest.config.ts collects this file only when DATABASE_URL is set
  const serverUrl = process.env.DATABASE_URL!
  const cleanups: Array<() => Promise<unknown>> = []
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined)
  })

  it("50 clients, 5 accounts, 20 s of start/heartbeat/stop/log/report: only 429s, and every account's entries sum exactly to its clients' records", async () => {
    const database = await postgresDatabase(serverUrl, inject("pgTemplate"), "load")
    cleanups.push(database.drop)
    const env = { DATABASE_URL: database.url }
    const dataDir = tempDataDir("load")
    cleanups.push(async () => fs.rmSync(dataDir, { recursive: true, force: true }))
    const server: RunningServer = await startServer(dataDir, 120_000, env)
    cleanups.push(() => server.stop("SIGKILL"))
    const created = await Promise.all(Array.from({ length: ACCOUNTS - 1 }, (_, i) =>
      runCli(["accounts", "create", "--email", `load${i}@example.com`, "--plan", "team"], dataDir, 120_000, env)
    ))
    const keys = [ownerKey(server), ...created.map((c) => JSON.parse(c.stdout).apiKey.secret as string)]

    const until = Date.now() + LOAD_MS
    const tallies = await Promise.all(keys.map((key, a) =>
      Promise.all(Array.from({ length: CLIENTS_PER_ACCOUNT }, (_, c) => client(server.base, key, `a${a}-c${c}`, until)))
    ))
    const all = tallies.flat()
    expect(all.flatMap((t) => t.errors)).toEqual([])
    // the clients may have spent their accounts' rate budgets: these reads wait out a 429 as a client would
    for (const [a, key] of keys.entries()) {
      const entries = await allEntries(server.base, key)
      expect(entries).toHaveLength(tallies[a]!.reduce((n, t) => n + t.entries, 0))
      expect(entries.reduce((s, e) => s + e.durationSeconds, 0)).toBe(tallies[a]!.reduce((s, t) => s + t.seconds, 0))
      expect((await requestPatiently(server.base, "GET", "/api/timer/current", { key })).body.timers).toEqual([])
    }
    // every client got through whole rounds (timer and log), however loaded the machine
    for (const tally of all) expect(tally.entries).toBeGreaterThanOrEqual(2)
  }, 180_000)
})
