import { execFile } from "node:child_process"
import { randomBytes } from "node:crypto"
import { promisify } from "node:util"
import { Effect, Redacted } from "effect"
import pg from "pg"
import type { TestProject } from "vitest/node"
import { postgresLayer, runMigrations } from "./packages/domain/src/sql/Database.js"
import { buildSnapshot } from "./packages/domain/test/lib/Snapshot.js"

const onServer = async <A>(url: string, f: (client: pg.Client) => Promise<A>) => {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return await f(client)
  } finally {
    await client.end()
  }
}

/**
 * Tests that spawn the bins run the built JavaScript, so every run bundles it unless it was built from exactly
 * the current sources (scripts/bundle.mjs): a stale dist never passes.
 */
const bundle = () =>
  promisify(execFile)("npm", ["run", "bundle"], { cwd: import.meta.dirname, maxBuffer: 16 * 1024 * 1024 }).catch((error) => {
    throw new Error(`npm run bundle failed:\n${error.stdout ?? ""}\n${error.stderr ?? ""}`)
  })

/**
 * One migrated database for the whole run, since migrating costs seconds: a PGlite image, or on
 * PostgreSQL a template database that every test database is cloned from (all dropped at the end).
 */
export default async function setup(project: TestProject) {
  const [teardown] = await Promise.all([prepareDatabase(project), bundle()])
  return teardown
}

const prepareDatabase = async (project: TestProject) => {
  const serverUrl = process.env.DATABASE_URL
  if (!serverUrl) {
    project.provide("pgliteSnapshot", await buildSnapshot())
    project.provide("pgTemplate", "")
    return
  }
  const template = `clockme_run_${randomBytes(4).toString("hex")}`
  await onServer(serverUrl, (admin) => admin.query(`CREATE DATABASE "${template}"`))
  const url = new URL(serverUrl)
  url.pathname = `/${template}`
  await Effect.runPromise(runMigrations.pipe(Effect.provide(postgresLayer(Redacted.make(url.toString())))))
  project.provide("pgliteSnapshot", "")
  project.provide("pgTemplate", template)
  return () =>
    onServer(serverUrl, async (admin) => {
      const { rows } = await admin.query<{ name: string }>(
        "SELECT datname AS name FROM pg_database WHERE datname LIKE $1",
        [`${template}%`]
      )
      for (const { name } of rows) await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)
    })
}
