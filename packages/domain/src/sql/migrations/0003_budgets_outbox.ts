import { SqlClient } from "@effect/sql"
import { Effect } from "effect"

export default Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* sql`
    ALTER TABLE projects
      ADD COLUMN budget_period text NOT NULL DEFAULT 'none' CHECK (budget_period IN ('none', 'monthly')),
      ADD COLUMN budget_hard_cap boolean NOT NULL DEFAULT false`
  // Other migrations may also create the outbox; both shapes agree on these columns.
  yield* sql`
    CREATE TABLE IF NOT EXISTS outbox (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      type text NOT NULL,
      payload jsonb NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      delivered_at timestamptz
    )`
  yield* sql`ALTER TABLE outbox ADD COLUMN IF NOT EXISTS dedupe_key text`
  yield* sql`CREATE UNIQUE INDEX IF NOT EXISTS outbox_dedupe_key ON outbox (dedupe_key) WHERE dedupe_key IS NOT NULL`
  yield* sql`CREATE INDEX IF NOT EXISTS outbox_undelivered_idx ON outbox (created_at) WHERE delivered_at IS NULL`
  yield* sql`
    CREATE TABLE budget_alerts (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
      project_id uuid NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
      threshold integer NOT NULL CHECK (threshold IN (80, 100)),
      period_key text NOT NULL,
      metric text NOT NULL CHECK (metric IN ('hours', 'amount')),
      hours_used numeric(14, 2) NOT NULL,
      amount_used numeric(16, 2) NOT NULL,
      entry_id uuid REFERENCES entries (id) ON DELETE SET NULL,
      outbox_id uuid,
      created_at timestamptz NOT NULL,
      UNIQUE (project_id, threshold, period_key)
    )`
  yield* sql`CREATE INDEX budget_alerts_workspace_idx ON budget_alerts (workspace_id, created_at DESC)`
  yield* sql`CREATE INDEX invites_workspace_idx ON invites (workspace_id)`
  yield* sql`CREATE INDEX entries_project_start_idx ON entries (project_id, start_time)`
})
