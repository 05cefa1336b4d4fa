import { SqlClient } from "@effect/sql"
import { Effect, Option } from "effect"
import type { UserId, WorkspaceId } from "../contract/Ids.js"
import type { Plan } from "../contract/User.js"

export interface StoredSession {
  readonly userId: UserId
  readonly email: string
  readonly csrfToken: string
  readonly expiresAt: Date
  readonly plan: Plan
  readonly activeWorkspaceId: WorkspaceId
  /** The role in the active workspace (null once no longer a member). */
  readonly role: "owner" | "member" | null
}

/** Password hashes, set-password links and sessions; secrets arrive here already hashed. */
export class SignInRepo extends Effect.Service<SignInRepo>()("@clockme/domain/SignInRepo", {
  effect: Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient

    const findPassword = (email: string) =>
      sql<{ userId: UserId; hash: string | null }>`
        SELECT u.id AS "userId", p.hash FROM users u LEFT JOIN passwords p ON p.user_id = u.id
        WHERE lower(u.email) = lower(${email})`.pipe(Effect.map((rows) => Option.fromNullable(rows[0])), Effect.orDie)

    const insertLink = (tokenHash: string, userId: UserId, now: Date, expiresAt: Date) =>
      sql`INSERT INTO password_links (token_hash, user_id, created_at, expires_at)
          VALUES (${tokenHash}, ${userId}, ${now}, ${expiresAt})`.pipe(Effect.asVoid, Effect.orDie)

    /** Uses a link once: the row is claimed by the update itself, so two concurrent uses cannot both succeed. */
    const useLink = (tokenHash: string, now: Date) =>
      sql<{ userId: UserId }>`
        UPDATE password_links SET used_at = ${now}
        WHERE token_hash = ${tokenHash} AND used_at IS NULL AND expires_at > ${now}
        RETURNING user_id AS "userId"`.pipe(Effect.map((rows) => Option.fromNullable(rows[0]?.userId)), Effect.orDie)

    /** A new password signs out every session of the account. */
    const setPassword = (userId: UserId, hash: string, now: Date) =>
      Effect.all([
        sql`INSERT INTO passwords (user_id, hash, updated_at) VALUES (${userId}, ${hash}, ${now})
            ON CONFLICT (user_id) DO UPDATE SET hash = EXCLUDED.hash, updated_at = EXCLUDED.updated_at`,
        sql`UPDATE web_sessions SET revoked_at = ${now} WHERE user_id = ${userId} AND revoked_at IS NULL`
      ]).pipe(sql.withTransaction, Effect.asVoid, Effect.orDie)

    const insertSession = (input: { tokenHash: string; userId: UserId; csrfToken: string; now: Date; expiresAt: Date }) =>
      sql`INSERT INTO web_sessions (token_hash, user_id, csrf_token, created_at, expires_at)
          VALUES (${input.tokenHash}, ${input.userId}, ${input.csrfToken}, ${input.now}, ${input.expiresAt})`.pipe(
        Effect.asVoid,
        Effect.orDie
      )

    /** Everything admission needs of a session, in one statement like a key's. */
    const findSession = (tokenHash: string, now: Date) =>
      sql<StoredSession>`
        SELECT s.user_id AS "userId", u.email, s.csrf_token AS "csrfToken", s.expires_at AS "expiresAt", u.plan,
          u.active_workspace_id AS "activeWorkspaceId", m.role
        FROM web_sessions s
        JOIN users u ON u.id = s.user_id
        LEFT JOIN memberships m ON m.user_id = s.user_id AND m.workspace_id = u.active_workspace_id
        WHERE s.token_hash = ${tokenHash} AND s.revoked_at IS NULL AND s.expires_at > ${now}`.pipe(
        Effect.map((rows) => Option.fromNullable(rows[0])),
        Effect.orDie
      )

    const revokeSession = (tokenHash: string, now: Date) =>
      sql`UPDATE web_sessions SET revoked_at = ${now} WHERE token_hash = ${tokenHash} AND revoked_at IS NULL`.pipe(
        Effect.asVoid,
        Effect.orDie
      )

    return { findPassword, insertLink, useLink, setPassword, insertSession, findSession, revokeSession } as const
  })
}) {}
