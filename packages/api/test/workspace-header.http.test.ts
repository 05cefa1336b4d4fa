import { expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import { baseUrl, call, signUp, TestServerManualSweep } from "./lib/TestServer.js"

layer(TestServerManualSweep, { timeout: 120_000 })("X-ClockMe-Workspace", (it) => {
  it.effect("one request acts in another workspace of the caller's; anyone else's is 404", () =>
    Effect.gen(function*() {
      const base = yield* baseUrl
      const alice = yield* signUp()
      const bob = yield* signUp()
      const shared = (yield* call(base, "POST", "/api/workspaces", { key: alice.key, body: { name: "Studio" } })).body.id
      const inShared = { "x-clockme-workspace": shared }
      const created = yield* call(base, "POST", "/api/projects", { key: alice.key, body: { name: "Client" }, headers: inShared })
      expect(created.status).toBe(201)
      expect(created.body.workspaceId).toBe(shared)

      expect((yield* call(base, "GET", "/api/projects", { key: alice.key })).body).toEqual([])
      const listed = yield* call(base, "GET", "/api/projects", { key: alice.key, headers: inShared })
      expect(listed.body.map((p: any) => p.name)).toEqual(["Client"])
      const started = yield* call(base, "POST", "/api/timer/start", {
        key: alice.key,
        body: { projectName: "client" },
        headers: inShared
      })
      expect(started.body.projectId).toBe(created.body.id)
      const me = yield* call(base, "GET", "/api/me", { key: alice.key, headers: inShared })
      expect(me.body.activeWorkspaceId).toBe(shared)
      expect((yield* call(base, "GET", "/api/me", { key: alice.key })).body.activeWorkspaceId).toBe(alice.user.activeWorkspaceId)

      for (const workspace of [shared, bob.user.activeWorkspaceId, "not-a-uuid"]) {
        const key = workspace === shared ? bob.key : alice.key
        const refused = yield* call(base, "GET", "/api/projects", { key, headers: { "x-clockme-workspace": workspace } })
        expect(refused.status).toBe(404)
        expect(refused.body.code).toBe("workspace_not_found")
      }
    }))
})
