import { HttpApiEndpoint, HttpApiGroup, OpenApi } from "@effect/platform"
import { InsufficientScope } from "../Actor.js"
import { Entry } from "../Entry.js"
import { InvalidInput } from "../Errors.js"
import { ProjectArchived, ProjectNotFound } from "../Project.js"
import { TaskNotFound } from "../Task.js"
import { AmbiguousTimer, CurrentTimers, StartedTimer, StartTimer, StopTimerBody, TimerNotRunning } from "../Timer.js"
import { Authentication } from "./Authentication.js"

export class TimerApi extends HttpApiGroup.make("timer")
  .add(HttpApiEndpoint.get("current", "/timer/current").addSuccess(CurrentTimers))
  .add(
    HttpApiEndpoint.post("start", "/timer/start")
      .setPayload(StartTimer)
      .addSuccess(StartedTimer)
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
      .addSuccess(Entry.json)
      .addError(TimerNotRunning)
      .addError(AmbiguousTimer)
      .annotate(
        OpenApi.Description,
        "Stop a timer and record the entry. The body is optional: with none, the only running timer is stopped."
      )
  )
  .addError(InsufficientScope)
  .middleware(Authentication)
  .prefix("/api")
  .annotate(OpenApi.Title, "Timer")
{}
