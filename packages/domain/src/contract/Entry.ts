import { HttpApiSchema } from "@effect/platform"
import { Schema } from "effect"
import { Source } from "./Actor.js"
import { CalendarDate } from "./CalendarDate.js"
import { ApiKeyId, EntryId, ProjectId, TaskId, TimerId, UserId, WorkspaceId } from "./Ids.js"
import { Instant, NullableTimestamp, Timestamp } from "./Timestamp.js"
import { Description, Text } from "./Text.js"
import { strict } from "./Strict.js"
import { UsageSummary } from "./Usage.js"

export const StopReason = Schema.Literal("manual", "session_end", "idle", "replaced")
export type StopReason = typeof StopReason.Type

export class Entry extends Schema.Class<Entry>("Entry")({
  id: EntryId,
  workspaceId: WorkspaceId,
  userId: UserId,
  projectId: ProjectId,
  taskId: Schema.NullOr(TaskId),
  timerId: Schema.NullOr(TimerId),
  description: Schema.NullOr(Schema.String),
  startTime: Timestamp,
  endTime: Timestamp,
  durationSeconds: Schema.Number,
  pausedSeconds: Schema.Number,
  billable: Schema.Boolean,
  source: Source,
  createdByKeyId: Schema.optionalWith(Schema.NullOr(ApiKeyId), { default: () => null }).annotations({
    description: "The API key whose request wrote the entry; for a timer the server stopped, the key that started it"
  }),
  stopReason: Schema.NullOr(StopReason),
  idempotencyKey: Schema.NullOr(Schema.String),
  heartbeats: Schema.Number.annotations({ description: "Heartbeats the timer received (evidence)" }),
  sessions: Schema.Number.annotations({ description: "AI tool sessions that worked on the timer (evidence)" }),
  pauses: Schema.Number,
  lateHeartbeats: Schema.Number.annotations({
    description: "Heartbeats that arrived late (queued while the server was unreachable) and extended this entry (evidence)"
  }),
  firstActivityAt: NullableTimestamp,
  lastActivityAt: NullableTimestamp,
  gitBranch: Schema.optionalWith(Schema.NullOr(Schema.String), { default: () => null }).annotations({
    description: "The git branch the AI tool's hook last reported for the timer this entry was made from (evidence)"
  }),
  createdAt: Timestamp,
  updatedAt: Timestamp,
  usage: Schema.optionalWith(UsageSummary, { default: () => UsageSummary.empty }).annotations({
    description: "The AI usage reported for the sessions of the timer this entry was made from"
  })
}) {}

export const DurationMinutes = Schema.Number.pipe(
  Schema.finite(),
  Schema.greaterThanOrEqualTo(1 / 60, { message: () => "must be at least 1 second (0.0167 minutes)" }),
  Schema.lessThanOrEqualTo(24 * 60, { message: () => "must be at most 1440 minutes (24 hours)" })
).annotations({ description: "Length of the block in minutes (at least 1 second, at most 1440)" })
export const IdempotencyKey = Text.pipe(
  Schema.minLength(1, { message: () => "must not be empty" }),
  Schema.maxLength(200, { message: () => "must be at most 200 characters" })
).annotations({ description: "A client-chosen key: a repeat with the same key returns the first entry" })

export const CreateEntry = Schema.Struct({
  projectId: ProjectId,
  startTime: Instant,
  durationMinutes: Schema.optional(DurationMinutes),
  endTime: Schema.optional(Instant),
  description: Schema.optional(Description),
  taskId: Schema.optional(Schema.NullOr(TaskId)),
  billable: Schema.optional(Schema.Boolean),
  source: Schema.optional(Source),
  idempotencyKey: Schema.optional(IdempotencyKey)
}).annotations({ identifier: "CreateEntry", ...strict })
export type CreateEntry = typeof CreateEntry.Type

export const UpdateEntry = Schema.Struct({
  projectId: Schema.optional(ProjectId),
  taskId: Schema.optional(Schema.NullOr(TaskId)),
  description: Schema.optional(Schema.NullOr(Description)),
  startTime: Schema.optional(Instant),
  endTime: Schema.optional(Instant),
  durationMinutes: Schema.optional(DurationMinutes),
  billable: Schema.optional(Schema.Boolean)
}).annotations({ identifier: "UpdateEntry", ...strict })
export type UpdateEntry = typeof UpdateEntry.Type

export const ListEntriesQuery = Schema.Struct({
  projectId: Schema.optional(ProjectId),
  userId: Schema.optional(UserId).annotations({
    description: "Entries of this member of the active workspace (members can read each other's entries)"
  }),
  scope: Schema.optional(Schema.Literal("mine", "workspace")).annotations({
    description: "mine (default): your entries; workspace: every member's entries in the active workspace"
  }),
  from: Schema.optional(CalendarDate),
  to: Schema.optional(CalendarDate),
  limit: Schema.optional(
    Schema.NumberFromString.pipe(
      Schema.int({ message: () => "must be a whole number" }),
      Schema.between(1, 500, { message: () => "must be between 1 and 500" })
    )
  ),
  cursor: Schema.optional(Schema.String)
})
export type ListEntriesQuery = typeof ListEntriesQuery.Type

export class EntryPage extends Schema.Class<EntryPage>("EntryPage")({
  entries: Schema.Array(Entry),
  nextCursor: Schema.NullOr(Schema.String)
}) {}

export class EntryNotFound extends Schema.TaggedError<EntryNotFound>()(
  "EntryNotFound",
  { code: Schema.tag("entry_not_found"), entryId: Schema.String, message: Schema.String },
  HttpApiSchema.annotations({ status: 404 })
) {
  static readonly nextStep = (): string => "Call clockme_list_entries to find the entry's id."
}
