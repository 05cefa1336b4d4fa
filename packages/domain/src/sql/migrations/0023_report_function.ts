import { SqlClient } from "@effect/sql"
import { Effect } from "effect"

/**
 * A member's report (`GET /api/reports`) as one call: the settings it is read with (the user's timezone and
 * week start, the workspace's currency) and its lines, where the request took a statement for each, and the
 * report's statement was planned on every call (1.7–6 ms at a million entries, more than the month's own run).
 * PL/pgSQL keeps the plans for the connection's life, as for 0020_touch_function.
 *
 * The first row (`kind` 'settings') carries the settings, the next the lines ('line') as one JSON array, then
 * for a report by task, day or week the lines by project ('project'): one JSON value costs the server a third of
 * what 200 rows of twelve columns cost to read. `p_timezone` overrides the user's (the caller passes UTC for a
 * stored zone it does not know); a zone the database cannot use makes the first row's kind 'unusable zone' and
 * ends the answer there.
 * `p_scales` holds the decimals of the currencies that do not have two. Lines are formed and summed as
 * ReportsRepo's statement did: entries (and AI usage) summed per project, task, billable and (by day or week)
 * local day first, rates and names joined to those groups, each amount divided and rounded once. The filters
 * (project, task, billable) apply to those groups, not in the scan: the plan kept is a generic one, made without
 * the parameters' values, and conditions such as `p_project IS NULL OR …` in the scan made it expect one row and
 * sort and probe per entry (18 ms where a year takes 6).
 */
