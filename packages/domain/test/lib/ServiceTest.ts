import { SqlClient } from "@effect/sql"
import * as fs from "node:fs"
import { Effect, Layer, ManagedRuntime, Redacted } from "effect"
import { inject } from "vitest"
import type { Actor, KeyScope, Source } from "../../src/contract/Actor.js"
import { CurrentActor } from "../../src/contract/Actor.js"
import type { Plan } from "../../src/contract/User.js"
import type { CreateWorkspace } from "../../src/contract/Workspace.js"
import { DomainServicesLive } from "../../src/Domain.js"
import { Accounts } from "../../src/services/Accounts.js"
import { RateLimiter } from "../../src/services/RateLimiter.js"
import { Invites } from "../../src/services/Invites.js"
import { Workspaces } from "../../src/services/Workspaces.js"
import { pgliteLayer, postgresLayer } from "../../src/sql/Database.js"
import { adminQuery, cloneUrl, createTestDatabase, templateDatabase } from "./TestDatabase.js"

/**
 * The worker's database, opened once per test process and kept for every file that process runs: an
 * in-memory PGlite restored from the run's migrated image, or on PostgreSQL a database of its own cloned
 * from the run's migrated template (dropped by the global teardown).
 */
const openWorkerLayer = Layer.unwrapEffect(
  Effect.gen(function*() {
    const serverUrl = process.env.DATABASE_URL
    if (serverUrl) {
      const name = `${templateDatabase()}_w${process.env.VITEST_POOL_ID ?? "0"}_${process.pid}`
      yield* adminQuery(serverUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)
      yield* createTestDatabase(serverUrl, name)
      return postgresLayer(Redacted.make(cloneUrl(serverUrl, name)))
    }
    return pgliteLayer({ loadDataDir: new Blob([fs.readFileSync(inject("pgliteSnapshot"))]) })
  })
)

let worker: ManagedRuntime.ManagedRuntime<SqlClient.SqlClient, unknown> | undefined

/**
 * Opens the worker's database if it is not open yet. vitest.setup.ts calls it before each file's tests,
 * so the seconds a PGlite boot takes count against a hook's timeout, never a test's.
 */
export const openWorkerDatabase = () => {
  worker ??= ManagedRuntime.make(openWorkerLayer)
  return worker.runtime()
}

// A promise, so that a test interrupted while the database opens cannot interrupt the opening.
const workerContext = Effect.promise(openWorkerDatabase).pipe(Effect.map((runtime) => runtime.context))

let tables: ReadonlyArray<string> | undefined

/** Empties every table (the migrations' bookkeeping excepted), so each test starts from a newly migrated database. */
export const resetDatabase = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  tables ??= (yield* sql<{ name: string }>`
    SELECT tablename AS name FROM pg_tables
    WHERE schemaname = current_schema() AND tablename <> 'effect_sql_migrations'`).map((row) => row.name)
  if (tables.length > 0) yield* sql.unsafe(`TRUNCATE ${tables.map((t) => `"${t}"`).join(", ")} RESTART IDENTITY CASCADE`)
  // the one row a migration seeds: how far integrations have fanned out the event stream (from now on)
  yield* sql`INSERT INTO integration_cursor (id, xid, seq) VALUES (1, pg_current_xact_id(), 0)`
}).pipe(Effect.orDie)

/** The worker's database, emptied when the layer is built. */
export const WorkerDatabase: Layer.Layer<SqlClient.SqlClient> = Layer.effectDiscard(resetDatabase).pipe(
  Layer.provideMerge(Layer.effectContext(workerContext))
)

/**
 * Every domain service over the worker's database, emptied: give each test its own with
 * `Effect.provide(ServiceTest)`. The clock is the test's TestClock; no HTTP server is started.
 */
export const ServiceTest = DomainServicesLive.pipe(
  Layer.provideMerge(RateLimiter.memory),
  Layer.provideMerge(WorkerDatabase)
)

export interface TestAccount {
  readonly actor: Actor
  /** Runs a service call as this account (its CurrentActor). */
  readonly run: <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, Exclude<R, CurrentActor>>
  /** The same account acting with another scope, source or workspace. */
  readonly with: (patch: Partial<Omit<Actor, "userId">>) => TestAccount
}

const accountOf = (actor: Actor): TestAccount => ({
  actor,
  run: (effect) => Effect.provideService(effect, CurrentActor, actor),
  with: (patch) => accountOf({ ...actor, ...patch })
})

/** Runs an effect as the given actor. */
export const as = (actor: Actor) => <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.provideService(effect, CurrentActor, actor)

let accounts = 0

/** A new account acting in its personal workspace, with a full-scope key, through the API by default. */
export const signUp = (
  options: {
    readonly email?: string
    readonly plan?: Plan
    readonly scope?: KeyScope
    readonly source?: Source
  } = {}
) =>
  Effect.gen(function*() {
    const created = yield* Effect.flatMap(Accounts, (service) =>
      service.create({ email: options.email ?? `user${++accounts}@example.com`, plan: options.plan ?? "team" })).pipe(
        Effect.orDie
      )
    return accountOf({
      userId: created.user.id,
      workspaceId: created.user.activeWorkspaceId,
      keyId: created.apiKey.key.id,
      scope: options.scope ?? "full",
      source: options.source ?? "api"
    })
  })

/** A shared workspace owned by `owner` that every one of `members` has joined with an invite. */
export const sharedWorkspace = (owner: TestAccount, members: ReadonlyArray<TestAccount>, input: CreateWorkspace) =>
  Effect.gen(function*() {
    const workspaces = yield* Workspaces
    const invites = yield* Invites
    const workspace = yield* owner.run(workspaces.create(input))
    const invite = yield* owner.run(invites.createInvite(workspace.id, null))
    for (const member of members) yield* member.run(invites.join(invite.code))
    return workspace.id
  }).pipe(Effect.orDie)
