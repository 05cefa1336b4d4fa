import { SqlClient } from "@effect/sql"
import { Effect } from "effect"

export default Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  // Timers and entries belong to the workspace of their project. Rows a cross-workspace move left behind are
  // repaired first: entries join their project's workspace (where their time was counted), and timers of
  // someone who is no longer a member there are dropped.
  yield* sql`
    DELETE FROM timers t USING projects p
    WHERE p.id = t.project_id AND t.workspace_id <> p.workspace_id
      AND NOT EXISTS (SELECT 1 FROM memberships m WHERE m.workspace_id = p.workspace_id AND m.user_id = t.user_id)`
  yield* sql`
    UPDATE timers t SET workspace_id = p.workspace_id FROM projects p
    WHERE p.id = t.project_id AND t.workspace_id <> p.workspace_id`
  yield* sql`
    UPDATE entries e SET workspace_id = p.workspace_id FROM projects p
    WHERE p.id = e.project_id AND e.workspace_id <> p.workspace_id`
  yield* sql`CREATE UNIQUE INDEX projects_id_workspace_key ON projects (id, workspace_id)`
  yield* sql`
    ALTER TABLE timers ADD CONSTRAINT timers_project_workspace_fk
      FOREIGN KEY (project_id, workspace_id) REFERENCES projects (id, workspace_id) ON DELETE CASCADE`
  yield* sql`
    ALTER TABLE entries ADD CONSTRAINT entries_project_workspace_fk
      FOREIGN KEY (project_id, workspace_id) REFERENCES projects (id, workspace_id)`
})