export default Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* sql.unsafe(`
    CREATE FUNCTION clockme_report(
      p_user uuid, p_workspace uuid, p_from date, p_to date, p_timezone text, p_group text,
      p_project uuid, p_task uuid, p_billable boolean, p_scales jsonb
    ) RETURNS TABLE (kind text, lines json, timezone text, week_start text, currency text
    ) LANGUAGE plpgsql STABLE AS $$
    #variable_conflict use_column
    DECLARE
      v_timezone text;
      v_week text;
      v_currency text;
      v_zone text;
      v_start timestamptz;
      v_end timestamptz;
      v_scale integer;
      v_group text;
      v_dated boolean;
    BEGIN
      SELECT u.timezone, u.week_start, coalesce((SELECT w.currency FROM workspaces w WHERE w.id = p_workspace), 'USD')
        INTO v_timezone, v_week, v_currency
        FROM users u WHERE u.id = p_user;
      IF NOT FOUND THEN
        RETURN;
      END IF;
      v_zone := coalesce(p_timezone, v_timezone);
      BEGIN
        v_start := p_from::timestamp AT TIME ZONE v_zone;
        v_end := (p_to + 1)::timestamp AT TIME ZONE v_zone;
      EXCEPTION WHEN invalid_parameter_value THEN
        v_start := NULL;
      END;
      RETURN QUERY SELECT CASE WHEN v_start IS NULL THEN 'unusable zone' ELSE 'settings' END, NULL::json, v_timezone, v_week,
        v_currency;
      IF v_start IS NULL THEN
        RETURN;
      END IF;
      v_scale := coalesce((p_scales ->> upper(v_currency))::integer, 2);
      -- the lines, then (by task, day or week) the lines by project: one statement, planned once for both
      FOREACH v_group IN ARRAY CASE WHEN p_group = 'project' THEN ARRAY['project'] ELSE ARRAY[p_group, 'project'] END LOOP
        v_dated := v_group IN ('day', 'week');
        RETURN QUERY
        WITH groups AS (
          SELECT e.project_id, e.task_id, e.billable, CASE WHEN v_dated THEN (e.start_time AT TIME ZONE v_zone)::date END AS d,
                 sum(e.duration_seconds) AS seconds, count(*) AS entries
          FROM entries e
          WHERE e.user_id = p_user AND e.workspace_id = p_workspace AND e.start_time >= v_start AND e.start_time < v_end
          GROUP BY 1, 2, 3, 4
        ),
        usage AS (
          SELECT e.project_id, e.task_id, e.billable, CASE WHEN v_dated THEN (e.start_time AT TIME ZONE v_zone)::date END AS d,
                 u.model, u.cost_source = 'unpriced' AS unpriced, sum(u.cost_usd) AS cost
          FROM ai_usage u JOIN entries e ON e.timer_id = u.timer_id
          WHERE e.user_id = p_user AND e.workspace_id = p_workspace AND e.start_time >= v_start AND e.start_time < v_end
          GROUP BY 1, 2, 3, 4, 5, 6
        ),
        parts AS (
          SELECT true AS timed, g.project_id, g.task_id, g.billable, g.d, g.seconds, g.entries,
                 NULL::text AS model, false AS unpriced, NULL::numeric AS cost
          FROM groups g
          UNION ALL
          SELECT false, x.project_id, x.task_id, x.billable, x.d, NULL, NULL, x.model, x.unpriced, x.cost
          FROM usage x
        ),
        keyed AS (
          SELECT x.*,
                 (p_project IS NULL OR x.project_id = p_project) AND (p_task IS NULL OR x.task_id = p_task)
                   AND (p_billable IS NULL OR x.billable = p_billable) AS kept,
                 CASE WHEN v_group IN ('project', 'task') THEN x.project_id END AS lp,
                 CASE WHEN v_group = 'task' THEN x.task_id END AS lt,
                 CASE WHEN v_group = 'day' THEN x.d
                      WHEN v_group = 'week' AND v_week = 'monday' THEN x.d - (extract(isodow FROM x.d)::int - 1)
                      WHEN v_group = 'week' THEN x.d - extract(dow FROM x.d)::int END AS ld,
                 coalesce(t.hourly_rate, p.hourly_rate, w.default_hourly_rate) AS rate,
                 p.name AS project_name, t.name AS task_name
          FROM parts x
          JOIN projects p ON p.id = x.project_id
          JOIN workspaces w ON w.id = p_workspace
          LEFT JOIN tasks t ON t.id = x.task_id
        ),
        lines AS (
          SELECT k.lp, k.lt, k.ld, max(k.project_name) AS project_name, max(k.task_name) AS task_name,
                 sum(k.seconds) FILTER (WHERE k.kept) AS seconds,
                 coalesce(sum(k.seconds) FILTER (WHERE k.kept AND k.billable), 0) AS billable_seconds,
                 -- one rate when every group has the same non-null one; min and max, not count(DISTINCT), so
                 -- that the lines can be hashed rather than sorted (a year by day has 16,000 groups)
                 CASE WHEN bool_and(k.rate IS NOT NULL) FILTER (WHERE k.kept AND k.timed)
                       AND min(k.rate) FILTER (WHERE k.kept AND k.timed) = max(k.rate) FILTER (WHERE k.kept AND k.timed)
                      THEN min(k.rate) FILTER (WHERE k.kept AND k.timed) END AS rate,
                 round(coalesce(sum(k.seconds * coalesce(k.rate, 0)) FILTER (WHERE k.kept AND k.billable), 0) / 3600, v_scale)
                   AS amount,
                 sum(k.entries) FILTER (WHERE k.kept) AS entries,
                 sum(k.cost) FILTER (WHERE k.kept) AS cost,
                 array_agg(k.model) FILTER (WHERE k.kept AND k.unpriced) AS models
          FROM keyed k
          GROUP BY k.lp, k.lt, k.ld
          HAVING count(*) FILTER (WHERE k.kept AND k.timed) > 0
        )
        SELECT CASE WHEN v_group = p_group THEN 'line' ELSE 'project' END,
               coalesce(json_agg(json_build_object(
                 'projectId', l.lp, 'projectName', CASE WHEN v_dated THEN NULL ELSE l.project_name END, 'taskId', l.lt,
                 'taskName', CASE WHEN v_group = 'task' THEN l.task_name END, 'day', to_char(l.ld, 'YYYY-MM-DD'),
                 'seconds', l.seconds, 'billableSeconds', l.billable_seconds, 'rate', l.rate, 'amount', l.amount,
                 'entries', l.entries, 'aiCostUsd', round(coalesce(l.cost, 0), 6)::float8,
                 'unpricedModels', coalesce((SELECT jsonb_agg(DISTINCT m ORDER BY m) FROM unnest(l.models) m), '[]'::jsonb)
               ) ORDER BY l.ld, lower(l.project_name), l.lp, lower(l.task_name) NULLS FIRST, l.lt), '[]'::json),
               NULL::text, NULL::text, NULL::text
        FROM lines l;
      END LOOP;
    END
    $$`)
})
