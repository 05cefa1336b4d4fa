import { HttpApiSchema } from "@effect/platform"
import { DateTime, Schema } from "effect"
import { Source } from "./Actor.js"
import { Entry } from "./Entry.js"
import { ProjectId, TaskId, TimerId, UserId, WorkspaceId } from "./Ids.js"
import { ProjectName } from "./Project.js"
import { Instant, NullableTimestamp, Timestamp } from "./Timestamp.js"
import { Description, Text } from "./Text.js"
import { strict } from "./Strict.js"
import { UsageSummary } from "./Usage.js"
import { HookUsageList } from "./HookUsage.js"

export const TimerState = Schema.Literal("running", "paused")
export type TimerState = typeof TimerState.Type

/** The git branch of the AI tool's working directory, as the hook reads it. */
export const GitBranch = Text.pipe(Schema.minLength(1), Schema.maxLength(255)).annotations({
  description: "The git branch the AI tool works on (the hook reads it from .git/HEAD); kept on the entry as evidence"
})

export class Timer extends Schema.Class<Timer>("Timer")({
  id: TimerId,
  userId: UserId,
  workspaceId: WorkspaceId,
  projectId: ProjectId,
  taskId: Schema.NullOr(TaskId),
  description: Schema.NullOr(Schema.String),
  source: Source,
  state: TimerState,
  startedAt: Timestamp,
  runningSince: NullableTimestamp,
  accumulatedMs: Schema.Number,
  lastActivityAt: Timestamp,
  heartbeatCount: Schema.Number,
  pauseCount: Schema.Number,
  lateHeartbeats: Schema.Number,
  gitBranch: Schema.optionalWith(Schema.NullOr(Schema.String), { default: () => null })
}) {
  /** Running time only: paused stretches never count. */
  elapsedMsAt(now: DateTime.Utc): number {
    const running = this.runningSince === null
      ? 0
      : Math.max(0, DateTime.toEpochMillis(now) - DateTime.toEpochMillis(this.runningSince))
    return this.accumulatedMs + running
  }
}

/** A timer that has run this long (paused stretches do not count) is probably forgotten. */
export const LONG_RUNNING_SECONDS = 12 * 60 * 60

/** A running or paused timer as its user sees it: the fields of TimerView and of the dashboard's timers. */
export const timerViewFields = {
  id: TimerId,
  projectId: ProjectId,
  projectName: Schema.String,
  taskId: Schema.NullOr(TaskId),
  description: Schema.NullOr(Schema.String),
  source: Source,
  state: TimerState,
  startedAt: Schema.DateTimeUtc,
  lastActivityAt: Schema.DateTimeUtc,
  elapsedSeconds: Schema.Number.annotations({ description: "Running time so far; paused stretches do not count" })
}

/** The values of `timerViewFields` for a timer at `now`. */
export const timerViewOf = (timer: Timer, projectName: string, now: DateTime.Utc) => ({
  id: timer.id,
  projectId: timer.projectId,
  projectName,
  taskId: timer.taskId,
  description: timer.description,
  source: timer.source,
  state: timer.state,
  startedAt: timer.startedAt,
  lastActivityAt: timer.lastActivityAt,
  elapsedSeconds: Math.floor(timer.elapsedMsAt(now) / 1000)
})

/** Absent from timers recorded in events before the counts were part of the answer: they read as 0. */
const count = (description: string) =>
  Schema.optionalWith(Schema.Number, { default: () => 0 }).annotations({ description })

const timerEvidenceFields = {
  heartbeats: count("Heartbeats the timer received so far (evidence)"),
  sessions: count("AI tool sessions that worked on the timer so far (evidence)"),
  pauses: count("Times the timer was paused"),
  usage: Schema.optionalWith(UsageSummary, { default: () => UsageSummary.empty }).annotations({
    description: "The AI usage reported for the timer's sessions so far"
  })
}

export class TimerView extends Schema.Class<TimerView>("TimerView")({
  ...timerViewFields,
  ...timerEvidenceFields
}) {}

