import { Api } from "@clockme/domain/contract/api/Api"
import type { McpToolSpec } from "@clockme/domain/contract/api/McpTool"
import { McpTool } from "@clockme/domain/contract/api/McpTool"
import type { UserId } from "@clockme/domain/contract/Ids"
import type { HttpApiEndpoint, HttpApiGroup } from "@effect/platform"
import { HttpApiBuilder } from "@effect/platform"
import { SqlClient } from "@effect/sql"
import { expect } from "@effect/vitest"
import { randomBytes } from "node:crypto"
import { ConfigProvider, Context, Effect, Layer, Option, Runtime } from "effect"
import { createProject, keyWithScope, logEntry, setNow } from "../lib/Fixtures.js"
import { SEED } from "./Generators.js"
import { publicEndpoints } from "./Routes.js"
import type { CallOptions } from "../lib/TestServer.js"
import { call, fetchReply, TestServerManualSweep } from "../lib/TestServer.js"
import { requiredRole, requiredScope } from "@clockme/domain/contract/api/Access"
import type { KeyScope } from "@clockme/domain/contract/Actor"

/** One endpoint of the contract, as reflected from `Api`: never a hand-written list. */
export interface Endpoint {
  readonly group: string
  readonly name: string
  /** `group.name`, unique. */
  readonly id: string
  readonly method: string
  /** `/api/projects/:id`. */
  readonly path: string
  readonly pathParams: ReadonlyArray<string>
  readonly endpoint: HttpApiEndpoint.HttpApiEndpoint.AnyWithProps
  readonly tool: McpToolSpec | undefined
  /** The key scope the endpoint declares (RequiredScope; GET → read, otherwise write). */
  readonly scope: KeyScope
  /** Only owners may call it (RequiredRole). */
  readonly owner: boolean
  /** Needs an API key: every endpoint but those `publicEndpoints` names (stated as data, not read from the server). */
  readonly authenticated: boolean
}

/** Every endpoint of the contract, walked from `Api.groups`. */
export const endpoints: ReadonlyArray<Endpoint> = Object.values(
  Api.groups as unknown as Record<string, HttpApiGroup.HttpApiGroup.AnyWithProps>
)
  .flatMap((group) =>
    Object.values(group.endpoints).map((endpoint): Endpoint => ({
      group: group.identifier,
      name: endpoint.name,
      id: `${group.identifier}.${endpoint.name}`,
      method: endpoint.method,
      path: endpoint.path,
      pathParams: [...endpoint.path.matchAll(/:(\w+)/g)].map((match) => match[1]!),
      endpoint,
      tool: Option.getOrUndefined(Context.getOption(endpoint.annotations, McpTool)),
      scope: requiredScope(endpoint),
      owner: requiredRole(endpoint) !== undefined,
      authenticated: !publicEndpoints.has(`${group.identifier}.${endpoint.name}`)
    }))
  )

/** Percent-encodes a path segment; a lone surrogate becomes the bytes of one (invalid UTF-8, as a client may send). */
const segment = (value: string) => {
  try {
    return encodeURIComponent(value)
  } catch {
    return encodeURIComponent(value.replace(/[\ud800-\udfff]/g, "\ufffd")).replaceAll("%EF%BF%BD", "%ED%A0%80")
  }
}

/** Fills `:name` parameters of an endpoint's path. */
export const fillPath = (path: string, values: Record<string, string>) =>
  path.replace(/:(\w+)/g, (_, name: string) => segment(values[name] ?? ""))

/**
 * The server the proof files run against: no rate limits (thousands of requests from three accounts in a
 * frozen minute), a secret key so integrations can store secrets, and private targets allowed so a
 * webhook's test delivery goes to a closed loopback port instead of resolving names. The example plugin is on, so
 * its inbound route has a real connection to refuse; the router is in the context, so the proofs read its routes.
 */
export const ProofServer = Layer.merge(TestServerManualSweep, HttpApiBuilder.Router.Live).pipe(
  Layer.provide(
    Layer.setConfigProvider(
      ConfigProvider.fromMap(
        new Map([
          ["CLOCKME_RATE_LIMITS", "off"],
          ["CLOCKME_SECRET_KEY", randomBytes(32).toString("base64")],
          ["CLOCKME_WEBHOOKS_ALLOW_PRIVATE", "true"],
          ["CLOCKME_INTEGRATIONS", "webhooks,zapier,example"]
        ])
      ).pipe(ConfigProvider.orElse(() => ConfigProvider.fromEnv()))
    )
  )
)

