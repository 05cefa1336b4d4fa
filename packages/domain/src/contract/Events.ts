import { Schema } from "effect"
import { ApiKey } from "./ApiKey.js"
import { BudgetMetric, Threshold } from "./Budget.js"
import { Entry, StopReason } from "./Entry.js"
import { EntryId, EventId, ProjectId, TimerId, UserId, WorkspaceId } from "./Ids.js"
import { Project } from "./Project.js"
import { Task } from "./Task.js"
import { StoppedTimerView, TimerView } from "./Timer.js"
import { InviteDetails, Member, Role, WorkspaceSettings } from "./Workspace.js"

const version1 = Schema.Literal(1).pipe(
  Schema.propertySignature,
  Schema.withConstructorDefault(() => 1 as const)
).annotations({ description: "Schema version of this event type; a breaking change adds a new version" })

/** Fields every event carries. The id is made here so an event is complete before it is stored. */
const envelope = {
  id: EventId.pipe(
    Schema.propertySignature,
    Schema.withConstructorDefault(() => EventId.make(globalThis.crypto.randomUUID()))
  ),
  version: version1,
  occurredAt: Schema.DateTimeUtc,
  workspaceId: WorkspaceId
}

/** The user whose timer, entry or key it is; for workspace-level events, the user who acted. */
const owner = { userId: UserId }

export class TimerStarted extends Schema.TaggedClass<TimerStarted>()("TimerStarted", {
  ...envelope,
  ...owner,
  timer: TimerView
}) {}

export class TimerPaused extends Schema.TaggedClass<TimerPaused>()("TimerPaused", {
  ...envelope,
  ...owner,
  timer: TimerView
}) {}

export class TimerResumed extends Schema.TaggedClass<TimerResumed>()("TimerResumed", {
  ...envelope,
  ...owner,
  timer: TimerView
}) {}

/**
 * A running timer now counts for another project. With `split`, the time so far was logged as an entry
 * on the old project (published as EntryCreated with stop reason "replaced") and `timer` is a new timer.
 */
export class TimerMoved extends Schema.TaggedClass<TimerMoved>()("TimerMoved", {
  ...envelope,
  ...owner,
  timer: TimerView,
  fromProjectId: ProjectId,
  fromTimerId: TimerId,
  split: Schema.Boolean,
  splitEntryId: Schema.NullOr(EntryId)
}) {}

/** A running timer's description or task changed on the same project; a change of project is TimerMoved. */
export class TimerUpdated extends Schema.TaggedClass<TimerUpdated>()("TimerUpdated", {
  ...envelope,
  ...owner,
  timer: TimerView,
  previous: TimerView
}) {}

/** The timer is gone and `entry` holds its time (also published as EntryCreated). */
export class TimerStopped extends Schema.TaggedClass<TimerStopped>()("TimerStopped", {
  ...envelope,
  ...owner,
  timer: StoppedTimerView,
  reason: StopReason.annotations({ description: "manual, session_end, idle (the watchdog) or replaced" }),
  entry: Entry
}) {}

/** The watchdog found the timer running for 12 hours (paused stretches do not count), probably forgotten; once per timer. */
export class TimerRunningLong extends Schema.TaggedClass<TimerRunningLong>()("TimerRunningLong", {
  ...envelope,
  ...owner,
  timer: TimerView
}) {}

export class EntryCreated extends Schema.TaggedClass<EntryCreated>()("EntryCreated", {
  ...envelope,
  ...owner,
  entry: Entry
}) {}

export class EntryUpdated extends Schema.TaggedClass<EntryUpdated>()("EntryUpdated", {
  ...envelope,
  ...owner,
  entry: Entry,
  previous: Entry,
  reason: Schema.optionalWith(
    Schema.Literal("edited", "late_evidence").annotations({
      description: "edited: by its author; late_evidence: activity queued during an outage extended it"
    }),
    { default: () => "edited" as const }
  )
}) {}

export class EntryDeleted extends Schema.TaggedClass<EntryDeleted>()("EntryDeleted", {
  ...envelope,
  ...owner,
  entry: Entry
}) {}

export class ProjectCreated extends Schema.TaggedClass<ProjectCreated>()("ProjectCreated", {
  ...envelope,
  ...owner,
  project: Project
}) {}

export class ProjectUpdated extends Schema.TaggedClass<ProjectUpdated>()("ProjectUpdated", {
  ...envelope,
  ...owner,
  project: Project
}) {}

export class ProjectArchived extends Schema.TaggedClass<ProjectArchived>("ProjectArchivedEvent")("ProjectArchived", {
  ...envelope,
  ...owner,
  project: Project
}) {}

