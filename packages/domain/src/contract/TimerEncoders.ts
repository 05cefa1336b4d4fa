import { DateTime, Schema } from "effect"
import { Source } from "./Actor.js"
import { ProjectId, TaskId, TimerId } from "./Ids.js"
import { CurrentTimers, HeartbeatResult, TimerState, TimerView } from "./Timer.js"
import { UsageSummary } from "./Usage.js"

/**
 * Shaped encoders of the hook's answers (HeartbeatResult, CurrentTimers, TimerView): the JSON that
 * `Schema.encode` gives, without walking the schema on every request (on the heartbeat's path the walk cost about
 * as much as the rest of the answer's encoding). Each checks what the schema's encoding checks, with the schema's
 * own leaf checks, and gives up (`undefined`) on anything else, for the schema to encode or refuse it: a value
 * the schema would refuse is never encoded here. A property test holds them to the schema's output.
 */
export type ShapedEncoder = (value: unknown) => unknown

const isTimerId = Schema.is(TimerId)
const isProjectId = Schema.is(ProjectId)
const isTaskId = Schema.is(TaskId)
const isSource = Schema.is(Source)
const isState = Schema.is(TimerState)
const isUtc = Schema.is(Schema.DateTimeUtc)
const isInt = Schema.is(Schema.Int)
const isNumber = (u: unknown): u is number => typeof u === "number"

const strings = (list: unknown): ReadonlyArray<string> | undefined => {
  if (!Array.isArray(list)) return undefined
  for (const item of list) if (typeof item !== "string") return undefined
  return list.slice()
}

const usage = (u: unknown) => {
  if (!(u instanceof UsageSummary)) return undefined
  if (!isInt(u.requests) || !isInt(u.inputTokens) || !isInt(u.outputTokens) || !isInt(u.cacheReadTokens) ||
    !isInt(u.cacheCreationTokens) || !isNumber(u.costUsd)) return undefined
  const models = strings(u.models)
  const unpricedModels = strings(u.unpricedModels)
  if (models === undefined || unpricedModels === undefined) return undefined
  return {
    requests: u.requests,
    inputTokens: u.inputTokens,
    outputTokens: u.outputTokens,
    cacheReadTokens: u.cacheReadTokens,
    cacheCreationTokens: u.cacheCreationTokens,
    costUsd: u.costUsd,
    models,
    unpricedModels
  }
}

const timerView = (v: unknown) => {
  if (!(v instanceof TimerView)) return undefined
  if (!isTimerId(v.id) || !isProjectId(v.projectId) || typeof v.projectName !== "string" ||
    !(v.taskId === null || isTaskId(v.taskId)) || !(v.description === null || typeof v.description === "string") ||
    !isSource(v.source) || !isState(v.state) || !isUtc(v.startedAt) || !isUtc(v.lastActivityAt) ||
    !isNumber(v.elapsedSeconds) || !isNumber(v.heartbeats) || !isNumber(v.sessions) || !isNumber(v.pauses)) return undefined
  const used = usage(v.usage)
  if (used === undefined) return undefined
  return {
    id: v.id,
    projectId: v.projectId,
    projectName: v.projectName,
    taskId: v.taskId,
    description: v.description,
    source: v.source,
    state: v.state,
    startedAt: DateTime.formatIso(v.startedAt),
    lastActivityAt: DateTime.formatIso(v.lastActivityAt),
    elapsedSeconds: v.elapsedSeconds,
    heartbeats: v.heartbeats,
    sessions: v.sessions,
    pauses: v.pauses,
    usage: used
  }
}

const timerViews = (list: unknown) => {
  if (!Array.isArray(list)) return undefined
  const out = new Array(list.length)
  for (let i = 0; i < list.length; i++) {
    const view = timerView(list[i])
    if (view === undefined) return undefined
    out[i] = view
  }
  return out
}

/** A heartbeat that extended an entry is rare: its answer is left to the schema. */
const heartbeatResult = (r: unknown) => {
  if (!(r instanceof HeartbeatResult) || r.extended !== null || !isUtc(r.at)) return undefined
  const touched = timerViews(r.touched)
  const started = r.started === null ? null : timerView(r.started)
  if (touched === undefined || started === undefined) return undefined
  return { touched, started, extended: null, at: DateTime.formatIso(r.at) }
}

const currentTimers = (c: unknown) => {
  if (!(c instanceof CurrentTimers)) return undefined
  const timers = timerViews(c.timers)
  return timers === undefined ? undefined : { timers }
}

const shaped = new Map<Schema.Schema.Any, ShapedEncoder>([
  [TimerView, timerView],
  [HeartbeatResult, heartbeatResult],
  [CurrentTimers, currentTimers]
])

/** The shaped encoder of an answer's schema, if it has one. */
export const shapedEncoderOf = (schema: Schema.Schema.Any): ShapedEncoder | undefined => shaped.get(schema)
