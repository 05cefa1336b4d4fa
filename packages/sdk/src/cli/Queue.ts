import { mkdirSync } from "node:fs"
import { dirname } from "node:path"
import * as lockfile from "proper-lockfile"
import { isUnreachableFailure } from "./HookClient.js"
import { queueFile } from "./Paths.js"
import { readQueue, readQueueText, writeQueue } from "./QueueFile.js"
import { addAll, deserialize, type FlushRequest, type HookActivity, plan, remove } from "./Stretches.js"

export { enqueue, type QueuedEvent, queuedCount, readQueue } from "./QueueFile.js"

/** One flusher at a time; a lock left by a crashed flusher goes stale after 30 s. */
const withLock = async <A>(run: () => Promise<A>): Promise<A | undefined> => {
  mkdirSync(dirname(queueFile()), { recursive: true, mode: 0o700 })
  let release: () => Promise<void>
  try {
    release = await lockfile.lock(queueFile(), { realpath: false, stale: 30_000, update: 10_000 })
  } catch {
    return undefined
  }
  try {
    return await run()
  } finally {
    await release().catch(() => undefined)
  }
}

/**
 * One call to the timer API, as the hook's plain HTTP client makes it. Errors are read by shape
 * (`code`, `status`), so the hook's `HookFailure` and the SDK's `ClockMeError` count the same way.
 */
export type TimerCall = (route: "start" | "heartbeat" | "stop", body: unknown, idempotencyKey?: string) => Promise<any>

/** The server did not answer (or failed): keep the event for later. Any other error drops it. */
export const isUnreachable = isUnreachableFailure

const codeOf = (error: unknown): unknown => (error as { readonly code?: unknown } | undefined)?.code

export interface FlushResult {
  readonly sent: number
  readonly dropped: number
  readonly left: number
  readonly log: ReadonlyArray<string>
}

/** A request whose usage the server refuses (an older server, a bad record) goes again without it: usage never costs the time. */
const withoutRefusedUsage = async (call: TimerCall, request: FlushRequest): Promise<string> => {
  try {
    return await sendOne(call, request)
  } catch (error) {
    if (codeOf(error) !== "invalid_input" || request.body.usage === undefined) throw error
    const { usage: _refused, ...body } = request.body
    return `${await sendOne(call, { ...request, body } as FlushRequest)} (usage refused: ${(error as Error).message})`
  }
}

const sendOne = async (call: TimerCall, request: FlushRequest): Promise<string> => {
  if (request.kind === "stop") {
    try {
      const stopped = await call("stop", request.body, request.idempotencyKey)
      return "id" in stopped ? `stopped ${request.body.projectName} at ${request.body.at}` : `kept ${request.body.projectName} for other sessions`
    } catch (error) {
      if (codeOf(error) === "timer_not_running") return `${request.body.projectName} already stopped`
      throw error
    }
  }
  const { body } = request
  try {
    await call("heartbeat", body)
  } catch (error) {
    if (request.fallbackProjectId === undefined || codeOf(error) !== "project_not_found") throw error
    const started = await call("start", {
      projectName: body.projectName,
      fallbackProjectId: request.fallbackProjectId,
      source: "hook",
      ...(body.sessionId === undefined ? {} : { sessionId: body.sessionId }),
      ...(body.description === undefined ? {} : { description: body.description }),
      at: body.since
    }, `clockme-queue:${request.stretch}:start`)
    if (body.count > 1) {
      await call("heartbeat", {
        projectId: started.projectId,
        ...(body.sessionId === undefined ? {} : { sessionId: body.sessionId }),
        at: body.at,
        count: body.count - 1
      })
    }
  }
  return `sent ${body.projectName} ${body.since} – ${body.at} (${body.count} event(s))`
}

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

/**
 * Replays the queue with the events' own times: per stretch one heartbeat from its first to its last
 * activity, then a stop when the session ended (see Stretches.plan). The server continues the entry its
 * watchdog stopped meanwhile, so an outage leaves no hole. A stretch the server refuses is dropped (and
 * logged); when the server is unreachable, the rest stays queued. Events appended while the flush ran
 * are kept. `undefined` when another process holds the queue.
 */
export const flushQueue = async (call: TimerCall): Promise<FlushResult | undefined> =>
  withLock(async () => {
    const before = readQueueText()
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
            log.push(await withoutRefusedUsage(call, request))
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
    const after = readQueueText()
    if (done.size > 0 || after.length !== before.length) {
      const appended = after.startsWith(before) ? after.slice(before.length) : ""
      writeQueue(addAll(remove(queue, done), activitiesOf(appended)))
    }
    return { sent, dropped, left: readQueue().stretches.length, log }
  })

/** Rewrites a queue grown by appended lines as stretches, unless a flush holds it. */
export const compactQueue = async (): Promise<void> => {
  await withLock(async () => writeQueue(readQueue()))
}
