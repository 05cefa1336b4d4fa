import { SqlClient } from "@effect/sql"
import { DateTime, Effect, Option } from "effect"
import { CurrentActor, requireScope } from "../Actor.js"
import type { StopReason } from "../Entry.js"
import { InvalidInput } from "../Errors.js"
import { matchProjectName } from "../ProjectMatch.js"
import { EntriesRepo } from "../repos/EntriesRepo.js"
import { TimersRepo } from "../repos/TimersRepo.js"
import type { TimerRow } from "../repos/TimersRepo.js"
import { AmbiguousTimer, CurrentTimers, StartedTimer, TimerNotRunning, TimerView } from "../Timer.js"
import type { StartTimer, StopTimer } from "../Timer.js"
import { Projects } from "./Projects.js"
import { Tasks } from "./Tasks.js"

const toView = (row: TimerRow, now: DateTime.Utc) =>
  new TimerView({
    id: row.timer.id,
    projectId: row.timer.projectId,
    projectName: row.projectName,
    taskId: row.timer.taskId,
    description: row.timer.description,
    source: row.timer.source,
    state: row.timer.state,
    startedAt: row.timer.startedAt,
    lastActivityAt: row.timer.lastActivityAt,
    elapsedSeconds: Math.floor(row.timer.elapsedMsAt(now) / 1000)
  })

export class Timers extends Effect.Service<Timers>()("@clockme/domain/Timers", {
  effect: Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const repo = yield* TimersRepo
    const entries = yield* EntriesRepo
    const projects = yield* Projects
    const tasks = yield* Tasks
    const transactional = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
      sql.withTransaction(effect).pipe(Effect.catchTag("SqlError", Effect.die))

    const start = Effect.fn("Timers.start")(function*(input: StartTimer) {
      const actor = yield* requireScope("write")
      if (input.projectId === undefined && input.projectName === undefined && input.fallbackProjectId === undefined) {
        return yield* new InvalidInput({ field: "projectId", message: "Give projectId or projectName" })
      }
      const project = yield* projects.resolve(input)
      const task = input.taskId === undefined ? null : yield* tasks.getInProject(input.taskId, project.id)
      const now = yield* DateTime.now
      const created = yield* repo.insertIfAbsent({
        userId: actor.userId,
        workspaceId: actor.workspaceId,
        projectId: project.id,
        taskId: task?.id ?? null,
        description: input.description ?? null,
        source: input.source ?? actor.source,
        now: DateTime.toDate(now)
      })
      const row = yield* repo.findForProject(actor.userId, project.id).pipe(Effect.flatMap(Effect.orDie))
      return new StartedTimer({ ...toView(row, now), alreadyRunning: !created })
    }, transactional)

    const pick = Effect.fn("Timers.pick")(function*(running: ReadonlyArray<TimerRow>, input: StopTimer) {
      if (input.projectId !== undefined) {
        const found = running.find((row) => row.timer.projectId === input.projectId)
        if (found) return found
        return yield* new TimerNotRunning({ message: `No timer is running on project ${input.projectId}` })
      }
      if (input.projectName !== undefined) {
        const named = running.map((row) => ({ name: row.projectName, row }))
        const found = matchProjectName(input.projectName, named).match
        if (found) return found.row
        return yield* new TimerNotRunning({ message: `No timer is running on a project matching "${input.projectName}"` })
      }
      if (running.length === 0) return yield* new TimerNotRunning({ message: "No timer is running" })
      if (running.length > 1) {
        return yield* new AmbiguousTimer({
          message: `${running.length} timers are running; say which with projectId or projectName`,
          timers: running.map((row) => ({ projectId: row.timer.projectId, projectName: row.projectName }))
        })
      }
      return running[0]!
    })

    /** Turns the timer into an entry and removes it, in one transaction; a lost race returns the winner's entry. */
    const stop = Effect.fn("Timers.stop")(function*(input: StopTimer, reason: StopReason = "manual") {
      const actor = yield* requireScope("write")
      const running = yield* repo.listForUser(actor.userId, actor.workspaceId)
      const target = yield* pick(running, input)
      const timer = target.timer
      const deleted = yield* repo.deleteById(timer.id)
      if (!deleted) {
        const entry = yield* entries.findByTimer(timer.id)
        if (Option.isSome(entry)) return entry.value
        return yield* new TimerNotRunning({ message: `The timer on "${target.projectName}" was already stopped` })
      }
      const project = yield* projects.get(timer.projectId).pipe(Effect.orDie)
      const now = yield* DateTime.now
      const durationSeconds = Math.round(timer.elapsedMsAt(now) / 1000)
      const wallSeconds = Math.round(DateTime.distance(timer.startedAt, now) / 1000)
      const { entry } = yield* entries.insert({
        workspaceId: timer.workspaceId,
        userId: timer.userId,
        projectId: timer.projectId,
        taskId: timer.taskId,
        timerId: timer.id,
        description: timer.description,
        startTime: DateTime.toDate(timer.startedAt),
        endTime: DateTime.toDate(now),
        durationSeconds,
        pausedSeconds: Math.max(0, wallSeconds - durationSeconds),
        billable: project.billable,
        source: timer.source,
        stopReason: reason,
        idempotencyKey: null,
        now: DateTime.toDate(now)
      })
      return entry
    }, transactional)

    const current = Effect.gen(function*() {
      const actor = yield* CurrentActor
      const now = yield* DateTime.now
      const rows = yield* repo.listForUser(actor.userId, actor.workspaceId)
      return new CurrentTimers({ timers: rows.map((row) => toView(row, now)) })
    }).pipe(Effect.withSpan("Timers.current"))

    return { start, stop, current } as const
  }),
  dependencies: [TimersRepo.Default, EntriesRepo.Default, Projects.Default, Tasks.Default]
}) {}
