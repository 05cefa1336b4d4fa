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
import { McpTool, readOnly } from "./McpTool.js"

const which = {
  projectId: "The project whose timer is meant (a UUID from clockme_status or clockme_list_projects). " +
    "Omit both projectId and projectName when only one timer qualifies.",
  projectName: "Or the project's name, matched loosely like clockme_start_timer does. Omit to use projectId, " +
    "or neither when only one timer qualifies."
}

export class TimerApi extends HttpApiGroup.make("timer")
  .add(
    HttpApiEndpoint.get("current", "/timer/current")
      .addSuccess(CurrentTimers)
      .annotate(OpenApi.Description, "Every running or paused timer of yours, with elapsedSeconds (paused time excluded)")
      .annotate(McpTool, {
        name: "clockme_status",
        title: "Running timers",
        description: "All your running and paused timers in the active workspace with elapsedSeconds (paused time " +
          "excluded), project, description, state and the AI usage so far (tokens, costUsd, models). An empty list " +
          "means nothing is being tracked.",
        ...readOnly,
        params: {}
      })
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
      .annotate(McpTool, {
        name: "clockme_start_timer",
        title: "Start a timer",
        description: "Start tracking time on a project now, by projectId or by projectName. projectName is matched " +
          "loosely: exact ignoring case, then ignoring spaces, dashes, underscores and punctuation, then the closest " +
          "name; autoCreate makes the project when it is new. Several projects can run at once; starting a project " +
          "that already runs returns its timer with alreadyRunning: true. Timers started here have source \"mcp\"; " +
          "the server stops an mcp timer that sees no activity for the workspace's idle timeout (30 minutes by " +
          "default), ending it at its last activity. Stop it with clockme_stop_timer when the work is done.",
        // A repeat returns the running timer (alreadyRunning: true) and, with autoCreate, the project made the first time.
        destructive: false,
        idempotent: true,
        params: {
          projectId: "The project's id (a UUID from clockme_list_projects). Give this or projectName.",
          projectName: "The project's name, e.g. the repository's folder name; matched loosely (case, spaces, " +
            "dashes, underscores and small typos do not matter). Give this or projectId. With no match the call " +
            "fails listing the closest names, unless autoCreate is true.",
          autoCreate: "With projectName: create a project of exactly that name when no project has it (fuzzy " +
            "matching is then off, so \"repo-a\" never lands on \"repo-b\"). Default false.",
          description: "What the time is for, up to 2000 characters; it becomes the entry's description. Omit for none.",
          taskId: "A task of the same project to track against (a UUID from clockme_list_tasks). Omit for none."
        }
      })
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
      .annotate(McpTool, {
        name: "clockme_stop_timer",
        title: "Stop a timer",
        description: "Stop a running or paused timer and record its time as a completed entry (paused time is not " +
          "counted); returns the entry with durationSeconds. With no arguments it stops your only timer; when " +
          "several run, the call fails listing them, so call again with projectId.",
        destructive: false,
        idempotent: false,
        params: which
      })
  )
  .add(
    HttpApiEndpoint.post("pause", "/timer/pause")
      .setPayload(TimerRefBody)
      .setHeaders(IdempotencyKeyHeader)
      .addSuccess(TimerView)
      .addError(TimerNotRunning)
      .addError(AmbiguousTimer)
      .annotate(OpenApi.Description, "Pause a running timer; paused time never counts. Body optional.")
      .annotate(McpTool, {
        name: "clockme_pause_timer",
        title: "Pause a timer",
        description: "Pause a running timer: the time until clockme_resume_timer is not counted. With no arguments " +
          "it pauses your only running timer; when several run, the call fails listing them.",
        destructive: false,
        idempotent: false,
        params: which
      })
  )
  .add(
    HttpApiEndpoint.post("resume", "/timer/resume")
      .setPayload(TimerRefBody)
      .setHeaders(IdempotencyKeyHeader)
      .addSuccess(TimerView)
      .addError(TimerNotRunning)
      .addError(AmbiguousTimer)
      .annotate(OpenApi.Description, "Resume a paused timer. Body optional.")
      .annotate(McpTool, {
        name: "clockme_resume_timer",
        title: "Resume a timer",
        description: "Resume a paused timer; it counts again from now. With no arguments it resumes your only " +
          "paused timer; when several are paused, the call fails listing them.",
        destructive: false,
        idempotent: false,
        params: which
      })
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
      .annotate(McpTool, {
        name: "clockme_update_timer",
        title: "Edit a running timer",
        description: "Change a running timer's description or task, or move it to another project. The timer " +
          "keeps its start time unless split is true.",
        destructive: true,
        idempotent: true,
        params: {
          currentProjectId: "The project the timer runs on now (a UUID from clockme_status). Required.",
          projectId: "Move the timer to this project (a UUID from clockme_list_projects). Omit to keep the project.",
          description: "The new description, up to 2000 characters; null clears it. Omit to keep it.",
          taskId: "A task of the (new) project, a UUID from clockme_list_tasks; null clears it. Omit to keep the " +
            "task (moving to another project clears it).",
          split: "When moving: true records the time so far as an entry on the current project and starts a fresh " +
            "timer on the new one; false or omitted moves the whole timer."
        }
      })
  )
  .addError(InsufficientScope)
  .addError(Conflict)
  .middleware(Authentication)
  .prefix("/api")
  .annotate(OpenApi.Title, "Timer")
{}
