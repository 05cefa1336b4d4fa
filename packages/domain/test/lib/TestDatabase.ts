import { SqlError } from "@effect/sql/SqlError"
import { randomBytes } from "node:crypto"
import * as fs from "node:fs"
import { Effect, Layer, Redacted } from "effect"
import pg from "pg"
import { inject } from "vitest"
import { MigrationsLive, pgliteLayer, postgresLayer } from "../../src/sql/Database.js"

declare module "vitest" {
  export interface ProvidedContext {
    readonly pgliteSnapshot: string
    /** On PostgreSQL: the run's migrated database that test databases are cloned from. */
    readonly pgTemplate: string
  }
}

/** Runs one statement on the server named by `url`, on a connection of its own (to create and drop databases). */
export const runStatement = async (url: string, text: string) => {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    await client.query(text)
  } finally {
    await client.end()
  }
}

/** `runStatement` as an effect. */
export const adminQuery = (url: string, text: string) =>
  Effect.tryPromise({
    try: () => runStatement(url, text),
    catch: (cause) => new SqlError({ cause, message: `Test database setup failed: ${text}` })
  })

/** The same server as `url`, another database. */
export const cloneUrl = (url: string, database: string) => {
  const parsed = new URL(url)
  parsed.pathname = `/${database}`
  return parsed.toString()
}

export const templateDatabase = () => inject("pgTemplate")

/** A new database on the server, cloned from the run's migrated template (no migrations to run). */
export const createTestDatabase = (serverUrl: string, name: string) =>
  adminQuery(serverUrl, `CREATE DATABASE "${name}" TEMPLATE "${templateDatabase()}"`)

/**
 * A fresh, migrated database for one test file: a PostgreSQL database of its own when DATABASE_URL is
 * set (dropped afterwards), otherwise an in-memory PGlite loaded from the run's migrated image.
 */
export const TestDatabase = Layer.unwrapScoped(
  Effect.gen(function*() {
    const serverUrl = process.env.DATABASE_URL
    if (serverUrl) {
      const name = `${templateDatabase()}_${randomBytes(6).toString("hex")}`
      yield* Effect.acquireRelease(
        createTestDatabase(serverUrl, name),
        () => Effect.ignore(adminQuery(serverUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`))
      )
      return postgresLayer(Redacted.make(cloneUrl(serverUrl, name)))
    }
    const image = new Blob([fs.readFileSync(inject("pgliteSnapshot"))])
    return pgliteLayer({ loadDataDir: image })
  })
)

export const MigratedTestDatabase = MigrationsLive.pipe(Layer.provideMerge(TestDatabase))
