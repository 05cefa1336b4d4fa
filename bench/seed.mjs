// Accounts for the request-path bench, written straight into a migrated database (pg Client or PGlite:
// both answer `query(text, params)`): each a user with a personal workspace, a project "bench-project"
// and a write-scope key, stored hashed as the server stores keys.
import { createHash, randomBytes } from "node:crypto"

export const seedAccounts = async (db, count) => {
  const keys = []
  for (let i = 0; i < count; i++) {
    const plaintext = `ck_live_${randomBytes(24).toString("base64url")}`
    const hash = createHash("sha256").update(plaintext).digest("hex")
    const { rows: [workspace] } = await db.query(
      "INSERT INTO workspaces (name, kind) VALUES ($1, 'personal') RETURNING id",
      [`bench ${i}'s workspace`]
    )
    const { rows: [user] } = await db.query(
      "INSERT INTO users (email, name, plan, active_workspace_id) VALUES ($1, $2, 'team', $3) RETURNING id",
      [`bench-${i}-${randomBytes(4).toString("hex")}@bench.local`, `bench ${i}`, workspace.id]
    )
    await db.query("INSERT INTO memberships (workspace_id, user_id, role) VALUES ($1, $2, 'owner')", [workspace.id, user.id])
    await db.query("INSERT INTO projects (workspace_id, name) VALUES ($1, 'bench-project')", [workspace.id])
    await db.query(
      "INSERT INTO api_keys (user_id, prefix, hash, scope, label) VALUES ($1, $2, $3, 'write', 'bench')",
      [user.id, plaintext.slice(0, 12), hash]
    )
    keys.push(plaintext)
  }
  return keys
}

/** Sum of heartbeat counts over every timer: the bench checks that each answered heartbeat was counted. */
export const heartbeatTotal = async (db) =>
  Number((await db.query("SELECT coalesce(sum(heartbeat_count), 0)::int AS n FROM timers")).rows[0].n)
