/**
 * What a hook keeps while the server is unreachable: per tool, session and project, each stretch of
 * activity without a gap longer than `gapMs`, as its first and last activity, how many events it holds,
 * and when the session ended. However long the outage, the queue grows by one stretch per pause, never
 * per event, and nothing is dropped. Pure: no I/O, no clock (callers pass `now`), no Effect.
 */

/** One hook event, with the time it happened (ISO 8601). */
export interface HookActivity {
  readonly id: string
  readonly event: "session-start" | "prompt" | "stop" | "session-end"
  readonly tool: string
  readonly at: string
  readonly projectName: string
  readonly sessionId?: string | undefined
  readonly autoCreate?: boolean | undefined
  readonly fallbackProjectId?: string | undefined
  readonly description?: string | undefined
  /** The git branch of the working directory, when it is a repository. */
  readonly gitBranch?: string | undefined
}

export interface Stretch {
  /** The first event's id: the idempotency key of the stretch's stop. */
  readonly id: string
  readonly tool: string
  readonly projectName: string
  readonly sessionId?: string | undefined
  readonly autoCreate?: boolean | undefined
  readonly fallbackProjectId?: string | undefined
  readonly description?: string | undefined
  /** First and last activity (epoch ms); undefined when the stretch is only a session end. */
  readonly first?: number | undefined
  readonly last?: number | undefined
  /** Activity events coalesced into first..last. */
  readonly events: number
  /** When the session ended (epoch ms): the stretch is closed. */
  readonly endedAt?: number | undefined
}

export interface Stretches {
  readonly stretches: ReadonlyArray<Stretch>
}

export const empty: Stretches = { stretches: [] }

/**
 * Gaps longer than this split stretches. It is the smallest idle timeout a workspace can have, so the server,
 * which knows the workspace's own timeout, decides whether a gap between two stretches was idle time.
 */
export const DEFAULT_GAP_MS = 5 * 60_000

/** The server refuses events older than this; a flushed stretch is clipped to it. */
export const MAX_AGE_MS = 24 * 3_600_000

const keyOf = (s: { readonly tool: string; readonly sessionId?: string | undefined; readonly projectName: string }) =>
  `${s.tool}|${s.sessionId ?? ""}|${s.projectName.toLowerCase()}`

const edge = (s: Stretch): number => s.endedAt ?? s.last ?? s.first ?? 0

/** Adds one event: it joins its session's latest open stretch when within `gapMs` of it, else opens a new one. */
export const add = (queue: Stretches, event: HookActivity, gapMs = DEFAULT_GAP_MS): Stretches => {
  const at = Date.parse(event.at)
  if (!Number.isFinite(at)) return queue
  const key = keyOf(event)
  const ending = event.event === "session-end"
  let index = -1
  for (let i = queue.stretches.length - 1; i >= 0; i--) {
    if (keyOf(queue.stretches[i]!) === key) {
      index = i
      break
    }
  }
  const open = index < 0 ? undefined : queue.stretches[index]!
  const joins = open !== undefined && open.endedAt === undefined &&
    at <= edge(open) + gapMs && at >= (open.first ?? edge(open)) - gapMs
  if (open === undefined || !joins) {
    const fresh: Stretch = {
      id: event.id,
      tool: event.tool,
      projectName: event.projectName,
      ...(event.sessionId === undefined ? {} : { sessionId: event.sessionId }),
      ...(event.autoCreate === undefined ? {} : { autoCreate: event.autoCreate }),
      ...(event.fallbackProjectId === undefined ? {} : { fallbackProjectId: event.fallbackProjectId }),
      ...(event.description === undefined ? {} : { description: event.description }),
      ...(ending ? { endedAt: at } : { first: at, last: at }),
      events: ending ? 0 : 1
    }
    return { stretches: [...queue.stretches, fresh] }
  }
  const merged: Stretch = ending
    ? { ...open, endedAt: Math.max(at, open.last ?? at) }
    : {
      ...open,
      first: Math.min(open.first ?? at, at),
      last: Math.max(open.last ?? at, at),
      events: open.events + 1
    }
  const stretches = queue.stretches.slice()
  stretches[index] = merged
  return { stretches }
}

export const addAll = (queue: Stretches, events: ReadonlyArray<HookActivity>, gapMs = DEFAULT_GAP_MS): Stretches =>
  events.reduce((q, e) => add(q, e, gapMs), queue)

/** Hook events the stretches stand for. */
export const eventCount = (queue: Stretches): number =>
  queue.stretches.reduce((n, s) => n + s.events + (s.endedAt === undefined ? 0 : 1), 0)

