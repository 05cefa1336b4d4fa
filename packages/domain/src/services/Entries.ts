import { SqlClient } from "@effect/sql"
import { DateTime, Effect, Either, Option, Schema } from "effect"
import { CurrentActor } from "../contract/Actor.js"
import { Entry, EntryNotFound, EntryPage } from "../contract/Entry.js"
import type { CreateEntry, ListEntriesQuery, UpdateEntry } from "../contract/Entry.js"
import { Forbidden, InvalidInput } from "../contract/Errors.js"
import { EntryCreated, EntryDeleted, EntryUpdated } from "../contract/Events.js"
import { EntryId } from "../contract/Ids.js"
import { Instant } from "../contract/Timestamp.js"
import { AccountsRepo } from "../repos/AccountsRepo.js"
import { EntriesRepo } from "../repos/EntriesRepo.js"
import { Budgets } from "./Budgets.js"
import { Events } from "./Events.js"
import { Idempotency } from "./Idempotency.js"
import { ensureActive, Projects } from "./Projects.js"
import { Tasks } from "./Tasks.js"
import { transactional } from "../sql/Transactional.js"

const MAX_ENTRY_MS = 24 * 60 * 60 * 1000
/** Time tracked before this is a typo (a year 0026 or 1026), not work to bill. */
const EARLIEST = DateTime.unsafeMake("2000-01-01T00:00:00Z")

const Cursor = Schema.parseJson(Schema.Struct({ t: Instant, id: EntryId }))
const encodeCursor = (entry: Entry) =>
  Buffer.from(JSON.stringify({ t: DateTime.formatIso(entry.startTime), id: entry.id })).toString("base64url")
const decodeCursor = (cursor: string) =>
  Schema.decodeUnknownEither(Cursor)(Buffer.from(cursor, "base64url").toString("utf8")).pipe(
    Either.map(({ id, t }) => ({ startTime: DateTime.toDate(t), id })),
    Either.mapLeft(() => new InvalidInput({ field: "cursor", message: "cursor is not one this API returned" }))
  )

/** Checks and computes the span of an entry from start plus end or duration. */
const span = (start: DateTime.Utc, end: DateTime.Utc, now: DateTime.Utc) => {
  const ms = DateTime.distance(start, end)
  if (ms <= 0) return Either.left(new InvalidInput({ field: "endTime", message: "endTime must be after startTime" }))
  if (ms < 1000) return Either.left(new InvalidInput({ field: "endTime", message: "An entry must be at least 1 second long" }))
  if (ms > MAX_ENTRY_MS) {
    return Either.left(new InvalidInput({ field: "endTime", message: "An entry can be at most 24 hours long; split longer work" }))
  }
  if (DateTime.greaterThan(start, DateTime.add(now, { days: 1 }))) {
    return Either.left(new InvalidInput({ field: "startTime", message: "startTime is more than a day in the future" }))
  }
  if (DateTime.lessThan(start, EARLIEST)) {
    return Either.left(new InvalidInput({ field: "startTime", message: "startTime is before the year 2000" }))
  }
  return Either.right(Math.round(ms / 1000))
}

const endFrom = (start: DateTime.Utc, input: { readonly durationMinutes?: number | undefined; readonly endTime?: DateTime.Utc | undefined }) => {
  if (input.durationMinutes !== undefined && input.endTime !== undefined) {
    return Either.left(new InvalidInput({ field: "endTime", message: "Give either durationMinutes or endTime, not both" }))
  }
  if (input.endTime !== undefined) return Either.right(Option.some(input.endTime))
  if (input.durationMinutes !== undefined) {
    return Either.right(Option.some(DateTime.add(start, { millis: Math.round(input.durationMinutes * 60_000) })))
  }
  return Either.right(Option.none<DateTime.Utc>())
}

