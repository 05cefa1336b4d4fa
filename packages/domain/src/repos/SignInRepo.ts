import { SqlClient } from "@effect/sql"
import { Effect, Option } from "effect"
import type { UserId } from "../contract/Ids.js"

export interface StoredSession {
  readonly userId: UserId
  readonly email: string
  readonly csrfToken: string
  readonly expiresAt: Date
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

    const findSession = (tokenHash: string, now: Date) =>
      sql<{ userId: UserId; email: string; csrfToken: string; expiresAt: Date }>`
        SELECT s.user_id AS "userId", u.email, s.csrf_token AS "csrfToken", s.expires_at AS "expiresAt"
        FROM web_sessions s JOIN users u ON u.id = s.user_id
        WHERE s.token_hash = ${tokenHash} AND s.revoked_at IS NULL AND s.expires_at > ${now}`.pipe(
        Effect.map((rows): Option.Option<StoredSession> => Option.fromNullable(rows[0])),
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
