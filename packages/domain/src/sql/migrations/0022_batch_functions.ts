import { SqlClient } from "@effect/sql"
import { Effect } from "effect"

/**
 * clockme_touch and clockme_timers over many callers in one call: element i of the arrays is one caller's
 * arguments, and each caller's rows come back in that caller's order. A server sends one of these for every
 * caller that waited while its earlier statements were in flight (services/Batch.ts): the statement's own cost
 * (the round trip, a transaction, the executor's start) is paid once per batch instead of once per caller. The
 * loops call the single functions, so their SQL is written once; the columns are theirs.
 */
export default Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const columns = `
      id uuid, user_id uuid, workspace_id uuid, project_id uuid, task_id uuid, description text, source text,
      state text, started_at timestamptz, running_since timestamptz, accumulated_ms bigint,
      last_activity_at timestamptz, heartbeat_count integer, pause_count integer, late_heartbeats integer,
      git_branch text, created_by_key_id uuid, project_name text, project_billable boolean, session_count integer,
      session_ids jsonb, usage jsonb`
  yield* sql.unsafe(`
    CREATE FUNCTION clockme_touch_many(
      p_users uuid[], p_workspaces uuid[], p_nows timestamptz[], p_counts integer[], p_sessions text[], p_branches text[]
    ) RETURNS TABLE (${columns}) LANGUAGE plpgsql AS $$
    BEGIN
      FOR i IN 1 .. coalesce(array_length(p_users, 1), 0) LOOP
        RETURN QUERY SELECT * FROM clockme_touch(p_users[i], p_workspaces[i], NULL, p_nows[i], p_counts[i], p_sessions[i], p_branches[i]);
      END LOOP;
    END
    $$`)
  yield* sql.unsafe(`
    CREATE FUNCTION clockme_timers_many(p_users uuid[], p_workspaces uuid[]) RETURNS TABLE (${columns})
    LANGUAGE plpgsql AS $$
    BEGIN
      FOR i IN 1 .. coalesce(array_length(p_users, 1), 0) LOOP
        RETURN QUERY SELECT * FROM clockme_timers(p_users[i], p_workspaces[i]);
      END LOOP;
    END
    $$`)
})
