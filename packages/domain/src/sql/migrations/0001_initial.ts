import { SqlClient } from "@effect/sql"
import { Effect } from "effect"

export default Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* sql`
    CREATE TABLE users (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      email text NOT NULL,
      name text NOT NULL,
      plan text NOT NULL DEFAULT 'free' CHECK (plan IN ('free', 'pro', 'team')),
      timezone text NOT NULL DEFAULT 'UTC',
      week_start text NOT NULL DEFAULT 'monday' CHECK (week_start IN ('monday', 'sunday')),
      active_workspace_id uuid,
      created_at timestamptz NOT NULL DEFAULT now()
    )`
  yield* sql`CREATE UNIQUE INDEX users_email_key ON users (lower(email))`
  yield* sql`
    CREATE TABLE workspaces (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      name text NOT NULL,
      kind text NOT NULL CHECK (kind IN ('personal', 'shared')),
      currency text NOT NULL DEFAULT 'USD' CHECK (currency ~ '^[A-Z]{3}$'),
      default_hourly_rate numeric(12, 2) CHECK (default_hourly_rate >= 0),
      idle_timeout_minutes integer NOT NULL DEFAULT 30 CHECK (idle_timeout_minutes BETWEEN 5 AND 480),
      created_at timestamptz NOT NULL DEFAULT now()
    )`
  yield* sql`
    ALTER TABLE users ADD CONSTRAINT users_active_workspace_fk
      FOREIGN KEY (active_workspace_id) REFERENCES workspaces (id)`
  yield* sql`
    CREATE TABLE memberships (
      workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
      user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      role text NOT NULL CHECK (role IN ('owner', 'member')),
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (workspace_id, user_id)
    )`
  yield* sql`CREATE INDEX memberships_user_idx ON memberships (user_id)`
  yield* sql`
    CREATE TABLE invites (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
      code text NOT NULL UNIQUE,
      created_by uuid NOT NULL REFERENCES users (id),
      expires_at timestamptz,
      max_uses integer CHECK (max_uses > 0),
      uses integer NOT NULL DEFAULT 0,
      revoked_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now()
    )`
  yield* sql`
    CREATE TABLE api_keys (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      prefix text NOT NULL,
      hash text NOT NULL UNIQUE,
      scope text NOT NULL CHECK (scope IN ('read', 'write', 'full')),
      label text,
      created_at timestamptz NOT NULL DEFAULT now(),
      last_used_at timestamptz,
      revoked_at timestamptz
    )`
  yield* sql`CREATE INDEX api_keys_user_idx ON api_keys (user_id)`
  yield* sql`
    CREATE TABLE projects (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
      name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
      color text,
      hourly_rate numeric(12, 2) CHECK (hourly_rate >= 0),
      budget_hours numeric(12, 2) CHECK (budget_hours >= 0),
      budget_amount numeric(14, 2) CHECK (budget_amount >= 0),
      billable boolean NOT NULL DEFAULT true,
      archived boolean NOT NULL DEFAULT false,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`
  yield* sql`CREATE UNIQUE INDEX projects_name_key ON projects (workspace_id, lower(name)) WHERE NOT archived`
  yield* sql`
    CREATE TABLE tasks (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
      project_id uuid NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
      name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
      estimated_hours numeric(12, 2) CHECK (estimated_hours >= 0),
      hourly_rate numeric(12, 2) CHECK (hourly_rate >= 0),
      status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'complete')),
      created_at timestamptz NOT NULL DEFAULT now(),
      completed_at timestamptz
    )`
  yield* sql`CREATE INDEX tasks_project_idx ON tasks (project_id)`
  yield* sql`
    CREATE TABLE timers (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
      project_id uuid NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
      task_id uuid REFERENCES tasks (id) ON DELETE SET NULL,
      description text,
      source text NOT NULL CHECK (source IN ('api', 'hook', 'mcp', 'web', 'integration')),
      state text NOT NULL DEFAULT 'running' CHECK (state IN ('running', 'paused')),
      started_at timestamptz NOT NULL,
      running_since timestamptz,
      accumulated_ms bigint NOT NULL DEFAULT 0 CHECK (accumulated_ms >= 0),
      last_activity_at timestamptz NOT NULL,
      CHECK ((state = 'running') = (running_since IS NOT NULL))
    )`
  yield* sql`CREATE UNIQUE INDEX timers_user_project_key ON timers (user_id, project_id)`
  yield* sql`
    CREATE TABLE entries (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
      user_id uuid NOT NULL REFERENCES users (id),
      project_id uuid NOT NULL REFERENCES projects (id),
      task_id uuid REFERENCES tasks (id) ON DELETE SET NULL,
      timer_id uuid UNIQUE,
      description text,
      start_time timestamptz NOT NULL,
      end_time timestamptz NOT NULL,
      duration_seconds integer NOT NULL CHECK (duration_seconds >= 0),
      paused_seconds integer NOT NULL DEFAULT 0 CHECK (paused_seconds >= 0),
      billable boolean NOT NULL,
      source text NOT NULL CHECK (source IN ('api', 'hook', 'mcp', 'web', 'integration')),
      stop_reason text CHECK (stop_reason IN ('manual', 'session_end', 'idle', 'replaced')),
      idempotency_key text,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CHECK (end_time >= start_time)
    )`
  yield* sql`CREATE UNIQUE INDEX entries_idempotency_key ON entries (user_id, idempotency_key) WHERE idempotency_key IS NOT NULL`
  yield* sql`CREATE INDEX entries_user_start_idx ON entries (user_id, start_time DESC, id DESC)`
  yield* sql`CREATE INDEX entries_workspace_start_idx ON entries (workspace_id, start_time)`
  yield* sql`CREATE INDEX entries_project_idx ON entries (project_id)`
})
