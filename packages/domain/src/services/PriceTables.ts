import { Data, DateTime, Effect, Either, Option, Ref } from "effect"
import type { PriceTable } from "../contract/PriceTable.js"
import { PricesRepo } from "../repos/PricesRepo.js"
import { PINNED_PRICES } from "./PinnedPrices.js"
import { readPriceFile } from "./Prices.js"

/** A price file that cannot be loaded; nothing was stored. */
export class InvalidPriceFile extends Data.TaggedError("InvalidPriceFile")<{ readonly message: string }> {}

/**
 * The price table in force: the newest one `prices update` loaded into the database, else the pinned one.
 * Another process may load a table at any time, so the newest id is read on each use and the table itself
 * only when it changed.
 */
export class PriceTables extends Effect.Service<PriceTables>()("@clockme/domain/PriceTables", {
  effect: Effect.gen(function*() {
    const repo = yield* PricesRepo
    const cache = yield* Ref.make<{ readonly id: string; readonly table: PriceTable } | undefined>(undefined)

    const current = Effect.gen(function*() {
      const latest = yield* repo.latest
      if (Option.isNone(latest)) return PINNED_PRICES
      const cached = yield* Ref.get(cache)
      if (cached?.id === latest.value.id) return cached.table
      const table = yield* repo.load(latest.value.id)
      yield* Ref.set(cache, { id: latest.value.id, table })
      return table
    })

    /** Loads a newer copy of the public price file; the previous versions stay, for the costs computed with them. */
    const update = Effect.fn("PriceTables.update")(function*(text: string) {
      const now = yield* DateTime.now
      const read = readPriceFile(text, DateTime.formatIsoDateUtc(now))
      if (Either.isLeft(read)) return yield* Effect.fail(new InvalidPriceFile({ message: read.left }))
      const previous = yield* current
      yield* repo.insert(read.right, DateTime.toDate(now))
      return { version: read.right.version, models: Object.keys(read.right.models).length, previous: previous.version }
    })

    return { current, update } as const
  }),
  dependencies: [PricesRepo.Default]
}) {}
