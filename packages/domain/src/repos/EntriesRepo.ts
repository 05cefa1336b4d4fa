import { SqlClient } from "@effect/sql"
import type { Fragment } from "@effect/sql/Statement"
import { DateTime, Effect, Option } from "effect"
import { decodeRows } from "./Rows.js"
import { usageOf } from "./UsageRepo.js"
import type { Source } from "../contract/Actor.js"
import { Entry } from "../contract/Entry.js"
import { UsageSummary } from "../contract/Usage.js"
import type { StopReason } from "../contract/Entry.js"
import type { ApiKeyId, EntryId, ProjectId, TaskId, TimerId, UserId, WorkspaceId } from "../contract/Ids.js"

const decode = decodeRows(Entry)
const first = (rows: ReadonlyArray<Entry>) => Option.fromNullable(rows[0])

type DateFields = "startTime" | "endTime" | "firstActivityAt" | "lastActivityAt" | "createdAt" | "updatedAt"

/** An `entries` row as node-postgres hands it over (names camel-cased), with its `usage` (jsonb) beside it. */
interface EntryRow extends Omit<Entry, DateFields | "usage"> {
  readonly startTime: Date
  readonly endTime: Date
  readonly firstActivityAt: Date | null
  readonly lastActivityAt: Date | null
  readonly createdAt: Date
  readonly updatedAt: Date
  readonly usage: UsageSummary
}

const instant = (date: Date) => DateTime.unsafeMake(date)
const usageOfRow = (usage: UsageSummary) => usage.requests === 0 ? UsageSummary.empty : new UsageSummary(usage, true)

/**
 * A page of rows made entries without decoding each through the schema: the columns' types and CHECK
 * constraints already hold what the schema checks (uuids, enums, counts), and a page of 500 spent most of its
 * time decoding. Entry's fields are listed one by one, so a field added to Entry fails to compile here.
 */
const entryOfRow = (row: EntryRow) =>
  new Entry({
    id: row.id,
    workspaceId: row.workspaceId,
    userId: row.userId,
    projectId: row.projectId,
    taskId: row.taskId,
    timerId: row.timerId,
    description: row.description,
    startTime: instant(row.startTime),
    endTime: instant(row.endTime),
    durationSeconds: row.durationSeconds,
    pausedSeconds: row.pausedSeconds,
    billable: row.billable,
    source: row.source,
    createdByKeyId: row.createdByKeyId,
    stopReason: row.stopReason,
    idempotencyKey: row.idempotencyKey,
    heartbeats: row.heartbeats,
    sessions: row.sessions,
    pauses: row.pauses,
    lateHeartbeats: row.lateHeartbeats,
    firstActivityAt: row.firstActivityAt === null ? null : instant(row.firstActivityAt),
    lastActivityAt: row.lastActivityAt === null ? null : instant(row.lastActivityAt),
    gitBranch: row.gitBranch,
    createdAt: instant(row.createdAt),
    updatedAt: instant(row.updatedAt),
    usage: usageOfRow(row.usage)
  }, true)

/**
 * The columns `entryOfRow` reads, named as its fields: a page is read without the name transform, which spent
 * several ms of a page of 500 renaming 27 columns per row (and `session_ids`, which no field shows, is not read).
 */
const entryColumns = [
  'id, workspace_id AS "workspaceId", user_id AS "userId", project_id AS "projectId", task_id AS "taskId",',
  'timer_id AS "timerId", description, start_time AS "startTime", end_time AS "endTime",',
  'duration_seconds AS "durationSeconds", paused_seconds AS "pausedSeconds", billable, source,',
  'stop_reason AS "stopReason", idempotency_key AS "idempotencyKey", created_at AS "createdAt",',
  'updated_at AS "updatedAt", heartbeats, sessions, pauses, first_activity_at AS "firstActivityAt",',
  'last_activity_at AS "lastActivityAt", created_by_key_id AS "createdByKeyId",',
  'late_heartbeats AS "lateHeartbeats", git_branch AS "gitBranch"'
].join(" ")

export interface NewEntry {
  readonly workspaceId: WorkspaceId
  readonly userId: UserId
  readonly projectId: ProjectId
  readonly taskId: TaskId | null
  readonly timerId: TimerId | null
  readonly description: string | null
  readonly startTime: Date
  readonly endTime: Date
  readonly durationSeconds: number
  readonly pausedSeconds: number
  readonly billable: boolean
  readonly source: Source
  readonly stopReason: StopReason | null
  readonly idempotencyKey: string | null
  /** The key whose request wrote the entry. */
  readonly createdByKeyId: ApiKeyId | null
  readonly evidence?: EntryEvidence | undefined
  readonly now: Date
}

/** What the timer saw, kept on the entry made from it. */
export interface EntryEvidence {
  readonly heartbeats: number
  readonly sessions: number
  readonly pauses: number
  readonly firstActivityAt: Date
  readonly lastActivityAt: Date
  readonly lateHeartbeats?: number | undefined
  readonly sessionIds?: ReadonlyArray<string> | undefined
  readonly gitBranch?: string | null | undefined
}

export interface EntryChanges {
  readonly projectId: ProjectId
  readonly taskId: TaskId | null
  readonly description: string | null
  readonly startTime: Date
  readonly endTime: Date
  readonly durationSeconds: number
  readonly billable: boolean
  readonly now: Date
}

