import { SqlClient } from "@effect/sql"
import { PgClient } from "@effect/sql-pg"
import { Clock, Effect, Option } from "effect"
import { randomUUID } from "node:crypto"
import type { ApiKeyId } from "../contract/Ids.js"
import type { KeyAdmission } from "../repos/AccountsRepo.js"
import { transactional } from "../sql/Transactional.js"

/**
 * How long a key's admission row (key, plan, active workspace, role) is reused without reading the database.
 * A revoke, rotation, role or membership change or workspace switch made on this node is seen at once (it
 * empties the cache). On PostgreSQL one made on another node is announced on ADMISSION_CHANNEL when it
 * commits and seen as soon as this node hears it (AdmissionListener); this bound is what holds when the
 * announcement is not heard (this node's listening connection is down) and for a change made in the
 * database by hand: the row expires here and is read again.
 */
export const ADMISSION_CACHE_MILLIS = 5_000

/** "Last used" is written at most once this often per key and node, not on every request. */
export const LAST_USED_EVERY_MILLIS = 60_000

/** The PostgreSQL channel on which a committed change that admission depends on is announced to every node. */
export const ADMISSION_CHANNEL = "clockme_admission"

/**
 * The PostgreSQL server this node shares with others, when its connections are made from a URL. The embedded
 * database's pool has none: one process owns its data directory, so there is no other node to tell.
 */
export const sharedPostgres = Effect.map(
  Effect.serviceOption(PgClient.PgClient),
  Option.filter((client) => client.config.url !== undefined)
)

interface Cached {
  readonly row: KeyAdmission
  readonly readAt: number
  readonly generation: number
}

/** Admission rows by key hash, for the bound above; only keys that exist are kept. */
export class AdmissionCache extends Effect.Service<AdmissionCache>()("@clockme/domain/AdmissionCache", {
  effect: Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const shared = Option.isSome(yield* sharedPostgres)
    /** Names this node in its announcements, so its listener skips what it has already applied. */
    const node = randomUUID()
    const rows = new Map<string, Cached>()
    const touched = new Map<ApiKeyId, number>()
    let generation = 0

    /** The row kept for a key at `now`, if it is still fresh: what `through` answers without reading. */
    const cachedAt = (hash: string, now: number): KeyAdmission | undefined => {
      const cached = rows.get(hash)
      return cached !== undefined && cached.generation === generation && now - cached.readAt < ADMISSION_CACHE_MILLIS
        ? cached.row
        : undefined
    }

    /**
     * Reads through the cache: `read` runs on a miss. A row read while a change was committing carries the
     * generation from before the change, so it is never served after `invalidate`.
     */
    const through = <E, R>(hash: string, read: Effect.Effect<KeyAdmission | undefined, E, R>) =>
      Effect.gen(function*() {
        const now = yield* Clock.currentTimeMillis
        const fresh = cachedAt(hash, now)
        if (fresh !== undefined) return fresh
        const readingAt = generation
        const row = yield* read
        if (row === undefined) {
          rows.delete(hash)
        } else if (readingAt === generation) {
          if (rows.size >= 10_000) rows.clear()
          rows.set(hash, { row, readAt: now, generation })
        }
        return row
      })

    /** After a change that admission depends on has committed: every row is read again. */
    const invalidate = Effect.sync(() => {
      generation += 1
      rows.clear()
    })

    /** Whether this request should write the key's "last used" (then it is counted as written). */
    const shouldTouch = (keyId: ApiKeyId, lastUsedAt: number | undefined) =>
      Effect.map(Clock.currentTimeMillis, (now) => {
        if (!touchDue(keyId, lastUsedAt, now)) return false
        if (touched.size >= 10_000) touched.clear()
        touched.set(keyId, now)
        return true
      })

    /** Whether a request at `now` would write the key's "last used" (counting nothing). */
    const touchDue = (keyId: ApiKeyId, lastUsedAt: number | undefined, now: number) =>
      now - Math.max(touched.get(keyId) ?? 0, lastUsedAt ?? 0) >= LAST_USED_EVERY_MILLIS

    const announce = sql`SELECT pg_notify(${ADMISSION_CHANNEL}, ${node})`

    /**
     * The postprocessor of a service method that changes what admission reads: empties the cache when it ends.
     * On a shared PostgreSQL the change also announces itself in its own transaction (a savepoint of the
     * method's, if it has one): PostgreSQL delivers the NOTIFY exactly when the change commits, never for one
     * rolled back, and with no window where a node could stop between the commit and a NOTIFY sent after it.
     */
    const invalidating = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
      Effect.ensuring(shared ? transactional(sql)(Effect.tap(effect, () => announce)) : effect, invalidate)

    return { node, through, cachedAt, invalidate, invalidating, shouldTouch, touchDue } as const
  })
}) {}
