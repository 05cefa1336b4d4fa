import { SqlClient } from "@effect/sql"
import { DateTime, Effect, Option, Schema } from "effect"
import { decodeRows } from "./Rows.js"
import { usageOf } from "./UsageRepo.js"
import { Entry } from "../contract/Entry.js"
import type { StopReason } from "../contract/Entry.js"
import type { EntryId, ProjectId, TimerId, UserId, WorkspaceId } from "../contract/Ids.js"

const decodeEntries = decodeRows(Entry)
const decodeExtras = decodeRows(Schema.Struct({ sessionIds: Schema.Array(Schema.String), idleTimeoutMinutes: Schema.Number }))

/** An entry the watchdog stopped as idle, with what late evidence needs to continue it. */
export interface IdleEntry {
  readonly entry: Entry
  readonly sessionIds: ReadonlyArray<string>
  readonly idleTimeoutMinutes: number
}

export interface LateEvidenceQuery {
  readonly userId: UserId
  readonly workspaceId: WorkspaceId
  readonly projectId: ProjectId
  /** Undefined: only an entry without sessions matches. */
  readonly sessionId: string | undefined
  /** The first and last activity of the late evidence. */
  readonly since: Date
  readonly at: Date
  /** A stop may also land on an entry that already ends at `at` (its stretch was flushed just before). */
  readonly endingAtCounts: boolean
}

export interface Extension {
  readonly endTime: Date
  readonly durationSeconds: number
  readonly heartbeats: number
  readonly lastActivityAt: Date
  readonly sessionId: string | undefined
  readonly stopReason: StopReason | undefined
  readonly now: Date
}

export interface Reopening {
  readonly lastActivityAt: Date
  readonly heartbeats: number
  readonly sessionId: string | undefined
}

export class LateEvidenceRepo extends Effect.Service<LateEvidenceRepo>()("@clockme/domain/LateEvidenceRepo", {
  effect: Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient

    /**
     * The latest idle-stopped entry of this user, project and session that ends before `at` and at most
     * one idle timeout before `since`; locked, so two late heartbeats extend it one after the other.
     */
    const findExtendable = (query: LateEvidenceQuery) =>
      Effect.gen(function*() {
        const rows = yield* sql`
          SELECT e.*, w.idle_timeout_minutes FROM entries e JOIN workspaces w ON w.id = e.workspace_id
          WHERE e.user_id = ${query.userId} AND e.workspace_id = ${query.workspaceId} AND e.project_id = ${query.projectId}
            AND e.stop_reason = 'idle' AND e.source IN ('hook', 'mcp')
            AND ${query.endingAtCounts ? sql`e.end_time <= ${query.at}` : sql`e.end_time < ${query.at}`}
            AND e.end_time >= ${query.since}::timestamptz - make_interval(mins => w.idle_timeout_minutes)
            AND ${
          query.sessionId === undefined
            ? sql`e.session_ids = '[]'::jsonb`
            : sql`e.session_ids @> jsonb_build_array(${query.sessionId}::text)`
        }
          ORDER BY e.end_time DESC
          LIMIT 1
          FOR UPDATE OF e`
        const [entry] = yield* decodeEntries(rows)
        const [extras] = yield* decodeExtras(rows)
        return entry === undefined || extras === undefined
          ? Option.none<IdleEntry>()
          : Option.some<IdleEntry>({ entry, ...extras })
      }).pipe(Effect.orDie)

    const idleTimeoutOf = (workspaceId: WorkspaceId) =>
      sql<{ idleTimeoutMinutes: number }>`SELECT idle_timeout_minutes FROM workspaces WHERE id = ${workspaceId}`.pipe(
        Effect.map((rows) => rows[0]?.idleTimeoutMinutes ?? 30),
        Effect.orDie
      )

    /** Moves the entry's end and records the late heartbeats (and the session, when it is new). */
    const extend = (id: EntryId, change: Extension) =>
      sql`
        UPDATE entries SET end_time = ${change.endTime}, duration_seconds = ${change.durationSeconds},
          heartbeats = heartbeats + ${change.heartbeats}, late_heartbeats = late_heartbeats + ${change.heartbeats},
          last_activity_at = greatest(last_activity_at, ${change.lastActivityAt}),
          ${
        change.sessionId === undefined
          ? sql``
          : sql`sessions = sessions + (CASE WHEN session_ids @> jsonb_build_array(${change.sessionId}::text) THEN 0 ELSE 1 END),
          session_ids = CASE WHEN session_ids @> jsonb_build_array(${change.sessionId}::text) THEN session_ids
                             ELSE session_ids || jsonb_build_array(${change.sessionId}::text) END,`
      }
          stop_reason = ${change.stopReason ?? "idle"}, updated_at = ${change.now}
        WHERE id = ${id}
        RETURNING *, ${usageOf(sql, sql`entries.timer_id`)} AS usage`.pipe(Effect.flatMap(decodeEntries), Effect.map((rows) => rows[0]!), Effect.orDie)

    /**
     * Turns the entry back into the running timer it came from (same id, start, counters and sessions),
     * with its running time continuing from the entry's end. None when the project got a timer meanwhile.
     */
    const reopen = (idle: IdleEntry, change: Reopening) =>
      Effect.gen(function*() {
        const entry = idle.entry
        const inserted = yield* sql<{ id: TimerId }>`
          INSERT INTO timers (id, user_id, workspace_id, project_id, task_id, description, source, state, started_at,
                              running_since, accumulated_ms, last_activity_at, heartbeat_count, pause_count, late_heartbeats)
          VALUES (coalesce(${entry.timerId}::uuid, gen_random_uuid()), ${entry.userId}, ${entry.workspaceId},
                  ${entry.projectId}, ${entry.taskId}, ${entry.description}, ${entry.source}, 'running',
                  ${DateTime.toDate(entry.startTime)}, ${DateTime.toDate(entry.endTime)}, ${entry.durationSeconds * 1000}, ${change.lastActivityAt},
                  ${entry.heartbeats + change.heartbeats}, ${entry.pauses}, ${entry.lateHeartbeats + change.heartbeats})
          ON CONFLICT DO NOTHING
          RETURNING id`
        const timerId = inserted[0]?.id
        if (timerId === undefined) return Option.none<TimerId>()
        yield* sql`DELETE FROM entries WHERE id = ${entry.id}`
        const seen = DateTime.toDate(entry.lastActivityAt ?? entry.endTime)
        for (const sessionId of idle.sessionIds) {
          yield* sql`
            INSERT INTO timer_sessions (timer_id, session_id, started_at, last_seen_at)
            VALUES (${timerId}, ${sessionId}, ${DateTime.toDate(entry.startTime)}, ${seen}) ON CONFLICT DO NOTHING`
        }
        if (change.sessionId !== undefined) {
          yield* sql`
            INSERT INTO timer_sessions (timer_id, session_id, started_at, last_seen_at)
            VALUES (${timerId}, ${change.sessionId}, ${change.lastActivityAt}, ${change.lastActivityAt})
            ON CONFLICT (timer_id, session_id) DO UPDATE SET last_seen_at = greatest(timer_sessions.last_seen_at, excluded.last_seen_at)`
        }
        return Option.some(timerId)
      }).pipe(Effect.orDie)

    return { findExtendable, idleTimeoutOf, extend, reopen } as const
  })
}) {}
