import { SqlClient } from "@effect/sql"
import { DateTime, Duration, Effect, Either, Option, Schema } from "effect"
import { CurrentActor } from "../contract/Actor.js"
import type { StopReason } from "../contract/Entry.js"
import { Entry } from "../contract/Entry.js"
import {
  EntryCreated,
  TimerMoved,
  TimerPaused,
  TimerResumed,
  TimerStarted,
  TimerRunningLong,
  TimerStopped,
  TimerUpdated
} from "../contract/Events.js"
import { InvalidInput } from "../contract/Errors.js"
import type { ApiKeyId, ProjectId, UserId, WorkspaceId } from "../contract/Ids.js"
import { matchProjectName } from "../ProjectMatch.js"
import { EntriesRepo } from "../repos/EntriesRepo.js"
import { isUniqueViolation } from "../repos/SqlErrors.js"
import { TimersRepo } from "../repos/TimersRepo.js"
import type { TimerRow, Touch } from "../repos/TimersRepo.js"
import {
  AmbiguousTimer,
  CurrentTimers,
  HeartbeatResult,
  StartedTimer,
  TimerExists,
  TimerKept,
  TimerNotRunning,
  LONG_RUNNING_SECONDS,
  StoppedTimerView,
  TimerView,
  timerViewOf
} from "../contract/Timer.js"
import type { Heartbeat, StartTimer, StopTimer, TimerRef, UpdateTimer } from "../contract/Timer.js"
import { Budgets } from "./Budgets.js"
import { Events } from "./Events.js"
import { eventTime, evidenceTimes, notBeforeStart } from "./EventTime.js"
import { LateEvidence } from "./LateEvidence.js"
import { Idempotency } from "./Idempotency.js"
import { ensureActive, Projects } from "./Projects.js"
import { Tasks } from "./Tasks.js"
import { transactional } from "../sql/Transactional.js"
import { batched } from "./Batch.js"

// Built from rows the repository has decoded, and encoded (so checked) again on the way out: the constructors
// skip a second validation, which cost about 6% of a heartbeat's CPU.
const trusted = true
const toView = (row: TimerRow, now: DateTime.Utc) =>
  new TimerView({
    ...timerViewOf(row.timer, row.projectName, now),
    heartbeats: row.timer.heartbeatCount,
    sessions: row.sessionCount,
    pauses: row.timer.pauseCount,
    usage: row.usage
  }, trusted)

export interface IdempotencyOptions {
  readonly idempotencyKey?: string | undefined
}

const StopOutcome = Schema.Union(Entry, TimerKept)

/** What a heartbeat naming no project and no time changes. */
/**
 * Statements of the batched heartbeat and timer reads in flight at once (services/Batch.ts): a few, so one
 * caller's locked timer holds up only its own batch, and a pool of 10 connections keeps room for the rest.
 */
const BATCHES_IN_FLIGHT = 2
const BATCH_SIZE = 64

/** Sessions unseen for this long no longer keep a shared timer running. */
const SESSION_STALE_MINUTES = 30

