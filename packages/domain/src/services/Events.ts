import { SqlClient } from "@effect/sql"
import { DateTime, Effect, Either, Option, Schema } from "effect"
import { CurrentActor } from "../contract/Actor.js"
import { InvalidInput } from "../contract/Errors.js"
import {
  DomainEvent,
  eventAudience,
  EventPage,
  eventTypeOfWire,
  eventTypes,
  toEvent,
  unknownEventName,
  wireEventTypes
} from "../contract/Events.js"
import type { EventsQuery, EventType } from "../contract/Events.js"
import { WorkspaceNotFound } from "../contract/Workspace.js"
import { EventsRepo } from "../repos/EventsRepo.js"
import type { StreamPosition } from "../repos/EventsRepo.js"
import { decodeCursor, encodeCursor } from "./EventCursor.js"
import { WorkspacesRepo } from "../repos/WorkspacesRepo.js"

export interface PublishOptions {
  /** A second event with the same key is a unique violation: use only where the change itself is deduplicated. */
  readonly dedupeKey?: string | undefined
}

const encode = Schema.encode(DomainEvent)

const START: StreamPosition = { xid: "0", seq: 0 }

const parseTypes = (list: string): Either.Either<ReadonlyArray<EventType>, InvalidInput> => {
  const names = list.split(",").map((name) => name.trim()).filter((name) => name !== "")
  const unknown = names.filter((name) => eventTypeOfWire(name) === undefined)
  if (unknown.length > 0 || names.length === 0) {
    return Either.left(
      new InvalidInput({
        field: "types",
        message: `${
          names.length === 0
            ? "types is empty"
            : `Unknown event type${unknown.length > 1 ? "s" : ""} ${unknown.map(unknownEventName).join(", ")}`
        }; known types: ${wireEventTypes.join(", ")}`
      })
    )
  }
  return Either.right(names.map((name) => eventTypeOfWire(name)!))
}

const ownOnlyTypes = eventTypes.filter((type) => eventAudience[type] === "user")
const ownersOnlyTypes = eventTypes.filter((type) => eventAudience[type] === "owners")

/**
 * The one way to record a domain event. `publish` writes to the stream in the transaction of the change
 * it reports, so the event exists exactly when the change committed; it refuses (a defect) to run
 * outside a transaction, and never opens one of its own.
 */
export class Events extends Effect.Service<Events>()("@clockme/domain/Events", {
  effect: Effect.gen(function*() {
    const repo = yield* EventsRepo
    const workspaces = yield* WorkspacesRepo
    let cursorKey: Buffer | undefined
    /** Read once per process; failures (an outage) are not kept, so the next read tries again. */
    const key = Effect.suspend(() =>
      cursorKey === undefined
        ? Effect.tap(repo.serverKey("event-cursor"), (read) => void (cursorKey = read))
        : Effect.succeed(cursorKey)
    )

    const publish = Effect.fn("Events.publish")(function*(event: DomainEvent, options: PublishOptions = {}) {
      if (Option.isNone(yield* Effect.serviceOption(SqlClient.TransactionConnection))) {
        return yield* Effect.dieMessage(`Events.publish(${event._tag}) must run inside the transaction of its change`)
      }
      const payload = yield* encode(event).pipe(Effect.orDie)
      yield* repo.insert({
        id: event.id,
        workspaceId: event.workspaceId,
        userId: event.userId,
        type: event._tag,
        version: event.version,
        occurredAt: DateTime.toDate(event.occurredAt),
        payload,
        dedupeKey: options.dedupeKey ?? null
      })
    })

    /** One page of the active workspace's stream, as much of it as the caller may see. */
    const read = Effect.fn("Events.read")(function*(query: EventsQuery) {
      const actor = yield* CurrentActor
      const secret = yield* key
      const after = query.after === undefined ? START : yield* decodeCursor(secret, actor.workspaceId, query.after)
      const types = query.types === undefined ? undefined : yield* parseTypes(query.types)
      const membership = yield* workspaces.findMembership(actor.userId, actor.workspaceId)
      if (Option.isNone(membership)) {
        return yield* WorkspaceNotFound.byId(actor.workspaceId)
      }
      const limit = query.limit ?? 100
      const rows = yield* repo.page({
        workspaceId: actor.workspaceId,
        after,
        types,
        onlyOwn: membership.value.role === "owner"
          ? undefined
          : { userId: actor.userId, types: ownOnlyTypes, hidden: ownersOnlyTypes },
        limit: limit + 1
      })
      const page = rows.slice(0, limit)
      const last = page[page.length - 1]
      return new EventPage({
        events: page.map((row) => toEvent(row.event)),
        nextCursor: encodeCursor(secret, actor.workspaceId, last === undefined ? after : last.position),
        hasMore: rows.length > limit
      })
    })

    return { publish, read } as const
  }),
  dependencies: [EventsRepo.Default, WorkspacesRepo.Default]
}) {}
