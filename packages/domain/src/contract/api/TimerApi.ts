import { HttpApiEndpoint, HttpApiGroup, OpenApi } from "@effect/platform"
import { InsufficientScope } from "../Actor.js"
import { BudgetExhausted } from "../Budget.js"
import { Entry } from "../Entry.js"
import { Conflict, InvalidInput } from "../Errors.js"
import { ProjectArchived, ProjectNotFound } from "../Project.js"
import { TaskNotFound } from "../Task.js"
import {
  AmbiguousTimer,
  CurrentTimers,
  HeartbeatBody,
  HeartbeatResult,
  StartedTimer,
  StartTimer,
  StopTimerBody,
  TimerExists,
  TimerKept,
  TimerNotRunning,
  TimerRefBody,
  TimerView,
  UpdateTimer
} from "../Timer.js"
import { Authentication } from "./Authentication.js"
import { IdempotencyKeyHeader } from "./IdempotencyKeyHeader.js"

export class TimerApi extends HttpApiGroup.make("timer")
  .add(
    HttpApiEndpoint.get("current", "/timer/current")
      .addSuccess(CurrentTimers)
      .annotate(OpenApi.Description, "Every running or paused timer of yours, with elapsedSeconds (paused time excluded)")
  )
  .add(
    HttpApiEndpoint.post("start", "/timer/start")
      .setPayload(StartTimer)
      .setHeaders(IdempotencyKeyHeader)
      .addSuccess(StartedTimer)
      .addError(BudgetExhausted)
      .addError(ProjectNotFound)
      .addError(ProjectArchived)
      .addError(TaskNotFound)
      .addError(InvalidInput)
      .annotate(
        OpenApi.Description,
        "Start a timer by projectId or projectName (fuzzy). Starting a project that already runs returns that timer with alreadyRunning: true."
      )
  )
  .add(
    HttpApiEndpoint.post("stop", "/timer/stop")
      .setPayload(StopTimerBody)
      .setHeaders(IdempotencyKeyHeader)
      .addSuccess(Entry)
      .addSuccess(TimerKept, { status: 202 })
      .addError(TimerNotRunning)
      .addError(AmbiguousTimer)
      .addError(InvalidInput)
      .annotate(
        OpenApi.Description,
        "Stop a timer and record the entry. The body is optional: with none, the only running timer is stopped. " +
          "With a sessionId, the timer keeps running (202) while other sessions still work on the project. " +
          "With at (a stop queued during an outage), the entry ends then; when the watchdog already stopped the " +
          "timer as idle, that entry is extended to at instead."
      )
  )
  .add(
    HttpApiEndpoint.post("pause", "/timer/pause")
      .setPayload(TimerRefBody)
      .setHeaders(IdempotencyKeyHeader)
      .addSuccess(TimerView)
      .addError(TimerNotRunning)
      .addError(AmbiguousTimer)
      .annotate(OpenApi.Description, "Pause a running timer; paused time never counts. Body optional.")
  )
  .add(
    HttpApiEndpoint.post("resume", "/timer/resume")
      .setPayload(TimerRefBody)
      .setHeaders(IdempotencyKeyHeader)
      .addSuccess(TimerView)
      .addError(TimerNotRunning)
      .addError(AmbiguousTimer)
      .annotate(OpenApi.Description, "Resume a paused timer. Body optional.")
  )
  .add(
    HttpApiEndpoint.post("heartbeat", "/timer/heartbeat")
      .setPayload(HeartbeatBody)
      .addSuccess(HeartbeatResult)
      .addError(BudgetExhausted)
      .addError(TimerNotRunning)
      .addError(ProjectNotFound)
      .addError(ProjectArchived)
      .addError(TaskNotFound)
      .addError(InvalidInput)
      .annotate(
        OpenApi.Description,
        "Record activity. {} touches all your running hook and MCP timers; projectId/projectName just that one; " +
          "with autoStart a project without a timer gets one. With at (and since, count) a client replays activity " +
          "it queued during an outage: it extends the entry the watchdog stopped as idle meanwhile, or runs that " +
          "timer again when the session is still active."
      )
  )
  .add(
    HttpApiEndpoint.patch("update", "/timer")
      .setPayload(UpdateTimer)
      .addSuccess(TimerView)
      .addError(BudgetExhausted)
      .addError(TimerNotRunning)
      .addError(TimerExists)
      .addError(ProjectNotFound)
      .addError(ProjectArchived)
      .addError(TaskNotFound)
      .annotate(OpenApi.Description, "Edit a running timer's description or task, or move it to another project")
  )
  .addError(InsufficientScope)
  .addError(Conflict)
  .middleware(Authentication)
  .prefix("/api")
  .annotate(OpenApi.Title, "Timer")
{}
