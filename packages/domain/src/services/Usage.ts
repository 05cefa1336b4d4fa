import { SqlClient } from "@effect/sql"
import { DateTime, Effect } from "effect"
import { CurrentActor } from "../contract/Actor.js"
import type { OtlpLogsRequest } from "../contract/Usage.js"
import { OtlpLogsResponse } from "../contract/Usage.js"
import type { NewUsage } from "../repos/UsageRepo.js"
import { UsageRepo } from "../repos/UsageRepo.js"
import { transactional } from "../sql/Transactional.js"
import { readApiRequests } from "./OtlpEvents.js"
import { PriceTables } from "./PriceTables.js"
import { computeCost } from "./Prices.js"

/** At most this many rejected records are named in a partial success; the count covers them all. */
const MAX_NAMED_REJECTIONS = 5

/** AI usage: requests reported by the AI tools, stored once each and attached to the timer of their session. */
export class Usage extends Effect.Service<Usage>()("@clockme/domain/Usage", {
  effect: Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const repo = yield* UsageRepo
    const prices = yield* PriceTables

    /** An OTLP logs export: its `claude_code.api_request` events are stored, every other event is ignored. */
    const ingestOtlp = Effect.fn("Usage.ingestOtlp")(function*(request: OtlpLogsRequest) {
      const actor = yield* CurrentActor
      const now = yield* DateTime.now
      const { rejected, requests } = readApiRequests(request, DateTime.toDate(now))
      const table = yield* prices.current
      const unpriced = new Set<string>()
      for (const found of requests) {
        const priced = found.costUsd === undefined ? computeCost(found.model, found, table) : undefined
        if (found.costUsd === undefined && priced === undefined) unpriced.add(found.model)
        const usage: NewUsage = {
          ...found,
          workspaceId: actor.workspaceId,
          userId: actor.userId,
          costUsd: found.costUsd ?? priced ?? null,
          costSource: found.costUsd !== undefined ? "reported" : priced !== undefined ? "computed" : "unpriced",
          priceVersion: found.costUsd === undefined && priced !== undefined ? table.version : null
        }
        yield* repo.insert(usage, DateTime.toDate(now))
      }
      // OTLP lets a full success carry a warning: a partialSuccess with no rejected record
      const warning = unpriced.size === 0
        ? []
        : [`stored without a cost, as the price table does not know the model: ${[...unpriced].sort().join(", ")}`]
      if (rejected.length === 0 && warning.length === 0) return new OtlpLogsResponse({})
      const named = rejected.slice(0, MAX_NAMED_REJECTIONS).join("; ")
      const more = rejected.length - MAX_NAMED_REJECTIONS
      const rejection = rejected.length === 0 ? [] : [more > 0 ? `${named}; and ${more} more` : named]
      return new OtlpLogsResponse({
        partialSuccess: {
          rejectedLogRecords: String(rejected.length),
          errorMessage: [...rejection, ...warning].join("; ")
        }
      })
    }, transactional(sql))

    return { ingestOtlp } as const
  }),
  dependencies: [UsageRepo.Default, PriceTables.Default]
}) {}
