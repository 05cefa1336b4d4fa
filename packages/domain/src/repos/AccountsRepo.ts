import { SqlClient } from "@effect/sql"
import { Effect, Option, Schema } from "effect"
import { decodeRows } from "./Rows.js"
import { ApiKey } from "../contract/ApiKey.js"
import type { KeyScope } from "../contract/Actor.js"
import type { ApiKeyId, UserId, WorkspaceId } from "../contract/Ids.js"
import { User } from "../contract/User.js"
import type { Plan, UpdateMe } from "../contract/User.js"

const decodeUsers = decodeRows(User)
const decodeKeys = decodeRows(ApiKey)
const KeyWithHash = Schema.Struct({ ...ApiKey.fields, hash: Schema.String })
const decodeKeyWithHash = decodeRows(KeyWithHash)

export class AccountsRepo extends Effect.Service<AccountsRepo>()("@clockme/domain/AccountsRepo", {
  effect: Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient

    // pg_timezone_names reads the zone files on every query, so it is read once; keys are lower case.
    const zones = yield* Effect.cached(
      sql<{ name: string }>`SELECT name FROM pg_timezone_names`.pipe(
        Effect.map((rows) => new Map(rows.map(({ name }) => [name.toLowerCase(), name]))),
        Effect.orDie
      )
    )

    /** The database's spelling of a timezone it knows (Node knows some it does not, e.g. US/Pacific-New). */
    const knownTimezone = (name: string) =>
      Effect.map(zones, (known) => Option.fromNullable(known.get(name.toLowerCase())))

    /** A stored timezone the database cannot use (set before it was checked, or dropped by a tzdata update) reads as UTC. */
    const usable = (users: ReadonlyArray<User>) =>
      Effect.map(zones, (known) =>
        users.map((user) => known.has(user.timezone.toLowerCase()) ? user : new User({ ...user, timezone: "UTC" })))

    const insertUser = (input: { email: string; name: string; plan: Plan }) =>
      Effect.gen(function*() {
        const [workspace] = yield* sql<{ id: WorkspaceId }>`
          INSERT INTO workspaces (name, kind) VALUES (${`${input.name}'s workspace`}, 'personal') RETURNING id`
        const rows = yield* sql`
          INSERT INTO users (email, name, plan, active_workspace_id)
          VALUES (${input.email}, ${input.name}, ${input.plan}, ${workspace!.id})
          RETURNING *`
        const [user] = yield* decodeUsers(rows).pipe(Effect.orDie)
        yield* sql`INSERT INTO memberships (workspace_id, user_id, role) VALUES (${workspace!.id}, ${user!.id}, 'owner')`
        return user!
      })

    const findUserById = (id: UserId) =>
      sql`SELECT * FROM users WHERE id = ${id}`.pipe(
        Effect.flatMap(decodeUsers),
        Effect.flatMap(usable),
        Effect.map((rows) => Option.fromNullable(rows[0])),
        Effect.orDie
      )

    const findUserByEmail = (email: string) =>
      sql`SELECT * FROM users WHERE lower(email) = lower(${email})`.pipe(
        Effect.flatMap(decodeUsers),
        Effect.map((rows) => Option.fromNullable(rows[0])),
        Effect.orDie
      )

    const updateUser = (id: UserId, patch: UpdateMe) =>
      sql`UPDATE users SET ${sql.update(patch)} WHERE id = ${id} RETURNING *`.pipe(
        Effect.flatMap(decodeUsers),
        Effect.flatMap(usable),
        Effect.map((rows) => rows[0]!),
        Effect.orDie
      )

    const countUsers = sql<{ count: number }>`SELECT count(*)::int AS count FROM users`.pipe(
      Effect.map((rows) => rows[0]?.count ?? 0),
      Effect.orDie
    )

    const insertKey = (input: { userId: UserId; prefix: string; hash: string; scope: KeyScope; label: string | null }) =>
      sql`
        INSERT INTO api_keys (user_id, prefix, hash, scope, label)
        VALUES (${input.userId}, ${input.prefix}, ${input.hash}, ${input.scope}, ${input.label})
        RETURNING *`.pipe(Effect.flatMap(decodeKeys), Effect.map((rows) => rows[0]!), Effect.orDie)

    const findKeyByHash = (hash: string) =>
      sql`SELECT * FROM api_keys WHERE hash = ${hash}`.pipe(
        Effect.flatMap(decodeKeyWithHash),
        Effect.map((rows) => Option.fromNullable(rows[0])),
        Effect.orDie
      )

    /** Records use at most once a minute, so authentication does not write on every request. */
    const touchKey = (id: ApiKeyId, now: Date, staleBefore: Date) =>
      sql`
        UPDATE api_keys SET last_used_at = ${now}
        WHERE id = ${id} AND (last_used_at IS NULL OR last_used_at < ${staleBefore})`.pipe(
        Effect.asVoid,
        Effect.orDie
      )

    const listKeys = (userId: UserId) =>
      sql`SELECT * FROM api_keys WHERE user_id = ${userId} ORDER BY created_at, id`.pipe(
        Effect.flatMap(decodeKeys),
        Effect.orDie
      )

    /** The revoked key, and whether this call revoked it (false: it already was). */
    const revokeKey = (userId: UserId, id: ApiKeyId, now: Date) =>
      Effect.gen(function*() {
        const [revoked] = yield* sql`
          UPDATE api_keys SET revoked_at = ${now}
          WHERE id = ${id} AND user_id = ${userId} AND revoked_at IS NULL RETURNING *`.pipe(Effect.flatMap(decodeKeys))
        if (revoked !== undefined) return Option.some({ key: revoked, changed: true })
        const [existing] = yield* sql`SELECT * FROM api_keys WHERE id = ${id} AND user_id = ${userId}`.pipe(
          Effect.flatMap(decodeKeys)
        )
        return Option.map(Option.fromNullable(existing), (key) => ({ key, changed: false }))
      }).pipe(Effect.orDie)

    return {
      insertUser,
      findUserById,
      findUserByEmail,
      knownTimezone,
      updateUser,
      countUsers,
      insertKey,
      findKeyByHash,
      touchKey,
      listKeys,
      revokeKey
    } as const
  })
}) {}
