// A generated history for the report bench, written straight into a migrated database (pg Client or PGlite):
// one shared workspace, `members` users (the first the owner, each with a full-scope key), `projects` projects
// with rates, a task per project, and `entries` entries spread evenly over `years` years up to `end`. The same
// seed gives the same history: the row values come from one SQL statement after `setseed`.
import { createHash, randomBytes } from "node:crypto"

export const seedHistory = async (db, { entries = 1_000_000, members = 20, projects = 200, years = 3, seed = 0.42, end }) => {
  const { rows: [workspace] } = await db.query(
    "INSERT INTO workspaces (name, kind, default_hourly_rate) VALUES ('history', 'shared', 80) RETURNING id"
  )
  const users = []
  for (let i = 0; i < members; i++) {
    const plaintext = `ck_live_${randomBytes(24).toString("base64url")}`
    const { rows: [user] } = await db.query(
      "INSERT INTO users (email, name, plan, active_workspace_id) VALUES ($1, $2, 'team', $3) RETURNING id",
      [`member-${i}-${randomBytes(4).toString("hex")}@history.local`, `member ${String(i).padStart(2, "0")}`, workspace.id]
    )
    await db.query("INSERT INTO memberships (workspace_id, user_id, role) VALUES ($1, $2, $3)", [
      workspace.id,
      user.id,
      i === 0 ? "owner" : "member"
    ])
    await db.query(
      "INSERT INTO api_keys (user_id, prefix, hash, scope, label) VALUES ($1, $2, $3, 'full', 'history')",
      [user.id, plaintext.slice(0, 12), createHash("sha256").update(plaintext).digest("hex")]
    )
    users.push({ id: user.id, key: plaintext })
  }
  await db.query(
    `INSERT INTO projects (workspace_id, name, hourly_rate, billable)
     SELECT $1, 'project ' || lpad(n::text, 3, '0'), CASE WHEN n % 4 = 0 THEN NULL ELSE 50 + n % 7 * 10 END, n % 5 <> 0
     FROM generate_series(1, $2::int) AS n`,
    [workspace.id, projects]
  )
  await db.query(
    `INSERT INTO tasks (workspace_id, project_id, name, hourly_rate)
     SELECT workspace_id, id, 'task of ' || name, CASE WHEN hourly_rate IS NULL THEN NULL ELSE hourly_rate + 15 END
     FROM projects WHERE workspace_id = $1`,
    [workspace.id]
  )
  // Entry n belongs to member n % members; each member's entries follow one another every `step` seconds and
  // last 5 to 30 minutes, so none overlap. Projects and tasks are picked by the seeded random().
  const perMember = Math.ceil(entries / members)
  const span = years * 365 * 86400
  const step = Math.floor(span / perMember)
  await db.query(`SELECT setseed(${seed})`)
  await db.query(
    `WITH m AS (SELECT array_agg(user_id ORDER BY created_at, user_id) AS ids FROM memberships WHERE workspace_id = $1),
          p AS (SELECT array_agg(id ORDER BY name) AS ids FROM projects WHERE workspace_id = $1),
          t AS (SELECT array_agg(id ORDER BY name) AS ids FROM tasks WHERE workspace_id = $1),
          g AS (SELECT n, floor(random() * $5)::int AS pick, random() < 0.5 AS with_task, 300 + floor(random() * 1500)::int AS dur,
                       random() < 0.8 AS billable
                FROM generate_series(0, $2::int - 1) AS n)
     INSERT INTO entries (workspace_id, user_id, project_id, task_id, description, start_time, end_time, duration_seconds,
                          billable, source)
     SELECT $1, m.ids[1 + n % $3], p.ids[1 + pick], CASE WHEN with_task THEN t.ids[1 + pick] END, 'work ' || n,
            $4::timestamptz - make_interval(secs => $6::bigint * ($7::int - n / $3)),
            $4::timestamptz - make_interval(secs => $6::bigint * ($7::int - n / $3) - dur), dur, billable,
            CASE WHEN n % 3 = 0 THEN 'hook' ELSE 'api' END
     FROM g, m, p, t`,
    [workspace.id, entries, members, end, projects, step, perMember]
  )
  // As autovacuum leaves a table a while after a bulk load: statistics, and pages marked all-visible.
  await db.query("VACUUM ANALYZE entries")
  return { workspaceId: workspace.id, users }
}
