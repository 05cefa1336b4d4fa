import { SqlClient } from "@effect/sql"
import type { Fragment } from "@effect/sql/Statement"
import { Effect } from "effect"
import type { CostSource, TokenCounts } from "../contract/Usage.js"
import type { TimerId, UserId, WorkspaceId } from "../contract/Ids.js"

/** How long usage waits for its timer, and how long after an entry ended usage still joins it. */
export const ATTACH_WINDOW_HOURS = 24

export interface NewUsage extends TokenCounts {
  readonly workspaceId: WorkspaceId
  readonly userId: UserId
  readonly sessionId: string
  /** Unique per user: the same request reported twice is stored once. */
  readonly requestKey: string
  readonly model: string
  /** An exact decimal; null when unpriced. */
  readonly costUsd: string | null
  readonly costSource: CostSource
  readonly priceVersion: string | null
  readonly occurredAt: Date
}

/**
 * The usage of the timer whose id `timerId` is (and so of the entry made from it) as a jsonb `UsageSummary`, to
 * select beside a timer or entry row: `${usageOf(sql, sql`e.timer_id`)} AS usage`. The heartbeat's function
 * (migration 0020_touch_function) and the timers function (0021) repeat it: a change here needs a migration
 * replacing those functions too.
 */
export const usageOf = (sql: SqlClient.SqlClient, timerId: Fragment) =>
  sql`(
    SELECT jsonb_build_object(
      'requests', count(*),
      'inputTokens', coalesce(sum(u.input_tokens), 0),
      'outputTokens', coalesce(sum(u.output_tokens), 0),
      'cacheReadTokens', coalesce(sum(u.cache_read_tokens), 0),
      'cacheCreationTokens', coalesce(sum(u.cache_creation_tokens), 0),
      'costUsd', round(coalesce(sum(u.cost_usd), 0), 6),
      'models', coalesce(jsonb_agg(DISTINCT u.model ORDER BY u.model), '[]'::jsonb),
      'unpricedModels', coalesce(jsonb_agg(DISTINCT u.model ORDER BY u.model) FILTER (WHERE u.cost_source = 'unpriced'), '[]'::jsonb))
    FROM ai_usage u WHERE u.timer_id = ${timerId})`

export class UsageRepo extends Effect.Service<UsageRepo>()("@clockme/domain/UsageRepo", {
  effect: Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient

    /**
     * Stores one request, attached to the timer its session works on, else to the entry its session ended
     * in (at most ATTACH_WINDOW_HOURS ago); false when the request was already stored.
     */
    const insert = (usage: NewUsage, now: Date) =>
      sql`
        INSERT INTO ai_usage (workspace_id, user_id, session_id, request_key, timer_id, model, input_tokens, output_tokens,
                              cache_read_tokens, cache_creation_tokens, cost_usd, cost_source, price_version,
                              occurred_at, received_at)
        VALUES (${usage.workspaceId}, ${usage.userId}, ${usage.sessionId}, ${usage.requestKey},
          coalesce(
            (SELECT s.timer_id FROM timer_sessions s JOIN timers t ON t.id = s.timer_id
             WHERE t.user_id = ${usage.userId} AND s.session_id = ${usage.sessionId}
             ORDER BY s.last_seen_at DESC LIMIT 1),
            (SELECT e.timer_id FROM entries e
             WHERE e.user_id = ${usage.userId} AND e.timer_id IS NOT NULL
               AND e.session_ids @> jsonb_build_array(${usage.sessionId}::text)
               AND e.end_time >= ${now}::timestamptz - make_interval(hours => ${ATTACH_WINDOW_HOURS})
             ORDER BY e.end_time DESC LIMIT 1)),
          ${usage.model}, ${usage.inputTokens}, ${usage.outputTokens}, ${usage.cacheReadTokens},
          ${usage.cacheCreationTokens}, ${usage.costUsd}::numeric, ${usage.costSource}, ${usage.priceVersion},
          ${usage.occurredAt}, ${now})
        ON CONFLICT (user_id, request_key) DO NOTHING
        RETURNING id`.pipe(Effect.map((rows) => rows.length > 0), Effect.orDie)

    /** Usage of the session that arrived before its timer existed (within the window) joins the timer. */
    const claimForTimer = (timerId: TimerId, sessionId: string, now: Date) =>
      sql`
        UPDATE ai_usage u SET timer_id = ${timerId}
        FROM timers t
        WHERE t.id = ${timerId} AND u.user_id = t.user_id AND u.session_id = ${sessionId} AND u.timer_id IS NULL
          AND u.received_at >= ${now}::timestamptz - make_interval(hours => ${ATTACH_WINDOW_HOURS})`.pipe(
          Effect.asVoid,
          Effect.orDie
        )

    return { insert, claimForTimer } as const
  })
}) {}