export class TaskCreated extends Schema.TaggedClass<TaskCreated>()("TaskCreated", {
  ...envelope,
  ...owner,
  task: Task
}) {}

export class TaskCompleted extends Schema.TaggedClass<TaskCompleted>()("TaskCompleted", {
  ...envelope,
  ...owner,
  task: Task
}) {}

/** A project's budget reached 80% or 100% in a period; reported once per (project, threshold, period). */
export class BudgetThresholdCrossed extends Schema.TaggedClass<BudgetThresholdCrossed>()("BudgetThresholdCrossed", {
  ...envelope,
  userId: Schema.NullOr(UserId).annotations({ description: "Author of the entry that crossed it" }),
  alertId: Schema.UUID,
  projectId: ProjectId,
  projectName: Schema.String,
  threshold: Threshold,
  metric: BudgetMetric,
  period: Schema.String.annotations({ description: "YYYY-MM for a monthly budget, \"total\" for an all-time one" }),
  hoursUsed: Schema.Number,
  hoursLimit: Schema.NullOr(Schema.Number),
  amountUsed: Schema.Number,
  amountLimit: Schema.NullOr(Schema.Number),
  currency: Schema.String,
  hardCap: Schema.Boolean,
  entryId: Schema.NullOr(EntryId)
}) {}

export class MemberJoined extends Schema.TaggedClass<MemberJoined>()("MemberJoined", {
  ...envelope,
  ...owner,
  member: Member
}) {}

export class MemberLeft extends Schema.TaggedClass<MemberLeft>()("MemberLeft", {
  ...envelope,
  ...owner,
  member: Member
}) {}

/** `userId` is the member removed; `removedBy` the owner who removed them. */
export class MemberRemoved extends Schema.TaggedClass<MemberRemoved>()("MemberRemoved", {
  ...envelope,
  ...owner,
  member: Member,
  removedBy: UserId
}) {}

/** `userId` is the member whose role changed; `changedBy` the owner who changed it. */
export class MemberRoleChanged extends Schema.TaggedClass<MemberRoleChanged>()("MemberRoleChanged", {
  ...envelope,
  ...owner,
  member: Member,
  previousRole: Role,
  changedBy: UserId
}) {}

/** A shared workspace created by `userId`, its owner, or the personal workspace of a new account. */
export class WorkspaceCreated extends Schema.TaggedClass<WorkspaceCreated>()("WorkspaceCreated", {
  ...envelope,
  ...owner,
  workspace: WorkspaceSettings
}) {}

/** An owner (`userId`) changed the workspace's name, currency, default rate or idle timeout. */
export class WorkspaceUpdated extends Schema.TaggedClass<WorkspaceUpdated>()("WorkspaceUpdated", {
  ...envelope,
  ...owner,
  workspace: WorkspaceSettings,
  previous: WorkspaceSettings
}) {}

/** Invite metadata only: the code is never part of an event. `userId` is the owner who acted. */
export class InviteCreated extends Schema.TaggedClass<InviteCreated>()("InviteCreated", {
  ...envelope,
  ...owner,
  invite: InviteDetails
}) {}

export class InviteRevoked extends Schema.TaggedClass<InviteRevoked>()("InviteRevoked", {
  ...envelope,
  ...owner,
  invite: InviteDetails
}) {}

/** Key metadata only: the secret is never part of an event. */
export class ApiKeyCreated extends Schema.TaggedClass<ApiKeyCreated>()("ApiKeyCreated", {
  ...envelope,
  ...owner,
  key: ApiKey
}) {}

export class ApiKeyRevoked extends Schema.TaggedClass<ApiKeyRevoked>()("ApiKeyRevoked", {
  ...envelope,
  ...owner,
  key: ApiKey
}) {}

export const DomainEvent = Schema.Union(
  TimerStarted,
  TimerPaused,
  TimerResumed,
  TimerMoved,
  TimerUpdated,
  TimerStopped,
  TimerRunningLong,
  EntryCreated,
  EntryUpdated,
  EntryDeleted,
  ProjectCreated,
  ProjectUpdated,
  ProjectArchived,
  TaskCreated,
  TaskCompleted,
  BudgetThresholdCrossed,
  MemberJoined,
  MemberLeft,
  MemberRemoved,
  MemberRoleChanged,
  WorkspaceCreated,
  WorkspaceUpdated,
  InviteCreated,
  InviteRevoked,
  ApiKeyCreated,
  ApiKeyRevoked
).annotations({ identifier: "DomainEvent" })
export type DomainEvent = typeof DomainEvent.Type

export type EventType = DomainEvent["_tag"]

/**
 * Who may read an event in a workspace's stream: owners read every event; besides them "user" events only
 * their `userId`, "workspace" events every member, "owners" events no one else.
 */