/**
 * The timer a `timer.stopped` event reports, as it stopped. Only here is a timer "stopped": every other answer
 * shows a live timer. The older states stay readable for the events recorded before the stop said so.
 */
export class StoppedTimerView extends Schema.Class<StoppedTimerView>("StoppedTimerView")({
  ...timerViewFields,
  state: Schema.Literal("stopped", "running", "paused").annotations({
    description: "\"stopped\"; events recorded before it said so carry the state the timer had when it stopped"
  }),
  elapsedSeconds: Schema.Number.annotations({ description: "The timer's running time when it stopped; paused stretches do not count" }),
  ...timerEvidenceFields
}) {}

/** How far back an event's `at` may lie: events queued longer than this are refused. */
export const EVENT_MAX_AGE_HOURS = 24
/** How far ahead of the server's clock an event's `at` may lie (a client clock running fast); it then counts as now. */
export const EVENT_CLOCK_SKEW_SECONDS = 120

const At = Instant.annotations({
  description: "When the event happened (ISO 8601 with Z or an offset), default now: at most " +
    `${EVENT_MAX_AGE_HOURS} hours ago, at most ${EVENT_CLOCK_SKEW_SECONDS} seconds ahead of the server's clock ` +
    "(counted as now), and never before the timer's start. Hooks send it for events queued while the server was unreachable."
})

const UsedAt = Schema.DateTimeUtc.annotations({ description: "The time the server recorded for this event" })

export class StartedTimer extends TimerView.extend<StartedTimer>("StartedTimer")({
  alreadyRunning: Schema.Boolean.annotations({
    description: "true when this project's timer was already running and was returned instead of a new one"
  }),
  at: UsedAt,
  clampedFrom: Schema.optional(Schema.DateTimeUtc).annotations({
    description: "Present when the `at` sent fell inside or before an entry of yours on this project: entries never " +
      "overlap, so the timer starts at that entry's end (`at`, at most now) instead of the time sent, given here"
  })
}) {}

export class CurrentTimers extends Schema.Class<CurrentTimers>("CurrentTimers")({
  timers: Schema.Array(TimerView)
}) {}

const SessionId = Text.pipe(Schema.minLength(1), Schema.maxLength(200)).annotations({
  description: "The AI tool's session id; a timer shared by sessions stops when the last one ends"
})

export const StartTimer = Schema.Struct({
  projectId: Schema.optional(ProjectId),
  projectName: Schema.optional(ProjectName),
  fallbackProjectId: Schema.optional(ProjectId),
  autoCreate: Schema.optional(Schema.Boolean),
  description: Schema.optional(Description),
  taskId: Schema.optional(TaskId),
  source: Schema.optional(Source),
  sessionId: Schema.optional(SessionId),
  gitBranch: Schema.optional(GitBranch),
  at: Schema.optional(At)
}).annotations({ identifier: "StartTimer", ...strict })
export type StartTimer = typeof StartTimer.Type

const ProjectRef = {
  projectId: Schema.optional(ProjectId.annotations({ description: "The project whose timer is meant" })),
  projectName: Schema.optional(ProjectName.annotations({ description: "Or the project's name, matched loosely" }))
}

export const StopTimer = Schema.Struct({
  ...ProjectRef,
  sessionId: Schema.optional(SessionId),
  reason: Schema.optional(Schema.Literal("manual", "session_end").annotations({
    description: "Why the timer stops; default session_end when sessionId is given, else manual"
  })),
  at: Schema.optional(At),
  usage: Schema.optional(HookUsageList)
}).annotations({ identifier: "StopTimer", ...strict })
export type StopTimer = typeof StopTimer.Type

/** Which timer: by project, or the only one when neither is given. */
export const TimerRef = Schema.Struct(ProjectRef).annotations({
  identifier: "TimerRef",
  ...strict
})
export type TimerRef = typeof TimerRef.Type
export const TimerRefBody = Schema.NullOr(TimerRef)

