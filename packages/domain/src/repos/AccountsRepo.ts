import { SqlClient } from "@effect/sql"
import { Effect, Option, Ref, Schema } from "effect"
import { decodeRows } from "./Rows.js"
import { ApiKey } from "../contract/ApiKey.js"
import type { KeyScope } from "../contract/Actor.js"
import { WorkspaceId } from "../contract/Ids.js"
import type { ApiKeyId, UserId } from "../contract/Ids.js"
import { Plan, User } from "../contract/User.js"
import type { UpdateMe } from "../contract/User.js"
import { Role } from "../contract/Workspace.js"

const decodeUsers = decodeRows(User)
const decodeKeys = decodeRows(ApiKey)
const KeyWithHash = Schema.Struct({ ...ApiKey.fields, hash: Schema.String, previousHash: Schema.NullOr(Schema.String) })

/** What admission needs about a key, in one row: the key, its user's plan and active workspace, the role there. */
export const KeyAdmission = Schema.Struct({
  ...KeyWithHash.fields,
  plan: Plan,
  activeWorkspaceId: WorkspaceId,
  role: Schema.NullOr(Role)
})
export type KeyAdmission = typeof KeyAdmission.Type
const decodeAdmissions = decodeRows(KeyAdmission)

export class AccountsRepo extends Effect.Service<AccountsRepo>()("@clockme/domain/AccountsRepo", {
  effect: Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient

    // pg_timezone_names reads the zone files on every query, so it is read once (a failed read is retried
    // on the next call, never remembered); keys are lower case.
    const loaded = yield* Ref.make(Option.none<ReadonlyMap<string, string>>())
    const zones = Effect.flatMap(Ref.get(loaded), (known) =>
      Option.isSome(known) ? Effect.succeed(known.value) : sql<{ name: string }>`SELECT name FROM pg_timezone_names`.pipe(
        Effect.map((rows): ReadonlyMap<string, string> => new Map(rows.map(({ name }) => [name.toLowerCase(), name]))),
        Effect.tap((map) => Ref.set(loaded, Option.some(map))),
        Effect.orDie
      ))

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

    const insertKey = (input: {
      userId: UserId
      prefix: string
      hash: string
      scope: KeyScope
      label: string | null
      workspaceId: WorkspaceId | null
      expiresAt: Date | null
      now: Date
    }) =>
      sql`
        INSERT INTO api_keys (user_id, prefix, hash, scope, label, workspace_id, expires_at, created_at)
        VALUES (${input.userId}, ${input.prefix}, ${input.hash}, ${input.scope}, ${input.label}, ${input.workspaceId},
                ${input.expiresAt}, ${input.now})
        RETURNING *`.pipe(Effect.flatMap(decodeKeys), Effect.map((rows) => rows[0]!), Effect.orDie)

    /**
     * The key by its current secret or, after a rotation, its previous one, with its user's plan and active
     * workspace and the user's role in the workspace the key acts in (null: not a member): one round trip.
     */
    const findAdmission = (hash: string) =>
      sql`
        SELECT k.*, u.plan, u.active_workspace_id, m.role
        FROM api_keys k
        JOIN users u ON u.id = k.user_id
        LEFT JOIN memberships m ON m.user_id = k.user_id AND m.workspace_id = coalesce(k.workspace_id, u.active_workspace_id)
        WHERE k.hash = ${hash} OR k.previous_hash = ${hash}`.pipe(
        Effect.flatMap(decodeAdmissions),
        Effect.map((rows) => Option.fromNullable(rows[0])),
        Effect.orDie
      )

    /** Records use unless another node did within the minute before `now` (each node writes at most once a minute). */
    const touchKey = (id: ApiKeyId, now: Date, staleBefore: Date) =>
      sql`
        UPDATE api_keys SET last_used_at = ${now}
        WHERE id = ${id} AND (last_used_at IS NULL OR last_used_at <= ${staleBefore})`.pipe(
        Effect.asVoid,
        Effect.orDie
      )

    /** A key restricted to a workspace sees and manages only the keys restricted to the same one. */
    const ownKey = (userId: UserId, restrictedTo: WorkspaceId | null) =>
      restrictedTo === null ? sql`user_id = ${userId}` : sql`user_id = ${userId} AND workspace_id = ${restrictedTo}`

    const listKeys = (userId: UserId, restrictedTo: WorkspaceId | null = null) =>
      sql`SELECT * FROM api_keys WHERE ${ownKey(userId, restrictedTo)} ORDER BY created_at, id`.pipe(
        Effect.flatMap(decodeKeys),
        Effect.orDie
      )

    const findKey = (userId: UserId, id: ApiKeyId, restrictedTo: WorkspaceId | null) =>
      sql`SELECT * FROM api_keys WHERE id = ${id} AND ${ownKey(userId, restrictedTo)}`.pipe(
        Effect.flatMap(decodeKeys),
        Effect.map((rows) => Option.fromNullable(rows[0])),
        Effect.orDie
      )

    /** The current secret becomes the previous one until `previousUntil`; an older previous one stops now. */
    const rotateKey = (id: ApiKeyId, input: { hash: string; prefix: string; previousUntil: Date; now: Date }) =>
      sql`
        UPDATE api_keys SET previous_hash = hash, previous_secret_expires_at = ${input.previousUntil},
          hash = ${input.hash}, prefix = ${input.prefix}, rotated_at = ${input.now}
        WHERE id = ${id} AND revoked_at IS NULL RETURNING *`.pipe(
        Effect.flatMap(decodeKeys),
        Effect.map((rows) => Option.fromNullable(rows[0])),
        Effect.orDie
      )

    /** The revoked key, and whether this call revoked it (false: it already was). */
    const revokeKey = (userId: UserId, id: ApiKeyId, now: Date, restrictedTo: WorkspaceId | null = null) =>
      Effect.gen(function*() {
        const [revoked] = yield* sql`
          UPDATE api_keys SET revoked_at = ${now}
          WHERE id = ${id} AND ${ownKey(userId, restrictedTo)} AND revoked_at IS NULL RETURNING *`.pipe(
          Effect.flatMap(decodeKeys)
        )
        if (revoked !== undefined) return Option.some({ key: revoked, changed: true })
        const [existing] = yield* sql`SELECT * FROM api_keys WHERE id = ${id} AND ${ownKey(userId, restrictedTo)}`.pipe(
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
      findAdmission,
      touchKey,
      listKeys,
      findKey,
      rotateKey,
      revokeKey
    } as const
  })
}) {}