export interface EntryFilter {
  /** undefined: every author in the workspace. */
  readonly userId: UserId | undefined
  readonly workspaceId: WorkspaceId
  readonly timezone: string
  readonly projectId: ProjectId | undefined
  readonly from: string | undefined
  readonly to: string | undefined
  readonly after: { readonly startTime: Date; readonly id: EntryId } | undefined
  readonly limit: number
}

export class EntriesRepo extends Effect.Service<EntriesRepo>()("@clockme/domain/EntriesRepo", {
  effect: Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const raw = sql.withoutTransforms()

    /** Inserts; a repeated idempotency key never gets here (the Idempotency service answers it). */
    const insert = (input: NewEntry) =>
      sql`
        INSERT INTO entries (workspace_id, user_id, project_id, task_id, timer_id, description, start_time, end_time,
                             duration_seconds, paused_seconds, billable, source, stop_reason, idempotency_key,
                             heartbeats, sessions, pauses, first_activity_at, last_activity_at, created_by_key_id,
                             late_heartbeats, session_ids, git_branch, created_at, updated_at)
        VALUES (${input.workspaceId}, ${input.userId}, ${input.projectId}, ${input.taskId}, ${input.timerId},
                ${input.description}, ${input.startTime}, ${input.endTime}, ${input.durationSeconds},
                ${input.pausedSeconds}, ${input.billable}, ${input.source}, ${input.stopReason},
                ${input.idempotencyKey}, ${input.evidence?.heartbeats ?? 0}, ${input.evidence?.sessions ?? 0},
                ${input.evidence?.pauses ?? 0}, ${input.evidence?.firstActivityAt ?? null},
                ${input.evidence?.lastActivityAt ?? null}, ${input.createdByKeyId},
                ${input.evidence?.lateHeartbeats ?? 0}, ${JSON.stringify(input.evidence?.sessionIds ?? [])}::jsonb,
                ${input.evidence?.gitBranch ?? null}, ${input.now}, ${input.now})
        RETURNING *, ${usageOf(sql, sql`entries.timer_id`)} AS usage`.pipe(Effect.flatMap(decode), Effect.map((rows) => ({ entry: rows[0]! })), Effect.orDie)

    const findById = (workspaceId: WorkspaceId, id: EntryId) =>
      sql`SELECT *, ${usageOf(sql, sql`entries.timer_id`)} AS usage FROM entries WHERE id = ${id} AND workspace_id = ${workspaceId}`.pipe(
        Effect.flatMap(decode),
        Effect.map(first),
        Effect.orDie
      )

    const findByTimer = (timerId: TimerId) =>
      sql`SELECT *, ${usageOf(sql, sql`entries.timer_id`)} AS usage FROM entries WHERE timer_id = ${timerId}`.pipe(Effect.flatMap(decode), Effect.map(first), Effect.orDie)

    const update = (id: EntryId, changes: EntryChanges) =>
      sql`
        UPDATE entries SET project_id = ${changes.projectId}, task_id = ${changes.taskId},
          description = ${changes.description}, start_time = ${changes.startTime}, end_time = ${changes.endTime},
          duration_seconds = ${changes.durationSeconds}, billable = ${changes.billable}, updated_at = ${changes.now}
        WHERE id = ${id} RETURNING *, ${usageOf(sql, sql`entries.timer_id`)} AS usage`.pipe(Effect.flatMap(decode), Effect.map((rows) => rows[0]!), Effect.orDie)

    /** False when a concurrent request removed it first. */
    const remove = (id: EntryId) =>
      sql`DELETE FROM entries WHERE id = ${id} RETURNING id`.pipe(Effect.map((rows) => rows.length > 0), Effect.orDie)

    const list = (filter: EntryFilter) => {
      const conditions: Array<Fragment> = [sql`workspace_id = ${filter.workspaceId}`]
      if (filter.userId !== undefined) conditions.push(sql`user_id = ${filter.userId}`)
      if (filter.projectId) conditions.push(sql`project_id = ${filter.projectId}`)
      if (filter.from) {
        conditions.push(sql`start_time >= (${filter.from}::date::timestamp AT TIME ZONE ${filter.timezone})`)
      }
      if (filter.to) {
        conditions.push(sql`start_time < ((${filter.to}::date + 1)::timestamp AT TIME ZONE ${filter.timezone})`)
      }
      if (filter.after) {
        conditions.push(sql`(start_time, id) < (${filter.after.startTime}, ${filter.after.id})`)
      }
      return raw<EntryRow>`
        SELECT ${raw.literal(entryColumns)}, ${usageOf(sql, sql`entries.timer_id`)} AS usage FROM entries
        WHERE ${sql.and(conditions)}
        ORDER BY start_time DESC, id DESC LIMIT ${filter.limit}`.pipe(Effect.map((rows) => rows.map(entryOfRow)), Effect.orDie)
    }

    /** The latest end of the user's entries on a project that end after `after`: where a backdated start may begin. */
    const latestEndAfter = (userId: UserId, projectId: ProjectId, after: Date) =>
      sql<{ latest: Date | string | null }>`
        SELECT max(end_time) AS latest FROM entries
        WHERE user_id = ${userId} AND project_id = ${projectId} AND end_time > ${after}`.pipe(
        Effect.map((rows) => Option.map(Option.fromNullable(rows[0]?.latest), (latest) => DateTime.toDate(DateTime.unsafeMake(latest)))),
        Effect.orDie
      )

    return { insert, findById, findByTimer, update, remove, list, latestEndAfter } as const
  })
}) {}