export const Heartbeat = Schema.Struct({
  ...ProjectRef,
  sessionId: Schema.optional(SessionId),
  autoStart: Schema.optional(Schema.Boolean.annotations({
    description: "With projectName: start a timer when the project has none (e.g. after the watchdog stopped it)"
  })),
  autoCreate: Schema.optional(Schema.Boolean),
  source: Schema.optional(Source),
  description: Schema.optional(Description),
  gitBranch: Schema.optional(GitBranch),
  at: Schema.optional(At),
  since: Schema.optional(Instant.annotations({
    description: "With at: the first activity of an unbroken stretch that ends at `at` (no gap longer than the " +
      "workspace's idle timeout), as a client flushes what it queued during an outage. Same bounds as at."
  })),
  count: Schema.optional(Schema.Int.pipe(Schema.between(1, 1_000_000)).annotations({
    description: "How many hook events this heartbeat stands for (a flushed stretch); default 1"
  })),
  usage: Schema.optional(HookUsageList)
}).annotations({ identifier: "Heartbeat", ...strict })
export type Heartbeat = typeof Heartbeat.Type
export const HeartbeatBody = Schema.NullOr(Heartbeat)

export class HeartbeatResult extends Schema.Class<HeartbeatResult>("HeartbeatResult")({
  touched: Schema.Array(TimerView),
  started: Schema.NullOr(TimerView),
  extended: Schema.NullOr(Entry).annotations({
    description: "An entry the watchdog had stopped as idle that this late heartbeat extended to `at`"
  }),
  at: UsedAt
}) {}

export const UpdateTimer = Schema.Struct({
  currentProjectId: ProjectId.annotations({ description: "The project the timer runs on now" }),
  projectId: Schema.optional(ProjectId.annotations({ description: "Move the timer to this project" })),
  description: Schema.optional(Schema.NullOr(Description)),
  taskId: Schema.optional(Schema.NullOr(TaskId)),
  split: Schema.optional(Schema.Boolean.annotations({
    description: "When moving: log the time so far on the current project (stop reason replaced) and continue on the new one"
  }))
}).annotations({ identifier: "UpdateTimer", ...strict })
export type UpdateTimer = typeof UpdateTimer.Type

/** A session ended but others still work on the project, so the timer keeps running. */
export class TimerKept extends Schema.Class<TimerKept>("TimerKept")({
  stopped: Schema.Literal(false),
  timer: TimerView,
  activeSessions: Schema.Number,
  message: Schema.String,
  at: UsedAt
}) {}

/** Hooks send no body at all (`Content-Length: 0`), which arrives as null. */
export const StopTimerBody = Schema.NullOr(StopTimer)

export class TimerNotRunning extends Schema.TaggedError<TimerNotRunning>()(
  "TimerNotRunning",
  { code: Schema.tag("timer_not_running"), message: Schema.String },
  HttpApiSchema.annotations({ status: 404 })
) {
  static readonly nextStep = (): string =>
    "Call clockme_status to see your running and paused timers, or clockme_start_timer to start one."
}

export class TimerExists extends Schema.TaggedError<TimerExists>()(
  "TimerExists",
  { code: Schema.tag("timer_exists"), projectId: ProjectId, message: Schema.String },
  HttpApiSchema.annotations({ status: 409 })
) {
  static readonly nextStep = (error: TimerExists): string =>
    `Stop the timer on that project first (clockme_stop_timer {"projectId": "${error.projectId}"}) or pick another project.`
}

export class AmbiguousTimer extends Schema.TaggedError<AmbiguousTimer>()(
  "AmbiguousTimer",
  {
    code: Schema.tag("ambiguous_timer"),
    message: Schema.String,
    timers: Schema.Array(Schema.Struct({ projectId: ProjectId, projectName: Schema.String }))
  },
  HttpApiSchema.annotations({ status: 409 })
) {
  static readonly nextStep = (error: AmbiguousTimer): string =>
    `The timers are: ${error.timers.map((t) => `"${t.projectName}" (projectId ${t.projectId})`).join(", ")}. ` +
    "Call again with the projectId of the one you mean."
}
