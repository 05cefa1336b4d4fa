import { SqlClient } from "@effect/sql"
import { Duration, Effect } from "effect"

/**
 * One look: the tables autovacuum would vacuum or analyze now (PostgreSQL's default thresholds: dead rows
 * over 50 + 20 %, rows inserted since the last vacuum over 1,000 + 20 %, changed since the last analyze over
 * 50 + 10 % of the table). PGlite loses those counters when it closes, so a table not vacuumed since the
 * start is also picked when its last VACUUM or ANALYZE left pages not all-visible or its size has changed
 * since (written to before the restart); an unchanged table is not vacuumed again on every start. Each table
 * is a statement of its own: PGlite has one connection, and every request waits while a VACUUM runs, so it
 * waits for one table at most, never for all.
 */
export const vacuumPass = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  // the counters reach pg_stat_user_tables when a transaction ends, at most once a second unless forced
  yield* sql`SELECT pg_stat_force_next_flush()`
  const due = yield* sql<{ readonly name: string }>`
    SELECT s.relid::regclass::text AS name
    FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid
    WHERE (s.last_vacuum IS NULL
           AND (c.relallvisible < c.relpages
                OR pg_relation_size(c.oid) / current_setting('block_size')::int <> c.relpages))
       OR s.n_dead_tup > 50 + 0.2 * greatest(c.reltuples, 0)
       OR s.n_ins_since_vacuum > 1000 + 0.2 * greatest(c.reltuples, 0)
       OR s.n_mod_since_analyze > 50 + 0.1 * greatest(c.reltuples, 0)
    ORDER BY s.relid`
  for (const { name } of due) {
    const [ms] = yield* sql.unsafe(`VACUUM (ANALYZE) ${name}`).pipe(Effect.timed)
    yield* Effect.logDebug(`Embedded database: vacuumed ${name} in ${Duration.toMillis(ms)} ms`)
  }
  return due.map(({ name }) => name)
})
