import { SqlClient } from "@effect/sql"
import { Effect } from "effect"

/**
 * A user's timers in a workspace with their details (`GET /api/timer/current`, MCP `clockme_status`, stops
 * and pauses that pick a timer), as a function for the reason 0020_touch_function gives: PL/pgSQL keeps the
 * plan, where the statement sent as text was planned on every call. The columns and the usage summary are
 * clockme_touch's; a change to either is a new migration replacing both functions.
 */
export default Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* sql.unsafe(`
    CREATE FUNCTION clockme_timers(p_user uuid, p_workspace uuid) RETURNS TABLE (
      id uuid, user_id uuid, workspace_id uuid, project_id uuid, task_id uuid, description text, source text,
      state text, started_at timestamptz, running_since timestamptz, accumulated_ms bigint,
      last_activity_at timestamptz, heartbeat_count integer, pause_count integer, late_heartbeats integer,
      git_branch text, created_by_key_id uuid, project_name text, project_billable boolean, session_count integer,
      session_ids jsonb, usage jsonb
    ) LANGUAGE plpgsql AS $$
    #variable_conflict use_column
    BEGIN
      RETURN QUERY
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
      FROM timers t JOIN projects p ON p.id = t.project_id
      WHERE t.user_id = p_user AND t.workspace_id = p_workspace
      ORDER BY t.started_at, t.id;
    END
    $$`)
})