export const remove = (queue: Stretches, ids: ReadonlySet<string>): Stretches => ({
  stretches: queue.stretches.filter((s) => !ids.has(s.id))
})

const FORMAT = "clockme-stretches/1"

/** One compact JSON document. */
export const serialize = (queue: Stretches): string => JSON.stringify({ format: FORMAT, stretches: queue.stretches }) + "\n"

const isStretch = (value: unknown): value is Stretch => {
  if (typeof value !== "object" || value === null) return false
  const s = value as Record<string, unknown>
  const time = (v: unknown) => v === undefined || (typeof v === "number" && Number.isFinite(v))
  return typeof s.id === "string" && typeof s.tool === "string" && typeof s.projectName === "string" &&
    typeof s.events === "number" && time(s.first) && time(s.last) && time(s.endedAt) &&
    (s.first !== undefined || s.endedAt !== undefined)
}

const isActivity = (value: unknown): value is HookActivity => {
  if (typeof value !== "object" || value === null) return false
  const e = value as Record<string, unknown>
  return typeof e.id === "string" && typeof e.tool === "string" && typeof e.at === "string" &&
    typeof e.projectName === "string" &&
    (e.event === "session-start" || e.event === "prompt" || e.event === "stop" || e.event === "session-end")
}

/**
 * Reads what `serialize` wrote, followed by any events appended since (one JSON line each, as hooks append
 * them without a lock); the older queue of events only reads the same way. Unreadable lines are skipped.
 */
export const deserialize = (text: string, gapMs = DEFAULT_GAP_MS): Stretches =>
  text.split("\n").reduce((queue, line) => {
    if (line.trim() === "") return queue
    let value: unknown
    try {
      value = JSON.parse(line)
    } catch {
      return queue
    }
    const doc = value as { format?: unknown; stretches?: unknown }
    if (doc?.format === FORMAT && Array.isArray(doc.stretches)) {
      return { stretches: [...queue.stretches, ...doc.stretches.filter(isStretch)] }
    }
    return isActivity(value) ? add(queue, value, gapMs) : queue
  }, empty)

export interface HeartbeatRequest {
  readonly kind: "heartbeat"
  readonly stretch: string
  readonly fallbackProjectId?: string | undefined
  readonly body: {
    readonly projectName: string
    readonly source: "hook"
    readonly sessionId?: string
    readonly autoStart: true
    readonly autoCreate: boolean
    readonly description?: string
    readonly since: string
    readonly at: string
    readonly count: number
  }
}

export interface StopRequest {
  readonly kind: "stop"
  readonly stretch: string
  readonly idempotencyKey: string
  readonly body: {
    readonly projectName: string
    readonly sessionId?: string
    readonly reason?: "session_end"
    readonly at: string
  }
}

export type FlushRequest = HeartbeatRequest | StopRequest

const iso = (ms: number) => new Date(ms).toISOString()

/**
 * The requests that replay the queue, in order: per stretch one heartbeat from its first to its last
 * activity (autoStart, so the server starts the timer at the first one or continues the entry its watchdog
 * stopped meanwhile), then a stop at the session's end when it ended. Times older than the server accepts
 * are clipped to its bound (a minute inside it); stretches entirely older are left out.
 */
export const plan = (queue: Stretches, now: number): ReadonlyArray<FlushRequest> => {
  const oldest = now - MAX_AGE_MS + 60_000
  return queue.stretches.flatMap((s): Array<FlushRequest> => {
    const requests: Array<FlushRequest> = []
    const session = s.sessionId === undefined ? {} : { sessionId: s.sessionId }
    if (s.first !== undefined && s.last !== undefined && s.last >= oldest) {
      requests.push({
        kind: "heartbeat",
        stretch: s.id,
        ...(s.fallbackProjectId === undefined ? {} : { fallbackProjectId: s.fallbackProjectId }),
        body: {
          projectName: s.projectName,
          source: "hook",
          ...session,
          autoStart: true,
          autoCreate: s.autoCreate ?? false,
          ...(s.description === undefined ? {} : { description: s.description }),
          since: iso(Math.max(s.first, oldest)),
          at: iso(s.last),
          count: Math.max(1, s.events)
        }
      })
    }
    if (s.endedAt !== undefined && s.endedAt >= oldest) {
      requests.push({
        kind: "stop",
        stretch: s.id,
        idempotencyKey: `clockme-queue:${s.id}`,
        body: {
          projectName: s.projectName,
          ...session,
          ...(s.sessionId === undefined ? {} : { reason: "session_end" as const }),
          at: iso(s.endedAt)
        }
      })
    }
    return requests
  })
}
