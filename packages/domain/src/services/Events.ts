import { SqlClient } from "@effect/sql"
import { DateTime, Effect, Option, Schema } from "effect"
import { DomainEvent } from "../contract/Events.js"
import { EventsRepo } from "../repos/EventsRepo.js"

export interface PublishOptions {
  /** A second event with the same key is a unique violation: use only where the change itself is deduplicated. */
  readonly dedupeKey?: string | undefined
}

const encode = Schema.encode(DomainEvent)

/**
 * The one way to record a domain event. `publish` writes to the stream in the transaction of the change
 * it reports, so the event exists exactly when the change committed; it refuses (a defect) to run
 * outside a transaction, and never opens one of its own.
 */
export class Events extends Effect.Service<Events>()("@clockme/domain/Events", {
  effect: Effect.gen(function*() {
    const repo = yield* EventsRepo

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

    return { publish } as const
  }),
  dependencies: [EventsRepo.Default]
}) {}
