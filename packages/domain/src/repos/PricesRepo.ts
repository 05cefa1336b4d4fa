import { SqlClient } from "@effect/sql"
import { Effect, Option } from "effect"
import type { ModelPrice, PriceTable } from "../contract/PriceTable.js"

export class PricesRepo extends Effect.Service<PricesRepo>()("@clockme/domain/PricesRepo", {
  effect: Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient

    /** The id and version of the newest loaded table, if any. */
    const latest = sql<{ readonly id: string; readonly version: string }>`
      SELECT id::text AS id, version FROM price_tables ORDER BY id DESC LIMIT 1`.pipe(
      Effect.map((rows) => Option.fromNullable(rows[0])),
      Effect.orDie
    )

    const load = (id: string) =>
      // as text: the client would rename the prices' snake_case keys of a jsonb value
      sql<{ readonly version: string; readonly models: string }>`
        SELECT version, models::text AS models FROM price_tables WHERE id = ${id}::bigint`.pipe(
        Effect.map((rows): PriceTable => ({
          version: rows[0]!.version,
          models: JSON.parse(rows[0]!.models) as Record<string, ModelPrice>
        })),
        Effect.orDie
      )

    const insert = (table: PriceTable, now: Date) =>
      sql`INSERT INTO price_tables (version, models, loaded_at)
          VALUES (${table.version}, ${JSON.stringify(table.models)}::jsonb, ${now})`.pipe(Effect.asVoid, Effect.orDie)

    return { latest, load, insert } as const
  })
}) {}
