import { matchProjectName } from "@clockme/domain/ProjectMatch"
import { mkdirSync } from "node:fs"
import { dirname } from "node:path"
import * as lockfile from "proper-lockfile"
import type { ClockMe } from "../ClockMe.js"
import { ClockMeError } from "../Errors.js"
import { queueFile } from "./Paths.js"
import { type QueuedEvent, readQueue, writeQueue } from "./QueueFile.js"

export { enqueue, type QueuedEvent, readQueue } from "./QueueFile.js"

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

/** The server did not answer (or failed): keep the event for later. Any other error drops it. */
export const isUnreachable = (error: unknown): boolean =>
  error instanceof ClockMeError &&
  (error.code === "network_error" || error.code === "timeout" || (error.status !== undefined && error.status >= 500) ||
    error.status === 429)

const sessionKey = (e: QueuedEvent) => `${e.tool}|${e.sessionId ?? ""}|${e.projectName.toLowerCase()}`

const resolveProject = async (cm: ClockMe, event: QueuedEvent): Promise<string | undefined> => {
  const projects = await cm.projects.list()
  const { match } = matchProjectName(event.projectName, projects)
  if (match) return match.id
  if (event.fallbackProjectId) return event.fallbackProjectId
  if (!event.autoCreate) return undefined
  try {
    return (await cm.projects.create({ name: event.projectName })).id
  } catch (error) {
    if (error instanceof ClockMeError && error.code === "project_name_taken") {
      return matchProjectName(event.projectName, await cm.projects.list()).match?.id
    }
    throw error
  }
}

export interface FlushResult {
  readonly sent: number
  readonly dropped: number
  readonly left: number
  readonly log: ReadonlyArray<string>
}

/**
 * Sends queued events in order, with their original times. The timer API cannot start in the
 * past, so a queued session start becomes a logged entry from the start to its queued end (or to
 * its last queued activity, or to `liveAt` when the live event belongs to the same session); a
 * queued end of a timer that did start on the server stops it and moves the entry's end back to
 * when the session really ended. Heartbeats on their own are dropped: the live event that
 * triggers the flush is activity too. Entries carry an idempotency key derived from the queued
 * event, so a flush cut short and repeated never logs twice.
 */
export const flushQueue = async (
  cm: ClockMe,
  live?: { readonly key: string; readonly at: string }
): Promise<FlushResult | undefined> =>
  withLock(async () => {
    const events = readQueue()
    const log: Array<string> = []
    let sent = 0
    let dropped = 0
    const done = new Set<string>()
    try {
      for (let index = 0; index < events.length; index++) {
        const event = events[index]!
        if (done.has(event.id)) continue
        const key = sessionKey(event)
        try {
        if (event.event === "session-start") {
          const rest = events.slice(index + 1).filter((e) => sessionKey(e) === key)
          const nextStart = rest.findIndex((e) => e.event === "session-start")
          const scope = nextStart < 0 ? rest : rest.slice(0, nextStart)
          const end = scope.find((e) => e.event === "session-end")
          const activity = end ? scope.slice(0, scope.indexOf(end) + 1) : scope
          const endAt = end?.at ?? (live?.key === key ? live.at : activity.at(-1)?.at ?? event.at)
          const minutes = (Date.parse(endAt) - Date.parse(event.at)) / 60_000
          if (minutes > 0) {
            const projectId = await resolveProject(cm, event)
            if (projectId === undefined) {
              log.push(`dropped ${event.event} ${event.projectName}: no such project`)
              dropped++
            } else {
              await cm.entries.create({
                projectId,
                startTime: event.at,
                endTime: endAt,
                source: "hook",
                ...(event.description ? { description: event.description } : {}),
                idempotencyKey: `clockme-queue:${event.id}`
              })
              log.push(`logged ${event.projectName} ${event.at} – ${endAt}`)
              sent++
            }
          }
          for (const e of activity) done.add(e.id)
        } else if (event.event === "session-end") {
            const stopped = await cm.timer.stop(
              { projectName: event.projectName, ...(event.sessionId ? { sessionId: event.sessionId } : {}) },
              { idempotencyKey: `clockme-queue:${event.id}` }
            )
            if ("id" in stopped && Date.parse(stopped.endTime) > Date.parse(event.at) && Date.parse(stopped.startTime) < Date.parse(event.at)) {
              await cm.entries.update({ id: stopped.id, endTime: event.at })
            }
            log.push(`stopped ${event.projectName} at ${event.at}`)
            sent++
        } else {
          dropped++
        }
        } catch (error) {
          if (isUnreachable(error)) throw error
          log.push(`dropped ${event.event} ${event.projectName}: ${(error as Error).message}`)
          dropped++
        }
        done.add(event.id)
      }
    } catch (error) {
      if (!isUnreachable(error)) throw error
      log.push(`server unreachable: ${(error as Error).message}`)
    }
    const left = readQueue().filter((e) => !done.has(e.id))
    writeQueue(left)
    return { sent, dropped, left: left.length, log }
  })
