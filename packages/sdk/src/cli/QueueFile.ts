import { appendFileSync, mkdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from "node:fs"
import { dirname } from "node:path"
import { queueFile } from "./Paths.js"
import { deserialize, eventCount, type HookActivity, serialize, type Stretches } from "./Stretches.js"

/** A hook event that could not reach the server, kept with the time it happened. */
export type QueuedEvent = HookActivity

/** The queue file as it is: a stretches document followed by events appended since, one JSON line each. */
export const readQueueText = (): string => {
  try {
    return readFileSync(queueFile(), "utf8")
  } catch {
    return ""
  }
}

/** The queue, coalesced into stretches (see Stretches.ts). */
export const readQueue = (): Stretches => deserialize(readQueueText())

/** How many hook events wait in the queue. */
export const queuedCount = (): number => eventCount(readQueue())

/**
 * One short `O_APPEND` write per event, so concurrent hooks never interleave lines and need no lock;
 * whoever holds the queue lock rewrites the file as stretches.
 */
export const enqueue = (event: QueuedEvent): void => {
  mkdirSync(dirname(queueFile()), { recursive: true, mode: 0o700 })
  appendFileSync(queueFile(), JSON.stringify(event) + "\n", { mode: 0o600 })
}

/** Replaces the file with the stretches (call it under the queue lock); an empty queue removes it. */
export const writeQueue = (queue: Stretches): void => {
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