export class Entries extends Effect.Service<Entries>()("@clockme/domain/Entries", {
  effect: Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const repo = yield* EntriesRepo
    const budgets = yield* Budgets
    const accounts = yield* AccountsRepo
    const projects = yield* Projects
    const tasks = yield* Tasks
    const events = yield* Events
    const idempotency = yield* Idempotency

    const createNow = Effect.fn("Entries.create")(function*(input: CreateEntry) {
      const actor = yield* CurrentActor
      const project = yield* projects.get(input.projectId).pipe(Effect.flatMap(ensureActive))
      const task = input.taskId == null ? null : yield* tasks.getInProject(input.taskId, project.id)
      yield* budgets.ensureCanTrack(project.id)
      const now = yield* DateTime.now
      const end = yield* endFrom(input.startTime, input)
      if (Option.isNone(end)) {
        return yield* new InvalidInput({ field: "durationMinutes", message: "Give durationMinutes or endTime" })
      }
      const durationSeconds = yield* span(input.startTime, end.value, now)
      const { entry } = yield* repo.insert({
        workspaceId: actor.workspaceId,
        userId: actor.userId,
        projectId: project.id,
        taskId: task?.id ?? null,
        timerId: null,
        description: input.description ?? null,
        startTime: DateTime.toDate(input.startTime),
        endTime: DateTime.toDate(end.value),
        durationSeconds,
        pausedSeconds: 0,
        billable: input.billable ?? project.billable,
        source: input.source ?? actor.source,
        stopReason: null,
        idempotencyKey: input.idempotencyKey ?? null,
        createdByKeyId: actor.keyId,
        now: DateTime.toDate(now)
      })
      yield* events.publish(new EntryCreated({ occurredAt: now, workspaceId: entry.workspaceId, userId: entry.userId, entry }))
      yield* budgets.recordUsage(entry)
      return entry
    }, transactional(sql))

    /** A repeat with the same key returns the first entry and logs nothing. */
    const create = (input: CreateEntry) =>
      idempotency.once(input.idempotencyKey, "entries.create", Entry, createNow(input))

    const findOwn = Effect.fn("Entries.findOwn")(function*(id: EntryId, verb: string) {
      const actor = yield* CurrentActor
      const found = yield* repo.findById(actor.workspaceId, id)
      if (Option.isNone(found)) {
        return yield* new EntryNotFound({ entryId: id, message: `Entry ${id} not found in the active workspace` })
      }
      if (found.value.userId !== actor.userId) {
        return yield* new Forbidden({ message: `Only the author of entry ${id} can ${verb} it` })
      }
      return found.value
    })

    const update = Effect.fn("Entries.update")(function*(id: EntryId, patch: UpdateEntry) {
      const entry = yield* findOwn(id, "edit")
      const projectId = patch.projectId ?? entry.projectId
      const moved = projectId !== entry.projectId
      if (moved) {
        yield* projects.get(projectId).pipe(Effect.flatMap(ensureActive))
        yield* budgets.ensureCanTrack(projectId)
      }
      const taskId = patch.taskId === undefined ? (moved ? null : entry.taskId) : patch.taskId
      if (taskId !== null) yield* tasks.getInProject(taskId, projectId)
      const start = patch.startTime ?? entry.startTime
      const explicitEnd = yield* endFrom(start, patch)
      const end = Option.getOrElse(
        explicitEnd,
        () => patch.startTime === undefined ? entry.endTime : DateTime.add(start, { millis: DateTime.distance(entry.startTime, entry.endTime) })
      )
      const now = yield* DateTime.now
      const wallSeconds = yield* span(start, end, now)
      const timesChanged = Option.isSome(explicitEnd) || patch.startTime !== undefined
      const updated = yield* repo.update(entry.id, {
        projectId,
        taskId,
        description: patch.description === undefined ? entry.description : patch.description,
        startTime: DateTime.toDate(start),
        endTime: DateTime.toDate(end),
        durationSeconds: timesChanged ? wallSeconds : entry.durationSeconds,
        billable: patch.billable ?? entry.billable,
        now: DateTime.toDate(now)
      })
      yield* events.publish(
        new EntryUpdated({ occurredAt: now, workspaceId: updated.workspaceId, userId: updated.userId, entry: updated, previous: entry })
      )
      yield* budgets.recordUsage(updated)
      return updated
    }, transactional(sql))

    const remove = Effect.fn("Entries.remove")(function*(id: EntryId) {
      const entry = yield* findOwn(id, "delete")
      if (!(yield* repo.remove(entry.id))) return
      const now = yield* DateTime.now
      yield* events.publish(new EntryDeleted({ occurredAt: now, workspaceId: entry.workspaceId, userId: entry.userId, entry }))
    }, transactional(sql))

    const list = Effect.fn("Entries.list")(function*(query: ListEntriesQuery) {
      const actor = yield* CurrentActor
      if (query.projectId !== undefined) yield* projects.get(query.projectId)
      if (query.from !== undefined && query.to !== undefined && query.to < query.from) {
        return yield* new InvalidInput({ field: "to", message: "to must not be before from" })
      }
      const after = query.cursor === undefined ? undefined : yield* decodeCursor(query.cursor)
      const user = yield* accounts.findUserById(actor.userId).pipe(Effect.flatMap(Effect.orDie))
      const limit = query.limit ?? 50
      // Members read each other's entries in a shared workspace; by default the list is the caller's own.
      const rows = yield* repo.list({
        userId: query.scope === "workspace" ? query.userId : query.userId ?? actor.userId,
        workspaceId: actor.workspaceId,
        timezone: user.timezone,
        projectId: query.projectId,
        from: query.from,
        to: query.to,
        after,
        limit: limit + 1
      })
      const page = rows.slice(0, limit)
      const last = page[page.length - 1]
      // the entries are made by the repository; checking 500 of them again here cost as much as the query
      return new EntryPage({ entries: page, nextCursor: rows.length > limit && last ? encodeCursor(last) : null }, true)
    })

    return { create, update, remove, list } as const
  }),
  dependencies: [
    EntriesRepo.Default,
    AccountsRepo.Default,
    Projects.Default,
    Tasks.Default,
    Budgets.Default,
    Events.Default,
    Idempotency.Default
  ]
}) {}
