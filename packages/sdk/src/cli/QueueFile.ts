import { appendFileSync, mkdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from "node:fs"
import { dirname } from "node:path"
import { queueFile } from "./Paths.js"

/** A hook event that could not reach the server, kept with the time it happened. */
export interface QueuedEvent {
  readonly id: string
  readonly event: "session-start" | "prompt" | "stop" | "session-end"
  readonly tool: string
  readonly at: string
  readonly projectName: string
  readonly sessionId?: string | undefined
  readonly autoCreate?: boolean | undefined
  readonly fallbackProjectId?: string | undefined
  readonly description?: string | undefined
}

export const readQueue = (): Array<QueuedEvent> => {
  try {
    return readFileSync(queueFile(), "utf8")
      .split("\n")
      .filter((line) => line.trim() !== "")
      .flatMap((line) => {
        try {
          return [JSON.parse(line) as QueuedEvent]
        } catch {
          return []
        }
      })
  } catch {
    return []
  }
}

/** One short `O_APPEND` write per event, so concurrent hooks never interleave lines. */
export const enqueue = (event: QueuedEvent): void => {
  mkdirSync(dirname(queueFile()), { recursive: true, mode: 0o700 })
  appendFileSync(queueFile(), JSON.stringify(event) + "\n", { mode: 0o600 })
}

export const writeQueue = (events: ReadonlyArray<QueuedEvent>): void => {
  if (events.length === 0) {
    try {
      unlinkSync(queueFile())
    } catch {
      // already empty
    }
    return
  }
  const temp = `${queueFile()}.${process.pid}.tmp`
  writeFileSync(temp, events.map((e) => JSON.stringify(e)).join("\n") + "\n", { mode: 0o600 })
  renameSync(temp, queueFile())
}
