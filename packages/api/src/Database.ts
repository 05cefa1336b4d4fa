import { pgliteLayer, postgresLayer } from "@clockme/domain/sql/Database"
import * as fs from "node:fs"
import * as path from "node:path"
import * as v8 from "node:v8"
import { Config, Effect, Layer, Option, Redacted } from "effect"
import { lockDataDir } from "./DataDirLock.js"
import { EmbeddedVacuumLive } from "./EmbeddedVacuum.js"

export const DataDir = Config.string("CLOCKME_DATA_DIR").pipe(Config.withDefault(".clockme"))

/**
 * A new embedded database starts from the image the build made (scripts/seed.mjs, next to the bundle):
 * initialized and migrated already, it opens in a fraction of the time initdb takes. Run from sources
 * (tsx) there is no image, and PGlite runs initdb.
 */
const newDatabaseSeed = Effect.sync(() => {
  const file = new URL("./pgdata-seed.tar.gz", import.meta.url)
  return fs.existsSync(file) ? new Blob([fs.readFileSync(file)]) : undefined
})

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
    // PGlite's WebAssembly is compiled by as many background tasks as V8 likes; each leaves memory in its
    // thread's malloc arena, about 50 MB of resident memory on two cores for no faster start.
    v8.setFlagsFromString("--wasm-num-compilation-tasks=1")
    const pgdata = path.join(dataDir, "pgdata")
    const seed = fs.existsSync(path.join(pgdata, "PG_VERSION")) ? undefined : yield* newDatabaseSeed
    return EmbeddedVacuumLive.pipe(
      Layer.provideMerge(pgliteLayer({ dataDir: pgdata, ...(seed === undefined ? {} : { loadDataDir: seed }) }))
    )
  })
)
