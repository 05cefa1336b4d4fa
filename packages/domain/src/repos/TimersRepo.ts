import { SqlClient } from "@effect/sql"
import type { Fragment } from "@effect/sql/Statement"
import { DateTime, Effect, Option } from "effect"
import type { Source } from "../contract/Actor.js"
import type { ApiKeyId, ProjectId, TaskId, TimerId, UserId, WorkspaceId } from "../contract/Ids.js"
import { Timer } from "../contract/Timer.js"
import type { TimerState } from "../contract/Timer.js"
import { UsageRepo, usageOf } from "./UsageRepo.js"
import { UsageSummary } from "../contract/Usage.js"

/**
 * A timer row as node-postgres hands it over, before any transform: the table's constraints (uuid,
 * timestamptz, the CHECKs on source and state) already guarantee what a Schema decode would check again.
 */
interface TimerColumns {
  readonly id: TimerId
  readonly user_id: UserId
  readonly workspace_id: WorkspaceId
  readonly project_id: ProjectId
  readonly task_id: TaskId | null
  readonly description: string | null
  readonly source: Source
  readonly state: TimerState
  readonly started_at: Date
  readonly running_since: Date | null
  readonly accumulated_ms: number
  readonly last_activity_at: Date
  readonly heartbeat_count: number
  readonly pause_count: number
  readonly late_heartbeats: number
  readonly git_branch: string | null
  readonly created_by_key_id: ApiKeyId | null
  readonly project_name: string
  readonly project_billable: boolean
  readonly session_count: number
  readonly session_ids: ReadonlyArray<string>
  readonly usage: ConstructorParameters<typeof UsageSummary>[0]
}

export interface TimerRow {
  readonly timer: Timer
  readonly projectName: string
  readonly projectBillable: boolean
  readonly sessionCount: number
  /** The key that started the timer. */
  readonly createdByKeyId: ApiKeyId | null
  readonly sessionIds: ReadonlyArray<string>
  readonly usage: UsageSummary
}

/**
 * Rows of the statements below, read without @effect/sql's name transform and without a Schema decode: on
 * the heartbeat path the two cost more CPU than the rest of the domain (docs/perf-sqlpath.md).
 */
const toRows = (rows: ReadonlyArray<TimerColumns>): ReadonlyArray<TimerRow> =>
  rows.map((row) => ({
    timer: new Timer({
      id: row.id,
      userId: row.user_id,
      workspaceId: row.workspace_id,
      projectId: row.project_id,
      taskId: row.task_id,
      description: row.description,
      source: row.source,
      state: row.state,
      startedAt: DateTime.unsafeMake(row.started_at),
      runningSince: row.running_since === null ? null : DateTime.unsafeMake(row.running_since),
      accumulatedMs: row.accumulated_ms,
      lastActivityAt: DateTime.unsafeMake(row.last_activity_at),
      heartbeatCount: row.heartbeat_count,
      pauseCount: row.pause_count,
      lateHeartbeats: row.late_heartbeats,
      gitBranch: row.git_branch
    }, true),
    projectName: row.project_name,
    projectBillable: row.project_billable,
    sessionCount: row.session_count,
    createdByKeyId: row.created_by_key_id,
    sessionIds: row.session_ids,
    usage: new UsageSummary(row.usage, true)
  }))

/** The timer's sessions, for the entry it becomes (late evidence matches on them). */
const sessionIdsOf = (sql: SqlClient.SqlClient, timerId: Fragment) =>
  sql`(SELECT coalesce(jsonb_agg(s.session_id ORDER BY s.started_at), '[]'::jsonb) FROM timer_sessions s WHERE s.timer_id = ${timerId}) AS session_ids`

/** A heartbeat on every running hook and MCP timer of a user in a workspace (see TimersRepo.touch). */
export interface Touch {
  readonly userId: UserId
  readonly workspaceId: WorkspaceId
  readonly now: Date
  readonly count: number
  readonly sessionId?: string | undefined
  readonly gitBranch?: string | undefined
}