export const eventAudience: { readonly [T in EventType]: "user" | "workspace" | "owners" } = {
  TimerStarted: "user",
  TimerPaused: "user",
  TimerResumed: "user",
  TimerMoved: "user",
  TimerUpdated: "user",
  TimerStopped: "user",
  TimerRunningLong: "user",
  EntryCreated: "user",
  EntryUpdated: "user",
  EntryDeleted: "user",
  ProjectCreated: "workspace",
  ProjectUpdated: "workspace",
  ProjectArchived: "workspace",
  TaskCreated: "workspace",
  TaskCompleted: "workspace",
  BudgetThresholdCrossed: "workspace",
  MemberJoined: "workspace",
  MemberLeft: "workspace",
  MemberRemoved: "workspace",
  MemberRoleChanged: "workspace",
  WorkspaceCreated: "workspace",
  WorkspaceUpdated: "workspace",
  InviteCreated: "owners",
  InviteRevoked: "owners",
  ApiKeyCreated: "user",
  ApiKeyRevoked: "user"
}

export const eventTypes = Object.keys(eventAudience) as ReadonlyArray<EventType>

/**
 * The one name of each event type, used wherever an event leaves the server: the stream (`type`, `?types=`),
 * webhooks (the body's `type`, the subscription's `events`) and Zapier (triggers, items). Lower-case words
 * separated by a full stop (Standard Webhooks): the subject, then what happened.
 */
export const eventNames = {
  TimerStarted: "timer.started",
  TimerPaused: "timer.paused",
  TimerResumed: "timer.resumed",
  TimerMoved: "timer.moved",
  TimerUpdated: "timer.updated",
  TimerStopped: "timer.stopped",
  TimerRunningLong: "timer.running_long",
  EntryCreated: "entry.created",
  EntryUpdated: "entry.updated",
  EntryDeleted: "entry.deleted",
  ProjectCreated: "project.created",
  ProjectUpdated: "project.updated",
  ProjectArchived: "project.archived",
  TaskCreated: "task.created",
  TaskCompleted: "task.completed",
  BudgetThresholdCrossed: "budget_threshold.crossed",
  MemberJoined: "member.joined",
  MemberLeft: "member.left",
  MemberRemoved: "member.removed",
  MemberRoleChanged: "member_role.changed",
  WorkspaceCreated: "workspace.created",
  WorkspaceUpdated: "workspace.updated",
  InviteCreated: "invite.created",
  InviteRevoked: "invite.revoked",
  ApiKeyCreated: "api_key.created",
  ApiKeyRevoked: "api_key.revoked"
} as const satisfies { readonly [T in EventType]: string }

export type EventName = (typeof eventNames)[EventType]

/** `TimerStarted` → `timer.started`. */
export const wireEventType = <T extends EventType>(type: T): (typeof eventNames)[T] => eventNames[type]

const byWireName = new Map<string, EventType>(eventTypes.map((type) => [eventNames[type], type]))

export const wireEventTypes: ReadonlyArray<EventName> = eventTypes.map(wireEventType)

/** `timer.started` → `TimerStarted`; undefined for anything that is not an event's name. */
export const eventTypeOfWire = (name: string): EventType | undefined => byWireName.get(name)

/** The name of an event type given as it is spelled in code (`TimerStarted`); undefined for anything else. */
export const eventNameOf = (type: string): EventName | undefined =>
  Object.hasOwn(eventNames, type) ? eventNames[type as EventType] : undefined

/** An unknown name quoted for a refusal; a type spelled as in code points to its name. */
export const unknownEventName = (name: string): string => {
  const meant = eventNameOf(name)
  return meant === undefined ? JSON.stringify(name) : `${JSON.stringify(name)} (did you mean "${meant}"?)`
}

/** An event type by its name (`timer.started`), decoded into the type used in code. */
export const WireEventType = Schema.String.pipe(
  Schema.filter((name) => byWireName.has(name), {
    message: (issue) =>
      `${unknownEventName(String(issue.actual))} is not an event type; known: ${wireEventTypes.join(", ")}`
  })
).annotations({ identifier: "WireEventType", description: `One of ${wireEventTypes.join(", ")}` })

type EnvelopeKeys = "_tag" | keyof typeof envelope

/** One event type on the wire: the envelope with the event's own fields as `data`. */
const onTheWire = <Name extends EventName, Fields extends Schema.Struct.Fields>(
  name: Name,
  event: { readonly fields: Fields; readonly _tag: EventType }
) => {
  const { _tag: _t, id: _i, occurredAt: _o, version: _v, workspaceId: _w, ...data } = event.fields as Schema.Struct.Fields
  return Schema.Struct({
    id: EventId.annotations({ description: "Unique per event; the same in the stream, webhooks and Zapier" }),
    type: Schema.Literal(name),
    occurredAt: Schema.DateTimeUtc.annotations({ description: "When the change happened (ISO 8601, UTC)" }),
    workspaceId: WorkspaceId,
    data: Schema.Struct(data as Omit<Fields, EnvelopeKeys>)
  }).annotations({ identifier: `${event._tag}Event`, title: name })
}