export class Timers extends Effect.Service<Timers>()("@clockme/domain/Timers", {
  effect: Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const repo = yield* TimersRepo
    const entries = yield* EntriesRepo
    const projects = yield* Projects
    const tasks = yield* Tasks
    const idempotency = yield* Idempotency
    const budgets = yield* Budgets
    const events = yield* Events
    const lateEvidence = yield* LateEvidence

    const reload = (row: TimerRow) => repo.findById(row.timer.id).pipe(Effect.flatMap(Effect.orDie))

    /**
     * Turns a removed timer into its entry, ending at `end`; the entry keeps what the timer saw. `keyId` is the
     * key of the request that stops it; when the server stops it, the key that started it. A split
     * ("replaced") is published by the caller as TimerMoved, every other reason as TimerStopped.
     */
    const recordEntry = (
      row: TimerRow,
      end: DateTime.Utc,
      reason: StopReason,
      now: DateTime.Utc,
      keyId: ApiKeyId | null = row.createdByKeyId
    ) => {
      const timer = row.timer
      const durationSeconds = Math.round(timer.elapsedMsAt(end) / 1000)
      const wallSeconds = Math.max(0, Math.round(DateTime.distance(timer.startedAt, end) / 1000))
      return entries.insert({
        workspaceId: timer.workspaceId,
        userId: timer.userId,
        projectId: timer.projectId,
        taskId: timer.taskId,
        timerId: timer.id,
        description: timer.description,
        startTime: DateTime.toDate(timer.startedAt),
        endTime: DateTime.toDate(DateTime.max(end, timer.startedAt)),
        durationSeconds,
        pausedSeconds: Math.max(0, wallSeconds - durationSeconds),
        billable: row.projectBillable,
        source: timer.source,
        stopReason: reason,
        idempotencyKey: null,
        createdByKeyId: keyId,
        evidence: {
          heartbeats: timer.heartbeatCount,
          sessions: row.sessionCount,
          pauses: timer.pauseCount,
          firstActivityAt: DateTime.toDate(timer.startedAt),
          lastActivityAt: DateTime.toDate(timer.lastActivityAt),
          lateHeartbeats: timer.lateHeartbeats,
          sessionIds: row.sessionIds,
          gitBranch: timer.gitBranch
        },
        now: DateTime.toDate(now)
      }).pipe(
        Effect.map(({ entry }) => entry),
        Effect.tap((entry) =>
          reason === "replaced" ? Effect.void : events.publish(
            new TimerStopped({
              occurredAt: now,
              workspaceId: timer.workspaceId,
              userId: timer.userId,
              timer: new StoppedTimerView({ ...toView(row, end), state: "stopped" }, trusted),
              reason,
              entry
            })
          )
        ),
        Effect.tap((entry) =>
          events.publish(new EntryCreated({ occurredAt: now, workspaceId: entry.workspaceId, userId: entry.userId, entry }))
        ),
        Effect.tap((entry) => budgets.recordUsage(entry))
      )
    }

    /**
     * Where a backdated start may begin: entries of one user on one project never overlap, so a start inside or
     * before one of them moves to the latest one's end (never past now). A refusal would lose what a hook queued.
     */
    const notOverlapping = (userId: UserId, projectId: ProjectId, at: DateTime.Utc, now: DateTime.Utc) =>
      Effect.map(
        entries.latestEndAfter(userId, projectId, DateTime.toDate(at)),
        Option.match({ onNone: () => at, onSome: (end) => DateTime.max(at, DateTime.min(DateTime.unsafeMake(end), now)) })
      )

    const startNow = Effect.fn("Timers.startNow")(function*(input: StartTimer) {
      const actor = yield* CurrentActor
      if (input.projectId === undefined && input.projectName === undefined && input.fallbackProjectId === undefined) {
        return yield* new InvalidInput({ field: "projectId", message: "Give projectId or projectName" })
      }
      const project = yield* projects.resolve(input)
      yield* budgets.ensureCanTrack(project.id)
      const task = input.taskId === undefined ? null : yield* tasks.getInProject(input.taskId, project.id)
      const now = yield* DateTime.now
      const sent = yield* eventTime(input.at, now)
      const at = input.at === undefined ? sent : yield* notOverlapping(actor.userId, project.id, sent, now)
      const created = yield* repo.insertIfAbsent({
        userId: actor.userId,
        workspaceId: actor.workspaceId,
        projectId: project.id,
        taskId: task?.id ?? null,
        description: input.description ?? null,
        source: input.source ?? actor.source,
        createdByKeyId: actor.keyId,
        gitBranch: input.gitBranch,
        now: DateTime.toDate(at)
      })
      const found = yield* repo.findForProject(actor.userId, actor.workspaceId, project.id).pipe(Effect.flatMap(Effect.orDie))
      // read again so that the answer counts the session (and the usage it claims)
      const row = input.sessionId === undefined ? found : yield* repo.recordSession(found.timer.id, input.sessionId, DateTime.toDate(at)).pipe(
        Effect.zipRight(reload(found))
      )
      if (created) {
        yield* events.publish(
          new TimerStarted({ occurredAt: at, workspaceId: actor.workspaceId, userId: actor.userId, timer: toView(row, now) })
        )
      }
      const clamped = created && DateTime.greaterThan(at, sent)
      return new StartedTimer({ ...toView(row, now), alreadyRunning: !created, at, ...(clamped ? { clampedFrom: sent } : {}) })
    }, transactional(sql))

    const start = (input: StartTimer, options: IdempotencyOptions = {}) =>
      idempotency.once(options.idempotencyKey, "timer.start", StartedTimer, startNow(input))

    const pick = Effect.fn("Timers.pick")(function*(timers: ReadonlyArray<TimerRow>, ref: TimerRef, what: string) {
      if (ref.projectId !== undefined) {
        const found = timers.find((row) => row.timer.projectId === ref.projectId)
        if (found) return found
        return yield* new TimerNotRunning({ message: `No timer is ${what} on project ${ref.projectId}` })
      }
      if (ref.projectName !== undefined) {
        const named = timers.map((row) => ({ name: row.projectName, row }))
        const found = matchProjectName(ref.projectName, named).match
        if (found) return found.row
        return yield* new TimerNotRunning({ message: `No timer is ${what} on a project matching "${ref.projectName}"` })
      }
      if (timers.length === 0) return yield* new TimerNotRunning({ message: `No timer is ${what}` })
      if (timers.length > 1) {
        return yield* new AmbiguousTimer({
          message: `${timers.length} timers are ${what}; say which with projectId or projectName`,
          timers: timers.map((row) => ({ projectId: row.timer.projectId, projectName: row.projectName }))
        })
      }
      return timers[0]!
    })

    /**
     * A heartbeat with `at` on a project, replayed as if it had arrived on time: a timer idle for longer than
     * the idle timeout before `since` is stopped at its last activity first; with no timer, the entry the
     * watchdog stopped as idle is extended (or runs again). Undefined: go on as for any heartbeat.
     */
    const lateHeartbeat = Effect.fn("Timers.lateHeartbeat")(function*(
      projectId: ProjectId,
      sessionId: string | undefined,
      t: { readonly at: DateTime.Utc; readonly since: DateTime.Utc; readonly count: number; readonly now: DateTime.Utc }
    ) {
      const actor = yield* CurrentActor
      const activity = {
        userId: actor.userId,
        workspaceId: actor.workspaceId,
        projectId,
        sessionId,
        since: t.since,
        at: t.at,
        heartbeats: t.count,
        now: t.now
      }
      const current = yield* repo.findForProject(actor.userId, actor.workspaceId, projectId)
      if (Option.isSome(current)) {
        const row = current.value
        if (DateTime.lessThan(t.at, row.timer.startedAt)) {
          const late = yield* lateEvidence.extendIdleEntry({ ...activity, mayReopen: false, endBy: row.timer.startedAt })
          if (Option.isSome(late) && late.value._tag === "Extended") {
            return new HeartbeatResult({ touched: [], started: null, extended: late.value.entry, at: t.at })
          }
          return yield* notBeforeStart(t.at, row.timer.startedAt, row.projectName).pipe(Effect.as(undefined))
        }
        const idleMs = (yield* lateEvidence.idleTimeoutOf(actor.workspaceId)) * 60_000
        const stale = row.timer.state === "running" && (row.timer.source === "hook" || row.timer.source === "mcp") &&
          DateTime.distance(row.timer.lastActivityAt, t.since) > idleMs
        if (!stale) return undefined
        if (yield* repo.deleteById(row.timer.id)) yield* recordEntry(row, row.timer.lastActivityAt, "idle", t.now)
      }
      const late = yield* lateEvidence.extendIdleEntry({ ...activity, mayReopen: true })
      if (Option.isNone(late)) return undefined
      if (late.value._tag === "Extended") {
        return new HeartbeatResult({ touched: [], started: null, extended: late.value.entry, at: t.at })
      }
      const reopened = yield* repo.findById(late.value.timerId).pipe(Effect.flatMap(Effect.orDie))
      yield* events.publish(
        new TimerStarted({
          occurredAt: t.now,
          workspaceId: actor.workspaceId,
          userId: actor.userId,
          timer: toView(reopened, t.now)
        })
      )
      return new HeartbeatResult({ touched: [], started: toView(reopened, t.now), extended: null, at: t.at })
    })

    /** A late stop for a timer the watchdog already stopped as idle: its entry ends at `at` instead. */
    const lateStop = Effect.fn("Timers.lateStop")(function*(
      input: StopTimer,
      at: DateTime.Utc,
      reason: StopReason,
      now: DateTime.Utc
    ) {
      const actor = yield* CurrentActor
      const projectId = input.projectId ??
        (input.projectName === undefined ? undefined : (yield* projects.findMatching(input.projectName))?.id)
      if (projectId === undefined) return Option.none<Entry>()
      const late = yield* lateEvidence.extendIdleEntry({
        userId: actor.userId,
        workspaceId: actor.workspaceId,
        projectId,
        sessionId: input.sessionId,
        since: at,
        at,
        heartbeats: 0,
        now,
        mayReopen: false,
        stopReason: reason
      })
      return Option.flatMap(late, (outcome) => outcome._tag === "Extended" ? Option.some(outcome.entry) : Option.none())
    })

    /**
     * Turns the timer into an entry and removes it, in one transaction; a lost race returns the winner's
     * entry. With a sessionId, the timer keeps running while other sessions still work on it.
     */
    const stopNow = Effect.fn("Timers.stopNow")(function*(input: StopTimer) {
      const actor = yield* CurrentActor
      const now = yield* DateTime.now
      const at = yield* eventTime(input.at, now)
      const reason: StopReason = input.reason ?? (input.sessionId === undefined ? "manual" : "session_end")
      const timers = yield* repo.listForUser(actor.userId, actor.workspaceId)
      const picked = yield* Effect.either(pick(timers, input, "running"))
      if (Either.isLeft(picked)) {
        const late = picked.left._tag === "TimerNotRunning" && input.at !== undefined
          ? yield* lateStop(input, at, reason, now)
          : Option.none<Entry>()
        if (Option.isSome(late)) return late.value
        return yield* picked.left
      }
      const target = picked.right
      yield* notBeforeStart(at, target.timer.startedAt, target.projectName)
      if (input.sessionId !== undefined) {
        const others = yield* repo.endSession(
          target.timer.id,
          input.sessionId,
          DateTime.toDate(at),
          DateTime.toDate(DateTime.subtract(at, { minutes: SESSION_STALE_MINUTES }))
        )
        if (others > 0) {
          return new TimerKept({
            stopped: false,
            timer: toView(target, now),
            activeSessions: others,
            message: `Session ended; the timer on "${target.projectName}" keeps running for ${others} other session(s)`,
            at
          })
        }
      }
      const deleted = yield* repo.deleteById(target.timer.id)
      if (!deleted) {
        const entry = yield* entries.findByTimer(target.timer.id)
        if (Option.isSome(entry)) return entry.value
        return yield* new TimerNotRunning({ message: `The timer on "${target.projectName}" was already stopped` })
      }
      return yield* recordEntry(target, at, reason, now, actor.keyId)
    }, transactional(sql))

    const stop = (input: StopTimer, options: IdempotencyOptions = {}) =>
      idempotency.once(options.idempotencyKey, "timer.stop", StopOutcome, stopNow(input))

    /** Pauses a running timer or resumes a paused one; without a project, the only timer in that state. */
    const pauseOrResume = (action: "pause" | "resume") => {
      const from = action === "pause" ? "running" : "paused"
      const change = action === "pause" ? repo.pause : repo.resume
      const Event = action === "pause" ? TimerPaused : TimerResumed
      return Effect.fn(`Timers.${action}Now`)(function*(ref: TimerRef) {
        const actor = yield* CurrentActor
        const now = yield* DateTime.now
        const timers = yield* repo.listForUser(actor.userId, actor.workspaceId)
        const candidates = ref.projectId === undefined && ref.projectName === undefined
          ? timers.filter((row) => row.timer.state === from)
          : timers
        const target = yield* pick(candidates, ref, from)
        const changed = yield* change(target.timer.id, DateTime.toDate(now))
        const view = toView(yield* reload(target), now)
        if (changed) {
          yield* events.publish(new Event({ occurredAt: now, workspaceId: actor.workspaceId, userId: actor.userId, timer: view }))
        }
        return view
      }, transactional(sql))
    }
    const pauseNow = pauseOrResume("pause")
    const resumeNow = pauseOrResume("resume")

    const pause = (ref: TimerRef, options: IdempotencyOptions = {}) =>
      idempotency.once(options.idempotencyKey, "timer.pause", TimerView, pauseNow(ref))

    const resume = (ref: TimerRef, options: IdempotencyOptions = {}) =>
      idempotency.once(options.idempotencyKey, "timer.resume", TimerView, resumeNow(ref))

    const heartbeatNamed = Effect.fn("Timers.heartbeatNamed")(function*(input: Heartbeat) {
      const actor = yield* CurrentActor
      const now = yield* DateTime.now
      const { at, since } = yield* evidenceTimes(input, now)
      const count = input.count ?? 1
      let projectId = input.projectId
      if (projectId === undefined && input.projectName !== undefined) {
        projectId = (yield* projects.findMatching(input.projectName))?.id
        if (projectId === undefined && input.autoStart !== true) {
          return yield* new TimerNotRunning({ message: `No project matches "${input.projectName}"` })
        }
      }
      if (input.at !== undefined && projectId !== undefined) {
        const late = yield* lateHeartbeat(projectId, input.sessionId, { at, since, count, now })
        if (late !== undefined) return late
      }
      const named = input.projectId !== undefined || input.projectName !== undefined
      const touched = named && projectId === undefined
        ? []
        : yield* repo.touch(actor.userId, actor.workspaceId, projectId, DateTime.toDate(at), count, input.sessionId, input.gitBranch)
      if (touched.length > 0 || !named) {
        return new HeartbeatResult({ touched: touched.map((row) => toView(row, now)), started: null, extended: null, at })
      }
      if (input.autoStart !== true) {
        return yield* new TimerNotRunning({ message: "No timer is running on that project; send autoStart: true to start one" })
      }
      const started = yield* startNow({
        projectId,
        projectName: input.projectName,
        autoCreate: input.autoCreate,
        description: input.description,
        source: input.source ?? "hook",
        sessionId: input.sessionId,
        gitBranch: input.gitBranch,
        at: since
      })
      if (count > 1 || DateTime.greaterThan(at, since)) {
        yield* repo.touch(actor.userId, actor.workspaceId, started.projectId, DateTime.toDate(at), count - 1)
      }
      const row = yield* repo.findForProject(actor.userId, actor.workspaceId, started.projectId).pipe(Effect.flatMap(Effect.orDie))
      return new HeartbeatResult({ touched: [], started: toView(row, now), extended: null, at })
    }, transactional(sql))

    /**
     * Heartbeats that arrive while earlier ones are in flight wait and go together in one statement: those of
     * one user, workspace, session and branch summed into one touch, one touch per user and workspace in a
     * statement (the next waits for the next one). No heartbeat is lost or counted twice; each gets its answer.
     */
    const touchPlain = (t: Touch) => repo.touch(t.userId, t.workspaceId, undefined, t.now, t.count, t.sessionId, t.gitBranch)
    const touchTogether = batched({
      key: (t: Touch) => `${t.userId} ${t.workspaceId} ${JSON.stringify([t.sessionId ?? null, t.gitBranch ?? null])}`,
      slot: (t: Touch) => `${t.userId} ${t.workspaceId}`,
      merge: (pending, t) => ({ ...pending, count: pending.count + t.count, now: t.now > pending.now ? t.now : pending.now }),
      run: (touches) => touches.length === 1 ? Effect.map(touchPlain(touches[0]!), (rows) => [rows]) : repo.touchMany(touches),
      concurrency: BATCHES_IN_FLIGHT,
      maxSize: BATCH_SIZE
    })

    /** Reads of a user's timers, batched as heartbeats are; a read that waited shares the answer of its user's. */
    type Reader = { readonly userId: UserId; readonly workspaceId: WorkspaceId }
    const readTogether = batched({
      key: (r: Reader) => `${r.userId} ${r.workspaceId}`,
      slot: (r: Reader) => `${r.userId} ${r.workspaceId}`,
      merge: (pending) => pending,
      run: (readers) =>
        readers.length === 1
          ? Effect.map(repo.listForUser(readers[0]!.userId, readers[0]!.workspaceId), (rows) => [rows])
          : repo.listMany(readers),
      concurrency: BATCHES_IN_FLIGHT,
      maxSize: BATCH_SIZE
    })

    /**
     * A heartbeat naming no project and no time, the hook's and MCP's usual one: one statement, no transaction
     * (inside a caller's transaction it runs there, alone). Untraced, as `current`: a span per call (Effect.fn
     * captures a stack trace) cost more CPU than the rest of the call.
     */
    const touchAll = Effect.fnUntraced(function*(input: Heartbeat) {
      const actor = yield* CurrentActor
      const now = yield* DateTime.now
      const plain: Touch = {
        userId: actor.userId,
        workspaceId: actor.workspaceId,
        sessionId: input.sessionId,
        gitBranch: input.gitBranch,
        count: input.count ?? 1,
        now: DateTime.toDate(now)
      }
      const transaction = yield* Effect.serviceOption(SqlClient.TransactionConnection)
      const touched = yield* (Option.isSome(transaction) ? touchPlain(plain) : touchTogether(plain))
      return new HeartbeatResult({ touched: touched.map((row) => toView(row, now)), started: null, extended: null, at: now }, trusted)
    })

    /**
     * Records activity: all running hook and MCP timers, or the one named. With projectName and autoStart,
     * a project without a timer gets one, so a session the watchdog stopped resumes on its next prompt.
     */
    const heartbeat = (input: Heartbeat) =>
      input.projectId === undefined && input.projectName === undefined && input.at === undefined && input.since === undefined
        ? touchAll(input)
        : heartbeatNamed(input)

    /**
     * Edits a running timer (TimerUpdated when its description or task changed), or moves it to another project
     * (TimerMoved; with split, the time so far stays behind).
     */
    const update = Effect.fn("Timers.update")(function*(input: UpdateTimer) {
      const actor = yield* CurrentActor
      const now = yield* DateTime.now
      const current = yield* repo.findForProject(actor.userId, actor.workspaceId, input.currentProjectId)
      if (Option.isNone(current)) {
        return yield* new TimerNotRunning({ message: `No timer is running on project ${input.currentProjectId}` })
      }
      const row = current.value
      const targetProjectId = input.projectId ?? row.timer.projectId
      const moved = targetProjectId !== row.timer.projectId
      if (moved) {
        yield* projects.get(targetProjectId).pipe(Effect.flatMap(ensureActive))
        yield* budgets.ensureCanTrack(targetProjectId)
      }
      const taskId = input.taskId === undefined ? (moved ? null : row.timer.taskId) : input.taskId
      if (taskId !== null) yield* tasks.getInProject(taskId, targetProjectId)
      const description = input.description === undefined ? row.timer.description : input.description
      const exists = new TimerExists({
        projectId: targetProjectId,
        message: `A timer already runs on project ${targetProjectId}; stop it first or pick another project`
      })
      const publishMove = (timer: TimerView, splitEntryId: Entry["id"] | null) =>
        events.publish(
          new TimerMoved({
            occurredAt: now,
            workspaceId: actor.workspaceId,
            userId: actor.userId,
            timer,
            fromProjectId: row.timer.projectId,
            fromTimerId: row.timer.id,
            split: splitEntryId !== null,
            splitEntryId
          })
        )
      if (moved && input.split === true) {
        yield* repo.deleteById(row.timer.id)
        const entry = yield* recordEntry(row, now, "replaced", now, actor.keyId)
        const created = yield* repo.insertIfAbsent({
          userId: actor.userId,
          workspaceId: actor.workspaceId,
          projectId: targetProjectId,
          taskId,
          description,
          source: row.timer.source,
          createdByKeyId: actor.keyId,
          gitBranch: row.timer.gitBranch ?? undefined,
          now: DateTime.toDate(now)
        })
        if (!created) return yield* exists
        const next = yield* repo.findForProject(actor.userId, actor.workspaceId, targetProjectId).pipe(Effect.flatMap(Effect.orDie))
        yield* publishMove(toView(next, now), entry.id)
        return toView(next, now)
      }
      yield* repo.update(row.timer.id, { projectId: targetProjectId, description, taskId }).pipe(
        Effect.catchTag("SqlError", (error) => isUniqueViolation(error) ? Effect.fail(exists) : Effect.die(error))
      )
      const view = toView(yield* reload(row), now)
      if (moved) yield* publishMove(view, null)
      else if (description !== row.timer.description || taskId !== row.timer.taskId) {
        yield* events.publish(
          new TimerUpdated({
            occurredAt: now,
            workspaceId: actor.workspaceId,
            userId: actor.userId,
            timer: view,
            previous: toView(row, now)
          })
        )
      }
      return view
    }, transactional(sql))

    const current = Effect.gen(function*() {
      const actor = yield* CurrentActor
      const now = yield* DateTime.now
      const transaction = yield* Effect.serviceOption(SqlClient.TransactionConnection)
      const rows = yield* (Option.isSome(transaction)
        ? repo.listForUser(actor.userId, actor.workspaceId)
        : readTogether({ userId: actor.userId, workspaceId: actor.workspaceId }))
      return new CurrentTimers({ timers: rows.map((row) => toView(row, now)) }, trusted)
    })

    /**
     * The watchdog's sweep: stops idle hook and MCP timers with an entry that ends at their last activity,
     * so idle time is never billed. Returns the entries it wrote.
     */
    const stopIdle = Effect.fn("Timers.stopIdle")(function*(
      batch: number,
      serverStartedAt?: DateTime.Utc,
      startupGrace?: Duration.Duration
    ) {
      const now = yield* DateTime.now
      const idle = yield* repo.deleteIdle(
        DateTime.toDate(now),
        batch,
        serverStartedAt === undefined ? null : DateTime.toDate(serverStartedAt),
        startupGrace === undefined ? undefined : Duration.toSeconds(startupGrace)
      )
      const written: Array<Entry> = []
      for (const row of idle) written.push(yield* recordEntry(row, row.timer.lastActivityAt, "idle", now))
      return written
    }, transactional(sql))

    /** Reports (TimerRunningLong) up to `batch` timers that have now run 12 hours, each once; returns how many. */
    const reportLongRunning = Effect.fn("Timers.reportLongRunning")(function*(batch: number) {
      const now = yield* DateTime.now
      const rows = yield* repo.markLongRunning(DateTime.toDate(now), LONG_RUNNING_SECONDS, batch)
      for (const row of rows) {
        yield* events.publish(
          new TimerRunningLong({ occurredAt: now, workspaceId: row.timer.workspaceId, userId: row.timer.userId, timer: toView(row, now) })
        )
      }
      return rows.length
    }, transactional(sql))

    /** Stops a member's timers in a workspace they leave, so no time is left running where they cannot see it. */
    const stopAllFor = Effect.fn("Timers.stopAllFor")(function*(userId: UserId, workspaceId: WorkspaceId) {
      const now = yield* DateTime.now
      const removed = yield* repo.deleteForMember(userId, workspaceId)
      for (const row of removed) yield* recordEntry(row, now, "manual", now)
      return removed.length
    }, transactional(sql))

    return { start, stop, pause, resume, heartbeat, update, current, stopIdle, stopAllFor, reportLongRunning } as const
  }),
  dependencies: [
    TimersRepo.Default,
    EntriesRepo.Default,
    Projects.Default,
    Tasks.Default,
    Idempotency.Default,
    Budgets.Default,
    Events.Default,
    LateEvidence.Default
  ]
}) {}
