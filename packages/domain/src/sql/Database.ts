import { Migrator } from "@effect/sql"
import { SqlError } from "@effect/sql/SqlError"
import { PgClient } from "@effect/sql-pg"
import { Duration, Effect, Layer, type Redacted, String } from "effect"
import pg from "pg"
import { migrations } from "./Migrations.js"

// numeric and int8 arrive as strings from node-postgres; our numerics are money with two decimals and
// second counts, both exact as doubles, and sums are done in SQL before they reach JS.
const parseNumber = (value: string) => Number(value)
const types: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: "text" | "binary") =>
    oid === 1700 || oid === 20 ? parseNumber : pg.types.getTypeParser(oid, format)) as pg.CustomTypesConfig["getTypeParser"]
}

const naming = {
  transformQueryNames: String.camelToSnake,
  transformResultNames: String.snakeToCamel,
  types
} as const

/**
 * PostgreSQL server named by a connection URL. A connection that does not come within 5 s fails (the pool's
 * default is to wait forever), so a database that is down answers requests quickly instead of holding them.
 */
export const postgresLayer = (url: Redacted.Redacted<string>) =>
  PgClient.layer({ url, connectTimeout: Duration.seconds(5), ...naming })

export interface PgliteOptions {
  /** A directory on disk, or undefined for an in-memory database. */
  readonly dataDir?: string | undefined
  /** A migrated image made by `dumpDataDir`, to skip initdb. */
  readonly loadDataDir?: Blob | undefined
}

/**
 * The embedded server's postgresql.conf, written on every open. PostgreSQL's default 128 MB of shared
 * buffers grows PGlite's WebAssembly heap by as much, for a database that is one user's time entries.
 */
const embeddedConf = ["shared_buffers = 16MB", "wal_buffers = 1MB"].join("\n")

/**
 * Embedded PostgreSQL (PGlite, in-process), reached through node-postgres so SQL behaves as on a server.
 * PGlite is imported here, when the layer is built, so a server on PostgreSQL never loads it.
 */
export const pgliteLayer = (options: PgliteOptions) =>
  PgClient.layerFromPool({
    acquire: Effect.gen(function*() {
      const [{ PGlite }, { createPgConfig }] = yield* Effect.promise(() =>
        Promise.all([import("@electric-sql/pglite"), import("@electric-sql/pglite/node-postgres")])
      )
      const db = yield* Effect.acquireRelease(
        Effect.tryPromise({
          try: () =>
            PGlite.create({
              postgresqlconf: embeddedConf,
              ...(options.dataDir === undefined ? {} : { dataDir: options.dataDir }),
              ...(options.loadDataDir === undefined ? {} : { loadDataDir: options.loadDataDir })
            }),
          catch: (cause) => new SqlError({ cause, message: "Could not open the embedded database" })
        }),
        (db) => Effect.promise(() => db.close())
      )
      return yield* Effect.acquireRelease(
        Effect.sync(() => new pg.Pool({ ...createPgConfig(db), max: 1, idleTimeoutMillis: 0, types })),
        (pool) => Effect.promise(() => pool.end())
      )
    }),
    ...naming
  })

export const runMigrations = Migrator.make({})({ loader: migrations })

/** Runs every pending migration when built. */
export const MigrationsLive = Layer.effectDiscard(runMigrations)