/** Splits a batch's rows by caller: callers are distinct by user and workspace, and rows name both. */
const perCaller = (
  callers: ReadonlyArray<{ readonly userId: UserId; readonly workspaceId: WorkspaceId }>,
  rows: ReadonlyArray<TimerRow>
): ReadonlyArray<ReadonlyArray<TimerRow>> => {
  if (callers.length === 1) return [rows]
  const byCaller = new Map<string, Array<TimerRow>>()
  for (const row of rows) {
    const key = `${row.timer.userId} ${row.timer.workspaceId}`
    const list = byCaller.get(key)
    if (list === undefined) byCaller.set(key, [row])
    else list.push(row)
  }
  return callers.map((caller) => byCaller.get(`${caller.userId} ${caller.workspaceId}`) ?? [])
}

export interface NewTimer {
  readonly userId: UserId
  readonly workspaceId: WorkspaceId
  readonly projectId: ProjectId
  readonly taskId: TaskId | null
  readonly description: string | null
  readonly source: Source
  readonly createdByKeyId: ApiKeyId | null
  readonly gitBranch?: string | undefined
  readonly now: Date
}

/** A restarted server's grace before it stops timers as idle (or the idle timeout, if shorter). */
export const STARTUP_GRACE_SECONDS = 120

export class TimersRepo extends Effect.Service<TimersRepo>()("@clockme/domain/TimersRepo", {
  effect: Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const raw = sql.withoutTransforms()
    const usage = yield* UsageRepo

    /** `also`: more data-modifying CTEs over `t`, run in the same statement (they share its snapshot). */
    const detailsOf = (timers: Fragment, also: Fragment = sql``) =>
      raw<TimerColumns>`
        WITH t AS (${timers})${also}
        SELECT t.*, p.name AS project_name, p.billable AS project_billable,
               (SELECT count(*) FROM timer_sessions s WHERE s.timer_id = t.id)::int AS session_count,
               ${sessionIdsOf(sql, sql`t.id`)}, ${usageOf(sql, sql`t.id`)} AS usage
        FROM t JOIN projects p ON p.id = t.project_id
        ORDER BY t.started_at, t.id`.pipe(Effect.map(toRows), Effect.orDie)

    const select = (where: Fragment) => detailsOf(sql`SELECT * FROM timers WHERE ${where}`)

    /** Starts a timer unless the user already has one on the project; the unique index settles races. */
    const insertIfAbsent = (input: NewTimer) =>
      sql<{ id: TimerId }>`
        INSERT INTO timers (user_id, workspace_id, project_id, task_id, description, source, state,
                            started_at, running_since, last_activity_at, created_by_key_id, git_branch)
        VALUES (${input.userId}, ${input.workspaceId}, ${input.projectId}, ${input.taskId}, ${input.description},
                ${input.source}, 'running', ${input.now}, ${input.now}, ${input.now}, ${input.createdByKeyId},
                ${input.gitBranch ?? null})
        ON CONFLICT (user_id, project_id) DO NOTHING
        RETURNING id`.pipe(Effect.map((rows) => rows.length > 0), Effect.orDie)

    const findForProject = (userId: UserId, workspaceId: WorkspaceId, projectId: ProjectId) =>
      select(sql`user_id = ${userId} AND workspace_id = ${workspaceId} AND project_id = ${projectId}`).pipe(Effect.map((rows) => Option.fromNullable(rows[0])))

    const findById = (id: TimerId) => select(sql`id = ${id}`).pipe(Effect.map((rows) => Option.fromNullable(rows[0])))

    // a plan kept per connection (migration 0021_timers_function): the hook's and MCP's most frequent read
    const listForUser = (userId: UserId, workspaceId: WorkspaceId) =>
      raw<TimerColumns>`SELECT * FROM clockme_timers(${userId}, ${workspaceId})`.pipe(Effect.map(toRows), Effect.orDie)

    /** Removes the timer; false when a concurrent request removed it first. */
    const deleteById = (id: TimerId) =>
      sql`DELETE FROM timers WHERE id = ${id} RETURNING id`.pipe(Effect.map((rows) => rows.length > 0), Effect.orDie)

    /** Removes every timer of a user in a workspace (they left it or were removed). */
    const deleteForMember = (userId: UserId, workspaceId: WorkspaceId) =>
      detailsOf(sql`DELETE FROM timers WHERE user_id = ${userId} AND workspace_id = ${workspaceId} RETURNING *`)

    /** One indexed UPDATE: running hook and MCP timers of the user, or the one timer named. */
    /**
     * Records activity on the user's running hook and MCP timers, or on the one of `projectId`, and with
     * `sessionId` the session on each, in one statement. The rows' session counts are those before it.
     */
    const touch = (
      userId: UserId,
      workspaceId: WorkspaceId,
      projectId: ProjectId | undefined,
      now: Date,
      count = 1,
      sessionId?: string,
      gitBranch?: string
    ) =>
      // one statement with plans kept per connection (migration 0020_touch_function)
      raw<TimerColumns>`
        SELECT * FROM clockme_touch(${userId}, ${workspaceId}, ${projectId ?? null}, ${now}, ${count},
                                    ${sessionId ?? null}, ${gitBranch ?? null})`.pipe(Effect.map(toRows), Effect.orDie)

    /**
     * `touch` (no project) for many callers in one statement (migration 0022_batch_functions): at most one per
     * user and workspace. Answers each caller's rows, in the callers' order.
     */
    const touchMany = (touches: ReadonlyArray<Touch>) =>
      raw<TimerColumns>`
        SELECT * FROM clockme_touch_many(
          ${touches.map((t) => t.userId)}::uuid[], ${touches.map((t) => t.workspaceId)}::uuid[],
          ${touches.map((t) => t.now)}::timestamptz[], ${touches.map((t) => t.count)}::integer[],
          ${touches.map((t) => t.sessionId ?? null)}::text[], ${touches.map((t) => t.gitBranch ?? null)}::text[])`.pipe(
        Effect.map((rows) => perCaller(touches, toRows(rows))),
        Effect.orDie
      )

    /** `listForUser` for many users in one statement, at most one per user and workspace, in their order. */
    const listMany = (callers: ReadonlyArray<{ readonly userId: UserId; readonly workspaceId: WorkspaceId }>) =>
      raw<TimerColumns>`
        SELECT * FROM clockme_timers_many(${callers.map((c) => c.userId)}::uuid[], ${callers.map((c) => c.workspaceId)}::uuid[])`
        .pipe(Effect.map((rows) => perCaller(callers, toRows(rows))), Effect.orDie)

    /** False when the timer was not running (nothing changed). */
    const pause = (id: TimerId, now: Date) =>
      sql`
        UPDATE timers SET state = 'paused', running_since = NULL, pause_count = pause_count + 1,
          accumulated_ms = accumulated_ms + greatest(0, (extract(epoch FROM (${now}::timestamptz - running_since)) * 1000)::bigint),
          last_activity_at = greatest(last_activity_at, ${now})
        WHERE id = ${id} AND state = 'running'
        RETURNING id`.pipe(Effect.map((rows) => rows.length > 0), Effect.orDie)

    const resume = (id: TimerId, now: Date) =>
      sql`
        UPDATE timers SET state = 'running', running_since = ${now}, last_activity_at = greatest(last_activity_at, ${now})
        WHERE id = ${id} AND state = 'paused'
        RETURNING id`.pipe(Effect.map((rows) => rows.length > 0), Effect.orDie)

    /** Fails with SqlError (unique violation) when the user already has a timer on the target project. */
    const update = (
      id: TimerId,
      changes: { readonly projectId: ProjectId; readonly description: string | null; readonly taskId: TaskId | null }
    ) =>
      sql`
        UPDATE timers SET project_id = ${changes.projectId}, description = ${changes.description}, task_id = ${changes.taskId}
        WHERE id = ${id}`.pipe(Effect.asVoid)

    /** Also claims the session's AI usage that arrived before the timer (see UsageRepo). */
    const recordSession = (timerId: TimerId, sessionId: string, now: Date) =>
      Effect.gen(function*() {
        yield* sql`
          INSERT INTO timer_sessions (timer_id, session_id, started_at, last_seen_at)
          VALUES (${timerId}, ${sessionId}, ${now}, ${now})
          ON CONFLICT (timer_id, session_id) DO UPDATE SET last_seen_at = greatest(timer_sessions.last_seen_at, ${now}),
            ended_at = NULL`
        yield* usage.claimForTimer(timerId, sessionId, now)
      }).pipe(Effect.orDie)

    /** Marks the session ended and counts the other sessions still active (seen since `activeSince`). */
    const endSession = (timerId: TimerId, sessionId: string, now: Date, activeSince: Date) =>
      Effect.gen(function*() {
        yield* sql`
          INSERT INTO timer_sessions (timer_id, session_id, started_at, last_seen_at, ended_at)
          VALUES (${timerId}, ${sessionId}, ${now}, ${now}, ${now})
          ON CONFLICT (timer_id, session_id) DO UPDATE SET ended_at = ${now}`
        const [row] = yield* sql<{ active: number }>`
          SELECT count(*)::int AS active FROM timer_sessions
          WHERE timer_id = ${timerId} AND session_id <> ${sessionId} AND ended_at IS NULL AND last_seen_at >= ${activeSince}`
        return row?.active ?? 0
      }).pipe(Effect.orDie)

    /**
     * Removes hook and MCP timers idle for longer than their workspace's timeout, at most `limit` at a time.
     * SKIP LOCKED and the DELETE make it safe when several servers sweep the same database at once.
     * With `serverStartedAt`, a workspace's timers are left alone until min(grace, its idle timeout) after
     * that start, so clients that queued events while the server was down can send them first.
     */
    const deleteIdle = (now: Date, limit: number, serverStartedAt: Date | null = null, graceSeconds = STARTUP_GRACE_SECONDS) =>
      raw<TimerColumns>`
        WITH idle AS (
          SELECT t.id FROM timers t JOIN workspaces w ON w.id = t.workspace_id
          WHERE t.source IN ('hook', 'mcp')
            AND t.last_activity_at < ${now}::timestamptz - make_interval(mins => w.idle_timeout_minutes)
            AND ${serverStartedAt === null ? sql`true` : sql`${now}::timestamptz >= ${serverStartedAt}::timestamptz +
              least(make_interval(secs => ${graceSeconds}), make_interval(mins => w.idle_timeout_minutes))`}
          ORDER BY t.last_activity_at
          LIMIT ${limit}
          FOR UPDATE OF t SKIP LOCKED
        ), gone AS (
          DELETE FROM timers t USING idle WHERE t.id = idle.id RETURNING t.*
        )
        SELECT gone.*, p.name AS project_name, p.billable AS project_billable,
               (SELECT count(*) FROM timer_sessions s WHERE s.timer_id = gone.id)::int AS session_count,
               ${sessionIdsOf(sql, sql`gone.id`)}, ${usageOf(sql, sql`gone.id`)} AS usage
        FROM gone JOIN projects p ON p.id = gone.project_id`.pipe(Effect.map(toRows), Effect.orDie)

    /**
     * Marks timers whose running time has reached `thresholdSeconds` and that were not reported yet, and returns
     * them: a conditional UPDATE, so with any number of servers each timer is reported once.
     */
    const markLongRunning = (now: Date, thresholdSeconds: number, limit: number) =>
      detailsOf(sql`
        UPDATE timers SET long_running_reported_at = ${now}::timestamptz
        WHERE id IN (
          SELECT id FROM timers
          WHERE long_running_reported_at IS NULL
            AND accumulated_ms + CASE WHEN running_since IS NULL THEN 0
                  ELSE greatest(0, extract(epoch FROM (${now}::timestamptz - running_since)) * 1000) END
                >= ${thresholdSeconds * 1000}
          ORDER BY started_at
          LIMIT ${limit}
          FOR UPDATE SKIP LOCKED
        )
        RETURNING *`)

    return {
      markLongRunning,
      insertIfAbsent,
      findForProject,
      findById,
      listForUser,
      deleteById,
      deleteForMember,
      touch,
      touchMany,
      listMany,
      pause,
      resume,
      update,
      recordSession,
      endSession,
      deleteIdle
    } as const
  }),
  dependencies: [UsageRepo.Default]
}) {}
