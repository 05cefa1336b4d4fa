import { pgliteLayer, postgresLayer } from "@clockme/domain/sql/Database"
import * as path from "node:path"
import { Config, Effect, Layer, Option, Redacted } from "effect"
import { lockDataDir } from "./DataDirLock.js"

export const DataDir = Config.string("CLOCKME_DATA_DIR").pipe(Config.withDefault(".clockme"))

/** PostgreSQL when DATABASE_URL is set, else the embedded database in CLOCKME_DATA_DIR (default ./.clockme). */
export const DatabaseLive = Layer.unwrapScoped(
  Effect.gen(function*() {
    const url = yield* Config.option(Config.redacted("DATABASE_URL")).pipe(
      Effect.map(Option.filter((value) => Redacted.value(value).trim() !== ""))
    )
    if (Option.isSome(url)) {
      yield* Effect.logInfo("Database: PostgreSQL (DATABASE_URL)")
      return postgresLayer(url.value)
    }
    const dataDir = path.resolve(yield* DataDir)
    yield* lockDataDir(dataDir)
    yield* Effect.logInfo(`Database: embedded PGlite in ${dataDir}`)
    return pgliteLayer({ dataDir: path.join(dataDir, "pgdata") })
  })
)
