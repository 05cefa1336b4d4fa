import { expect } from "@effect/vitest"
import { allEntries, pause, request, visibleEvents } from "./Process.js"
import type { JsonReply } from "./Process.js"

/** What a client saw that was not a success: a status with its Retry-After and code, or no answer at all. */
export interface Miss {
  readonly op: string
  readonly status: number | "no answer"
  readonly retryAfter: string | null
  readonly code: unknown
}

/** What the server acknowledged (answered 2xx to) for one client, by Idempotency-Key. */
export interface Ledger {
  readonly name: string
  /** Each logged entry's id as acknowledged, with what the client sent (its start, project and duration). */
  readonly logged: Map<string, { readonly id: string; readonly sent: { readonly startTime: string; readonly projectId: string; readonly durationSeconds: number } }>
  readonly stopped: Map<string, { readonly id: string; readonly durationSeconds: number }>
  readonly started: Map<string, string>
  readonly misses: Array<Miss>
  /** Answers that were neither 2xx nor an accepted miss: each is a failure of the test. */
  readonly unexpected: Array<string>
}

export interface ClientOptions {
  readonly name: string
  /** Where the server is now (it may move to another port when restarted). */
  readonly base: () => string
  readonly key: string
  readonly projectId: string
  /** The project this client's timer runs on (one client per project, so its stops find its own timer). */
  readonly projectName: string
  /** Checked between rounds: the client finishes its round (so no timer of its own is left running) and stops. */
  readonly done: () => boolean
  /** A status other than 2xx that may come and is retried with the same Idempotency-Key (e.g. 503). */
  readonly retried: ReadonlySet<number>
  /** Whether a request without an answer (connection refused, reset) is retried: the server is being killed. */
  readonly retryNoAnswer: boolean
  /** Where logged entries start: each round logs one in its own minute after it. */
  readonly logFrom: number
  /** How long one attempt may wait for its answer before the client counts it as a hang (20 s). */
  readonly answerWithinMs?: number
}

const GIVE_UP_MS = 90_000

/** One write, retried with its Idempotency-Key until acknowledged, recording every miss on the way. */
const acknowledged = async (
  options: ClientOptions,
  ledger: Ledger,
  op: string,
  path: string,
  idempotencyKey: string,
  body: unknown
): Promise<JsonReply | undefined> => {
  const answerWithin = options.answerWithinMs ?? 20_000
  const deadline = Date.now() + GIVE_UP_MS
  for (;;) {
    if (Date.now() > deadline) {
      ledger.unexpected.push(`${op} ${idempotencyKey}: not acknowledged in ${GIVE_UP_MS} ms`)
      return undefined
    }
    let reply: JsonReply
    try {
      reply = await request(options.base(), "POST", path, {
        key: options.key,
        body,
        headers: { "idempotency-key": idempotencyKey },
        timeoutMs: answerWithin
      })
    } catch (error) {
      const timedOut = error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError")
      if (timedOut || !options.retryNoAnswer) {
        ledger.unexpected.push(`${op} ${idempotencyKey}: ${timedOut ? `no answer in ${answerWithin} ms` : String(error)}`)
        return undefined
      }
      ledger.misses.push({ op, status: "no answer", retryAfter: null, code: null })
      await pause(100)
      continue
    }
    if (reply.status >= 200 && reply.status < 300) return reply
    ledger.misses.push({ op, status: reply.status, retryAfter: reply.headers.get("retry-after"), code: reply.body?.code })
    if (!options.retried.has(reply.status)) {
      ledger.unexpected.push(`${op} ${idempotencyKey}: ${reply.status} ${JSON.stringify(reply.body)}`)
      return undefined
    }
    await pause(100)
  }
}

/**
 * A client of a mixed write load: each round logs an entry with a known duration, starts a timer on its
 * project and stops it, every write with an Idempotency-Key it retries until acknowledged.
 */
export const mixedClient = async (options: ClientOptions): Promise<Ledger> => {
  const ledger: Ledger = {
    name: options.name,
    logged: new Map(),
    stopped: new Map(),
    started: new Map(),
    misses: [],
    unexpected: []
  }
  for (let round = 0; !options.done() && ledger.unexpected.length === 0; round++) {
    const logKey = `${options.name}-log-${round}`
    const durationMinutes = 1 + (round % 7)
    const startTime = new Date(options.logFrom + round * 60_000).toISOString()
    const logged = await acknowledged(options, ledger, "log", "/api/entries", logKey, {
      projectId: options.projectId,
      startTime,
      durationMinutes
    })
    if (logged === undefined) break
    ledger.logged.set(logKey, { id: logged.body.id, sent: { startTime, projectId: options.projectId, durationSeconds: durationMinutes * 60 } })
    const startKey = `${options.name}-start-${round}`
    const started = await acknowledged(options, ledger, "start", "/api/timer/start", startKey, { projectName: options.projectName })
    if (started === undefined) break
    ledger.started.set(startKey, started.body.id)
    const stopKey = `${options.name}-stop-${round}`
    const stopped = await acknowledged(options, ledger, "stop", "/api/timer/stop", stopKey, { projectName: options.projectName })
    if (stopped === undefined) break
    ledger.stopped.set(stopKey, { id: stopped.body.id, durationSeconds: stopped.body.durationSeconds })
  }
  return ledger
}

/**
 * Everything acknowledged is in the database exactly once and nothing else is: every logged and stopped
 * entry, each logged one with the start, project and duration the client sent (not what the server answered),
 * no timer left running, one EntryCreated event per entry.
 */
export const expectExactlyAcknowledged = async (base: string, key: string, ledgers: ReadonlyArray<Ledger>) => {
  for (const ledger of ledgers) expect(ledger.unexpected, ledger.name).toEqual([])
  const acknowledgedIds = ledgers.flatMap((l) => [...l.logged.values(), ...l.stopped.values()].map((e) => e.id))
  expect(new Set(acknowledgedIds).size).toBe(acknowledgedIds.length)
  const entries = await allEntries(base, key)
  expect(entries.map((e) => e.id).sort()).toEqual([...acknowledgedIds].sort())
  const byId = new Map(entries.map((e) => [e.id, e]))
  for (const ledger of ledgers) {
    for (const [logKey, { id, sent }] of ledger.logged) {
      const entry = byId.get(id)
      expect({ ...entry, startTime: Date.parse(entry?.startTime) }).toMatchObject({
        idempotencyKey: logKey,
        projectId: sent.projectId,
        startTime: Date.parse(sent.startTime),
        durationSeconds: sent.durationSeconds
      })
    }
    for (const { durationSeconds, id } of ledger.stopped.values()) expect(byId.get(id)?.durationSeconds).toBe(durationSeconds)
  }
  const current = await request(base, "GET", "/api/timer/current", { key })
  expect(current.body.timers).toEqual([])
  const created = await visibleEvents(base, key, "entry.created", (events) => events.length >= acknowledgedIds.length)
  expect(created.map((e) => e.data.entry.id).sort()).toEqual([...acknowledgedIds].sort())
  return entries
}