/**
 * A domain event as every client sees it: `GET /api/events`, webhook deliveries and Zapier (deliveries and
 * `performList` samples) all carry this one envelope with the same names.
 *
 * ```json
 * {"id": "…", "type": "timer.started", "occurredAt": "2026-06-01T09:00:00.000Z", "workspaceId": "…",
 *  "data": {"userId": "…", "timer": {…}}}
 * ```
 *
 * - `type`: the event's name (see `eventNames`); one type always has one `data` schema, which only gains
 *   fields: a change that breaks it would get a new name.
 * - `data`: what changed, and `userId`, whose timer, entry, key or membership it is (or who acted).
 * - Webhooks (Standard Webhooks): the body is this envelope plus `timestamp`, which Standard Webhooks
 *   requires and which equals `occurredAt`; the `webhook-id` header is `id`, the same on every retry. The
 *   `webhook.test` message an owner sends by hand has the same shape, with `data: {endpointId}`.
 * - Zapier: each item is exactly this envelope; `id` is what Zapier deduplicates on.
 */
export const Event = Schema.Union(
  onTheWire("timer.started", TimerStarted),
  onTheWire("timer.paused", TimerPaused),
  onTheWire("timer.resumed", TimerResumed),
  onTheWire("timer.moved", TimerMoved),
  onTheWire("timer.updated", TimerUpdated),
  onTheWire("timer.stopped", TimerStopped),
  onTheWire("entry.created", EntryCreated),
  onTheWire("entry.updated", EntryUpdated),
  onTheWire("entry.deleted", EntryDeleted),
  onTheWire("project.created", ProjectCreated),
  onTheWire("project.updated", ProjectUpdated),
  onTheWire("project.archived", ProjectArchived),
  onTheWire("task.created", TaskCreated),
  onTheWire("task.completed", TaskCompleted),
  onTheWire("budget_threshold.crossed", BudgetThresholdCrossed),
  onTheWire("member.joined", MemberJoined),
  onTheWire("member.left", MemberLeft),
  onTheWire("member.removed", MemberRemoved),
  onTheWire("member_role.changed", MemberRoleChanged),
  onTheWire("workspace.created", WorkspaceCreated),
  onTheWire("workspace.updated", WorkspaceUpdated),
  onTheWire("invite.created", InviteCreated),
  onTheWire("invite.revoked", InviteRevoked),
  onTheWire("api_key.created", ApiKeyCreated),
  onTheWire("api_key.revoked", ApiKeyRevoked)
).annotations({ identifier: "Event" })
export type Event = typeof Event.Type

/** The envelope of a domain event: its own fields become `data`. */
export const toEvent = (event: DomainEvent): Event => {
  const { _tag, id, occurredAt, version: _version, workspaceId, ...data } = event
  return { id, type: eventNames[_tag], occurredAt, workspaceId, data } as Event
}

/**
 * A position in a workspace's stream; opaque to clients, authenticated by the server (a cursor it did not
 * issue, or one issued for another workspace, is refused).
 */
export const EventCursor = Schema.String.pipe(
  Schema.pattern(/^[A-Za-z0-9_-]{43}$/, { message: () => "must be a cursor this API returned (nextCursor)" })
).annotations({ identifier: "EventCursor", description: "nextCursor of the previous page; omit to read from the start" })

export class EventPage extends Schema.Class<EventPage>("EventPage")({
  events: Schema.Array(Event),
  nextCursor: EventCursor.annotations({
    description: "Pass as `after` to continue; equals `after` when nothing new has been committed yet"
  }),
  hasMore: Schema.Boolean.annotations({ description: "true when another page is ready now" })
}) {}

export const EventsQuery = Schema.Struct({
  after: Schema.optional(Schema.String.annotations({
    description: "nextCursor of the previous page; omit to read from the start of the stream"
  })),
  types: Schema.optional(Schema.String.annotations({
    description: "Comma-separated event names to return, e.g. timer.started,entry.created; omit for all"
  })),
  limit: Schema.optional(
    Schema.NumberFromString.pipe(
      Schema.int({ message: () => "must be a whole number" }),
      Schema.between(1, 500, { message: () => "must be between 1 and 500" })
    ).annotations({ description: "Events per page (1-500, default 100)" })
  )
}).annotations({ identifier: "EventsQuery" })
export type EventsQuery = typeof EventsQuery.Type
