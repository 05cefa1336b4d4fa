import { SqlClient } from "@effect/sql"
import { DateTime, Effect } from "effect"
import { CurrentActor } from "../contract/Actor.js"
import { InvalidInput } from "../contract/Errors.js"
import type { HookUsage } from "../contract/HookUsage.js"
import { UsageRepo } from "../repos/UsageRepo.js"
import { transactional } from "../sql/Transactional.js"
import { PriceTables } from "./PriceTables.js"
import { computeCost } from "./Prices.js"

/** A request dated further ahead than this is refused: a wrong clock, not usage. */
const FUTURE_SLACK_MS = 24 * 3_600_000

/**
 * The AI usage a hook read from the tool's own records, sent with a heartbeat or stop: stored once per key,
 * priced from the table (a hook never has the client's own cost), attached to the session's timer or entry.
 */
export class HookUsageIntake extends Effect.Service<HookUsageIntake>()("@clockme/domain/HookUsageIntake", {
  effect: Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const repo = yield* UsageRepo
    const prices = yield* PriceTables

    const store = Effect.fn("HookUsageIntake.store")(function*(sessionId: string, usage: ReadonlyArray<HookUsage>) {
      const actor = yield* CurrentActor
      const now = DateTime.toDate(yield* DateTime.now)
      const table = yield* prices.current
      for (const found of usage) {
        const priced = computeCost(found.model, found, table)
        yield* repo.insert({
          workspaceId: actor.workspaceId,
          userId: actor.userId,
          sessionId,
          requestKey: found.key,
          model: found.model,
          inputTokens: found.inputTokens,
          outputTokens: found.outputTokens,
          cacheReadTokens: found.cacheReadTokens,
          cacheCreationTokens: found.cacheCreationTokens,
          costUsd: priced ?? null,
          costSource: priced === undefined ? "unpriced" : "computed",
          priceVersion: priced === undefined ? null : table.version,
          occurredAt: found.at === undefined ? now : DateTime.toDate(found.at)
        }, now)
      }
    }, transactional(sql))

    /**
     * Runs the heartbeat or stop, then stores its usage (so usage of a session the heartbeat just started
     * joins that timer); usage is stored even when the timer call is refused, since the requests were made.
     */
    const around = <A, E, R>(
      input: { readonly sessionId?: string | undefined; readonly usage?: ReadonlyArray<HookUsage> | undefined },
      operation: Effect.Effect<A, E, R>
    ): Effect.Effect<A, E | InvalidInput, R | CurrentActor> => {
      const usage = input.usage ?? []
      // the usual heartbeat carries no usage: the operation itself, without a generator around it
      if (usage.length === 0) return operation
      return Effect.gen(function*() {
        if (input.sessionId === undefined) {
          return yield* new InvalidInput({ field: "usage", message: "usage needs the sessionId it was recorded in" })
        }
        const now = DateTime.toEpochMillis(yield* DateTime.now)
        const late = usage.findIndex((u) => u.at !== undefined && DateTime.toEpochMillis(u.at) > now + FUTURE_SLACK_MS)
        if (late >= 0) {
          return yield* new InvalidInput({ field: `usage[${late}].at`, message: "lies more than a day in the future" })
        }
        const sessionId = input.sessionId
        return yield* operation.pipe(
          Effect.tap(() => store(sessionId, usage)),
          Effect.tapError(() => store(sessionId, usage))
        )
      })
    }

    return { around } as const
  }),
  dependencies: [UsageRepo.Default, PriceTables.Default]
}) {}