/** A loopback port nothing listens on: deliveries there fail at once. */
export const CLOSED_TARGET = "http://127.0.0.1:9/hook"

const ok = (reply: { status: number; body: any }, what: string) => {
  if (reply.status >= 300) expect.fail(`${what}: ${reply.status} ${JSON.stringify(reply.body)}`)
  return reply.body
}

/** Everything one account owns, and the ids of it. */
export interface Holdings {
  readonly userId: string
  readonly full: string
  readonly write: string
  readonly read: string
  readonly personal: string
  readonly shared: string
  readonly project: string
  readonly sharedProject: string
  readonly task: string
  readonly entry: string
  readonly invite: string
  /** A key nobody calls with (revoking or rotating it harms no test). */
  readonly spareKey: string
  readonly webhook: string
  /** A delivery of `webhook` (its test message, failed). */
  readonly delivery: string
  readonly zap: string
  /** A connection of the example plugin (it has an inbound route). */
  readonly example: string
  readonly memberEntry: string
}

/**
 * Two owners who never share anything (alice and bob), each with a shared workspace where a member
 * (carol for alice, dave for bob) has a write key. Every kind of object the contract has an id for exists
 * on both sides.
 */
export const makeWorld = <R>(base: string, signUp: Effect.Effect<{ user: { id: string }; key: string }, never, R>) =>
  Effect.gen(function*() {
    yield* setNow("2026-06-10T12:00:00Z")
    const account = (member: { userId: string; write: string; full: string }) =>
      Effect.gen(function*() {
        const owner = yield* signUp
        const key = owner.key
        const write = yield* keyWithScope(owner.user.id as UserId, "write")
        const read = yield* keyWithScope(owner.user.id as UserId, "read")
        const spare = ok(yield* call(base, "POST", "/api/keys", { key, body: { label: "spare", scope: "read" } }), "spare key")
        const personal = (ok(yield* call(base, "GET", "/api/workspaces", { key }), "workspaces") as Array<any>)[0].id as string
        const project = yield* createProject(base, key, { name: "Own", hourlyRate: 100, budgetHours: 10 })
        const task = ok(yield* call(base, "POST", "/api/tasks", { key, body: { projectId: project.id, name: "Own task" } }), "task")
        const entry = yield* logEntry(base, key, { projectId: project.id, startTime: "2026-06-09T09:00:00Z", durationMinutes: 30 })
        const webhook = ok(
          yield* call(base, "POST", "/api/webhooks", { key, body: { url: CLOSED_TARGET, events: ["timer.started"] } }),
          "webhook"
        )
        const delivery = ok(yield* call(base, "POST", `/api/webhooks/${webhook.endpoint.id}/test`, { key }), "test delivery")
        const example = ok(
          yield* call(base, "POST", "/api/integrations", {
            key,
            body: { integration: "example", config: { url: CLOSED_TARGET }, secrets: { token: randomBytes(8).toString("hex") } }
          }),
          "example connection"
        )
        const zap = ok(
          yield* call(base, "POST", "/api/zapier/hooks", { key, body: { target_url: CLOSED_TARGET, event: "entry.created" } }),
          "zap"
        )
        const shared = ok(yield* call(base, "POST", "/api/workspaces", { key, body: { name: "Agency" } }), "workspace").id as string
        const invite = ok(yield* call(base, "POST", `/api/workspaces/${shared}/invites`, { key, body: {} }), "invite")
        ok(yield* call(base, "POST", "/api/workspaces/join", { key: member.full, body: { code: invite.code } }), "join")
        // a second invite stays open
        const open = ok(yield* call(base, "POST", `/api/workspaces/${shared}/invites`, { key, body: {} }), "invite")
        const sharedProject = ok(
          yield* call(base, "POST", "/api/projects", {
            key,
            body: { name: "Client", hourlyRate: 120 },
            headers: { "x-clockme-workspace": shared }
          }),
          "shared project"
        ).id as string
        const memberEntry = ok(
          yield* call(base, "POST", "/api/entries", {
            key: member.write,
            body: { projectId: sharedProject, startTime: "2026-06-09T10:00:00Z", durationMinutes: 15 },
            headers: { "x-clockme-workspace": shared }
          }),
          "member entry"
        ).id as string
        return {
          userId: owner.user.id,
          full: key,
          write,
          read,
          personal,
          shared,
          project: project.id,
          sharedProject,
          task: task.id,
          entry: entry.id,
          invite: open.id,
          spareKey: spare.key.id as string,
          webhook: webhook.endpoint.id,
          delivery: delivery.id,
          zap: zap.id,
          example: example.id,
          memberEntry
        } satisfies Holdings
      })
    const memberOf = Effect.gen(function*() {
      const member = yield* signUp
      return {
        userId: member.user.id,
        full: member.key,
        write: yield* keyWithScope(member.user.id as UserId, "write"),
        read: yield* keyWithScope(member.user.id as UserId, "read")
      }
    })
    const carol = yield* memberOf
    const dave = yield* memberOf
    const alice = yield* account(carol)
    const bob = yield* account(dave)
    return { alice, bob, carol, dave }
  })

