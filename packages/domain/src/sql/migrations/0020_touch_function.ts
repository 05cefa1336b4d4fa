import { SqlClient } from "@effect/sql"
import { Effect } from "effect"

/**
 * The heartbeat's statement as a function: PL/pgSQL keeps the plans of the statements inside a function for
 * the connection's life, where the same statement sent as text is planned on every call (its CTE and three
 * subplans took longer to plan than to run: about 0.13 ms on PostgreSQL, 0.6 ms in the embedded database).
 * It does what TimersRepo.touch did in one statement: records activity on the user's running hook and MCP
 * timers (or the one of `p_project`), the branch if given, and with `p_session` that session on each, and
 * returns the touched timers with their details; session counts are those before the call. The usage summary
 * repeats UsageRepo.usageOf's: a change to either is a new migration that replaces this function.
 */
export default Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* sql.unsafe(`
    CREATE FUNCTION clockme_touch(
      p_user uuid, p_workspace uuid, p_project uuid, p_now timestamptz, p_count integer, p_session text, p_branch text
    ) RETURNS TABLE (
      id uuid, user_id uuid, workspace_id uuid, project_id uuid, task_id uuid, description text, source text,
      state text, started_at timestamptz, running_since timestamptz, accumulated_ms bigint,
      last_activity_at timestamptz, heartbeat_count integer, pause_count integer, late_heartbeats integer,
      git_branch text, created_by_key_id uuid, project_name text, project_billable boolean, session_count integer,
      session_ids jsonb, usage jsonb
    ) LANGUAGE plpgsql AS $$
    #variable_conflict use_column
    BEGIN
      RETURN QUERY
      WITH t AS (
        UPDATE timers
          SET last_activity_at = greatest(timers.last_activity_at, p_now),
              heartbeat_count = timers.heartbeat_count + p_count,
              git_branch = coalesce(p_branch, timers.git_branch)
        WHERE timers.user_id = p_user AND timers.workspace_id = p_workspace
          AND CASE WHEN p_project IS NULL THEN timers.source IN ('hook', 'mcp') AND timers.state = 'running'
                   ELSE timers.project_id = p_project END
        RETURNING timers.*
      ), s AS (
        INSERT INTO timer_sessions (timer_id, session_id, started_at, last_seen_at)
        SELECT t.id, p_session, p_now, p_now FROM t WHERE p_session IS NOT NULL
        ON CONFLICT (timer_id, session_id) DO UPDATE
          SET last_seen_at = greatest(timer_sessions.last_seen_at, excluded.last_seen_at), ended_at = NULL
      )
      SELECT t.id, t.user_id, t.workspace_id, t.project_id, t.task_id, t.description, t.source, t.state,
             t.started_at, t.running_since, t.accumulated_ms, t.last_activity_at, t.heartbeat_count, t.pause_count,
             t.late_heartbeats, t.git_branch, t.created_by_key_id, p.name, p.billable,
             (SELECT count(*) FROM timer_sessions ts WHERE ts.timer_id = t.id)::integer,
             (SELECT coalesce(jsonb_agg(ts.session_id ORDER BY ts.started_at), '[]'::jsonb)
                FROM timer_sessions ts WHERE ts.timer_id = t.id),
             (SELECT jsonb_build_object(
                'requests', count(*),
                'inputTokens', coalesce(sum(u.input_tokens), 0),
                'outputTokens', coalesce(sum(u.output_tokens), 0),
                'cacheReadTokens', coalesce(sum(u.cache_read_tokens), 0),
                'cacheCreationTokens', coalesce(sum(u.cache_creation_tokens), 0),
                'costUsd', round(coalesce(sum(u.cost_usd), 0), 6),
                'models', coalesce(jsonb_agg(DISTINCT u.model ORDER BY u.model), '[]'::jsonb),
                'unpricedModels', coalesce(jsonb_agg(DISTINCT u.model ORDER BY u.model)
                  FILTER (WHERE u.cost_source = 'unpriced'), '[]'::jsonb))
              FROM ai_usage u WHERE u.timer_id = t.id)
      FROM t JOIN projects p ON p.id = t.project_id
      ORDER BY t.started_at, t.id;
    END
    $$`)
})
