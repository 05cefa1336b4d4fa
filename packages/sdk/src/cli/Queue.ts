import { appendFileSync, closeSync, mkdirSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from "node:fs"
import { dirname } from "node:path"
import type { ClockMe } from "../ClockMe.js"
import { ClockMeError } from "../Errors.js"
import { queueFile } from "./Paths.js"
import type { FlushRequest, HookActivity, Stretches } from "./Stretches.js"
import { addAll, deserialize, eventCount, plan, remove, serialize } from "./Stretches.js"

/** A hook event that could not reach the server, kept with the time it happened. */
export type QueuedEvent = HookActivity

const readText = (): string => {
  try {
    return readFileSync(queueFile(), "utf8")
  } catch {
    return ""
  }
}

/** The queue, coalesced into stretches (see Stretches.ts). */
export const readQueue = (): Stretches => deserialize(readText())

/** How many hook events wait in the queue. */
export const queuedCount = (): number => eventCount(readQueue())

/**
 * Appends the event as one line (an append is atomic, so concurrent hooks need no lock); once the file
 * passes a few kilobytes, whoever holds the queue lock rewrites it as stretches.
 */
export const enqueue = (event: QueuedEvent): void => {
  mkdirSync(dirname(queueFile()), { recursive: true, mode: 0o700 })
  appendFileSync(queueFile(), JSON.stringify(event) + "\n", { mode: 0o600 })
  try {
    if (statSync(queueFile()).size > COMPACT_BYTES) void withLock(async () => writeQueue(readQueue()))
  } catch {
    // compacting is an optimisation
  }
}

const COMPACT_BYTES = 4096

const writeQueue = (queue: Stretches): void => {
  if (queue.stretches.length === 0) {
    try {
      unlinkSync(queueFile())
    } catch {
      // already empty
    }
    return
  }
  const temp = `${queueFile()}.${process.pid}.tmp`
  writeFileSync(temp, serialize(queue), { mode: 0o600 })
  renameSync(temp, queueFile())
}

/** One flusher at a time: a lock file, taken over when older than 30 s (a crashed flusher). */
const withLock = async <A>(run: () => Promise<A>): Promise<A | undefined> => {
  const lock = `${queueFile()}.lock`
  mkdirSync(dirname(lock), { recursive: true, mode: 0o700 })
  try {
    closeSync(openSync(lock, "wx"))
  } catch {
    try {
      if (Date.now() - statSync(lock).mtimeMs < 30_000) return undefined
      unlinkSync(lock)
      closeSync(openSync(lock, "wx"))
    } catch {
      return undefined
    }
  }
  try {
    return await run()
  } finally {
    try {
      unlinkSync(lock)
    } catch {
      // gone already
    }
  }
}

/** The server did not answer (or failed): keep the event for later. Any other error drops it. */
export const isUnreachable = (error: unknown): boolean =>
  error instanceof ClockMeError &&
  (error.code === "network_error" || error.code === "timeout" || (error.status !== undefined && error.status >= 500) ||
    error.status === 429)

export interface FlushResult {
  readonly sent: number
  readonly dropped: number
  readonly left: number
  readonly log: ReadonlyArray<string>
}

const sendOne = async (cm: ClockMe, request: FlushRequest): Promise<string> => {
  if (request.kind === "stop") {
    try {
      const stopped = await cm.timer.stop(request.body, { idempotencyKey: request.idempotencyKey })
      return "id" in stopped ? `stopped ${request.body.projectName} at ${request.body.at}` : `kept ${request.body.projectName} for other sessions`
    } catch (error) {
      if (error instanceof ClockMeError && error.code === "timer_not_running") return `${request.body.projectName} already stopped`
      throw error
    }
  }
  const { body } = request
  try {
    await cm.timer.heartbeat(body)
  } catch (error) {
    if (request.fallbackProjectId === undefined || !(error instanceof ClockMeError) || error.code !== "project_not_found") throw error
    const started = await cm.timer.start({
      projectName: body.projectName,
      fallbackProjectId: request.fallbackProjectId,
      source: "hook",
      ...(body.sessionId === undefined ? {} : { sessionId: body.sessionId }),
      ...(body.description === undefined ? {} : { description: body.description }),
      at: body.since
    })
    if (body.count > 1) {
      await cm.timer.heartbeat({
        projectId: started.projectId,
        ...(body.sessionId === undefined ? {} : { sessionId: body.sessionId }),
        at: body.at,
        count: body.count - 1
      })
    }
  }
  return `sent ${body.projectName} ${body.since} – ${body.at} (${body.count} event(s))`
}

/**
 * Replays the queue with the events' own times: per stretch one heartbeat from its first to its last
 * activity, then a stop when the session ended (see Stretches.plan). The server continues the entry its
 * watchdog stopped meanwhile, so an outage leaves no hole. A stretch the server refuses is dropped (and
 * logged); when the server is unreachable, the rest stays queued.
 */
export const flushQueue = async (cm: ClockMe): Promise<FlushResult | undefined> =>
  withLock(async () => {
    const before = readText()
    const queue = deserialize(before)
    const log: Array<string> = []
    let sent = 0
    let dropped = 0
    const done = new Set<string>()
    try {
      for (const stretch of queue.stretches) {
        const requests = plan({ stretches: [stretch] }, Date.now())
        if (requests.length === 0) log.push(`dropped ${stretch.projectName}: older than the server accepts`)
        let ok = true
        for (const request of requests) {
          try {
            log.push(await sendOne(cm, request))
          } catch (error) {
            if (isUnreachable(error)) throw error
            log.push(`dropped ${request.kind} ${stretch.projectName}: ${(error as Error).message}`)
            ok = false
          }
        }
        if (ok && requests.length > 0) sent++
        else dropped++
        done.add(stretch.id)
      }
    } catch (error) {
      if (!isUnreachable(error)) throw error
      log.push(`server unreachable: ${(error as Error).message}`)
    }
    if (done.size > 0) {
      const appended = readText().slice(before.length)
      writeQueue(addAll(remove(queue, done), activitiesOf(appended)))
    }
    const left = readQueue()
    return { sent, dropped, left: left.stretches.length, log }
  })

/** Events appended by other hooks while a flush ran (whole lines only). */
const activitiesOf = (text: string): ReadonlyArray<HookActivity> =>
  text.split("\n").flatMap((line) => {
    try {
      const value = JSON.parse(line) as HookActivity
      return typeof value?.id === "string" && typeof value.at === "string" ? [value] : []
    } catch {
      return []
    }
  })