export type World = Effect.Effect.Success<ReturnType<typeof makeWorld>>

/** Every table's rows, hashed (keys' last use aside): equal snapshots mean nothing was written. */
export const snapshot = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const tables = (yield* sql<{ name: string }>`
    SELECT tablename AS name FROM pg_tables
    WHERE schemaname = current_schema() AND tablename NOT IN ('effect_sql_migrations', 'rate_limits')
    ORDER BY tablename`).map((row) => row.name)
  const row = (name: string) =>
    `SELECT '${name}' AS name, count(*)::int AS n, md5(coalesce(string_agg(r.v, '|' ORDER BY r.v), '')) AS h ` +
    `FROM (SELECT (to_jsonb(t) - 'last_used_at')::text AS v FROM "${name}" t) r`
  const rows = yield* sql.unsafe<{ name: string; n: number; h: string }>(tables.map(row).join(" UNION ALL "))
  return Object.fromEntries(rows.map((r) => [r.name, `${r.n}:${r.h}`])) as Record<string, string>
}).pipe(Effect.orDie)

/** The next transaction id to be assigned, read without taking one. */
const nextXid = Effect.flatMap(SqlClient.SqlClient, (sql) => sql<{ next: string }>`
  SELECT pg_snapshot_xmax(pg_current_snapshot())::text AS next`).pipe(Effect.map((rows) => rows[0]!.next), Effect.orDie)

/**
 * Proves that each refused request wrote nothing. Every transaction that writes (even one rolled back) takes
 * a transaction id, so after each request the next id is read: when it has not moved, nothing was written
 * and the tables need no hashing; when it has, every table is hashed, and after a refusal the hash must be
 * the one taken before the request.
 */
export const writeWitness = Effect.gen(function*() {
  const run = Runtime.runPromise(yield* Effect.runtime<SqlClient.SqlClient>())
  let mark = yield* nextXid
  let before = yield* snapshot
  return {
    /** After every request, in order: `refused` says whether it was refused, `at` names it in a failure. */
    check: (at: string, refused: boolean, what: string) =>
      Effect.promise(async () => {
        const now = await run(nextXid)
        if (now === mark) return
        const after = await run(snapshot)
        if (refused) expect(after, `a refused ${what} wrote (seed ${SEED}): ${at}`).toEqual(before)
        mark = now
        before = after
      })
  }
})

/**
 * `call` with a bound on the real clock (the tests' Clock is a TestClock, so `Effect.timeout` would never
 * fire): a server that does not answer within `ms` fails the test naming the request.
 */
export const callWithin = (ms: number, base: string, method: string, path: string, options: CallOptions = {}) =>
  Effect.tryPromise({
    try: () => fetchReply(base, method, path, options, AbortSignal.timeout(ms)),
    catch: (cause) => new Error(`${method} ${path}: no answer within ${ms} ms (${String(cause)})`)
  }).pipe(Effect.orDie)
