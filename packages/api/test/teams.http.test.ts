import { ApiKeys } from "@clockme/domain/services/ApiKeys"
import type { UserId } from "@clockme/domain/contract/Ids"
import { expect, layer } from "@effect/vitest"
import { Effect, TestClock } from "effect"
import { jsonExport } from "./lib/ClaudeCodeExport.js"
import { baseUrl, call, signUp, TestServerManualSweep } from "./lib/TestServer.js"

const readKeyFor = (userId: string) =>
  Effect.flatMap(ApiKeys, (keys) => keys.issue(userId as UserId, "read", "read-only")).pipe(
    Effect.map((created) => created.secret),
    Effect.orDie
  )

/** The server reads the TestClock that this file's tests share. */
const setNow = (iso: string) => TestClock.setTime(Date.parse(iso))

/** Alice owns a shared workspace "Agency"; Bob and Carol joined it with one invite code. */
const team = Effect.gen(function*() {
  yield* setNow("2026-08-03T12:00:00Z")
  const base = yield* baseUrl
  const alice = yield* signUp()
  const bob = yield* signUp()
  const carol = yield* signUp()
  const created = yield* call(base, "POST", "/api/workspaces", {
    key: alice.key,
    body: { name: "Agency", currency: "EUR", defaultHourlyRate: 100 }
  })
  expect(created.status).toBe(201)
  const ws = created.body.id as string
  const invite = yield* call(base, "POST", `/api/workspaces/${ws}/invites`, { key: alice.key, body: {} })
  expect(invite.status).toBe(201)
  for (const member of [bob, carol]) {
    const joined = yield* call(base, "POST", "/api/workspaces/join", { key: member.key, body: { code: invite.body.code } })
    expect(joined.status).toBe(200)
    expect(joined.body.alreadyMember).toBe(false)
    const activated = yield* call(base, "POST", `/api/workspaces/${ws}/activate`, { key: member.key })
    expect(activated.status).toBe(200)
  }
  expect((yield* call(base, "POST", `/api/workspaces/${ws}/activate`, { key: alice.key })).status).toBe(200)
  return { base, alice, bob, carol, ws, invite: invite.body }
})

layer(TestServerManualSweep, { timeout: 120_000 })("workspaces and teams", (it) => {
  it.effect("a new shared workspace: the creator is its owner; the list shows kind, role, member count and the active one", () =>
    Effect.gen(function*() {
      const base = yield* baseUrl
      const { key } = yield* signUp()
      const before = yield* call(base, "GET", "/api/workspaces", { key })
      expect(before.body).toHaveLength(1)
      expect(before.body[0]).toMatchObject({ kind: "personal", role: "owner", memberCount: 1, active: true, currency: "USD" })

      const created = yield* call(base, "POST", "/api/workspaces", {
        key,
        body: { name: "  Studio  ", currency: "JPY", defaultHourlyRate: 5000, idleTimeoutMinutes: 45 }
      })
      expect(created.status).toBe(201)
      expect(created.body).toMatchObject({
        name: "Studio",
        kind: "shared",
        role: "owner",
        memberCount: 1,
        currency: "JPY",
        defaultHourlyRate: 5000,
        idleTimeoutMinutes: 45,
        active: false
      })
      const after = yield* call(base, "GET", "/api/workspaces", { key })
      expect(after.body.map((w: any) => [w.kind, w.active])).toEqual([["personal", true], ["shared", false]])

      const activated = yield* call(base, "POST", `/api/workspaces/${created.body.id}/activate`, { key })
      expect(activated.body.active).toBe(true)
      const me = yield* call(base, "GET", "/api/me", { key })
      expect(me.body.activeWorkspaceId).toBe(created.body.id)
      // projects now land in the shared workspace, not the personal one
      const project = yield* call(base, "POST", "/api/projects", { key, body: { name: "Site" } })
      expect(project.body.workspaceId).toBe(created.body.id)
    }))

  it.effect("bad workspace input is a 400 naming the field; a read-only key cannot create one", () =>
    Effect.gen(function*() {
      const base = yield* baseUrl
      const { key, user } = yield* signUp()
      const badCurrency = yield* call(base, "POST", "/api/workspaces", { key, body: { name: "X", currency: "XYZ" } })
      expect(badCurrency.status).toBe(400)
      expect(JSON.stringify(badCurrency.body)).toContain("ISO 4217")
      const lower = yield* call(base, "POST", "/api/workspaces", { key, body: { name: "X", currency: "eur" } })
      expect(lower.status).toBe(400)
      const idle = yield* call(base, "POST", "/api/workspaces", { key, body: { name: "X", idleTimeoutMinutes: 4 } })
      expect(idle.status).toBe(400)
      expect(JSON.stringify(idle.body)).toContain("between 5 and 480")
      const idleHigh = yield* call(base, "POST", "/api/workspaces", { key, body: { name: "X", idleTimeoutMinutes: 481 } })
      expect(idleHigh.status).toBe(400)
      const empty = yield* call(base, "POST", "/api/workspaces", { key, body: { name: "   " } })
      expect(empty.status).toBe(400)
      const extra = yield* call(base, "POST", "/api/workspaces", { key, body: { name: "X", owner: "me" } })
      expect(extra.status).toBe(400)
      const noKey = yield* call(base, "POST", "/api/workspaces", { body: { name: "X" } })
      expect(noKey.status).toBe(401)
      const readKey = yield* readKeyFor(user.id)
      const readOnly = yield* call(base, "POST", "/api/workspaces", { key: readKey, body: { name: "X" } })
      expect(readOnly.status).toBe(403)
      expect(readOnly.body.code).toBe("insufficient_scope")
    }))

  it.effect("owners change settings; members get 403 saying why; strangers get 404", () =>
    Effect.gen(function*() {
      const { alice, base, bob, ws } = yield* team
      const stranger = yield* signUp()
      const patched = yield* call(base, "PATCH", `/api/workspaces/${ws}`, {
        key: alice.key,
        body: { name: "Agency GmbH", currency: "JPY", defaultHourlyRate: 12000, idleTimeoutMinutes: 480 }
      })
      expect(patched.status).toBe(200)
      expect(patched.body).toMatchObject({ name: "Agency GmbH", currency: "JPY", defaultHourlyRate: 12000, idleTimeoutMinutes: 480, memberCount: 3 })
      const bad = yield* call(base, "PATCH", `/api/workspaces/${ws}`, { key: alice.key, body: { idleTimeoutMinutes: 500 } })
      expect(bad.status).toBe(400)

      const byMember = yield* call(base, "PATCH", `/api/workspaces/${ws}`, { key: bob.key, body: { name: "Mine" } })
      expect(byMember.status).toBe(403)
      expect(byMember.body.code).toBe("forbidden")
      expect(byMember.body.message).toContain("Only owners")
      expect(byMember.body.message).toContain("member")

      for (const [method, path] of [
        ["GET", `/api/workspaces/${ws}`],
        ["PATCH", `/api/workspaces/${ws}`],
        ["GET", `/api/workspaces/${ws}/members`],
        ["GET", `/api/workspaces/${ws}/summary`],
        ["POST", `/api/workspaces/${ws}/activate`],
        ["POST", `/api/workspaces/${ws}/leave`],
        ["GET", `/api/workspaces/${ws}/invites`]
      ] as const) {
        const reply = yield* call(base, method, path, { key: stranger.key, ...(method === "PATCH" ? { body: { name: "Z" } } : {}) })
        expect(reply.status, `${method} ${path}`).toBe(404)
        expect(reply.body.code).toBe("workspace_not_found")
      }
      const notUuid = yield* call(base, "GET", "/api/workspaces/not-a-uuid/members", { key: alice.key })
      expect(notUuid.status).toBe(400)
    }))

  it.effect("invites: expired, revoked and used-up codes are refused with a clear reason; joining twice is a no-op", () =>
    Effect.gen(function*() {
      const { alice, base, bob, ws } = yield* team
      const dave = yield* signUp()
      const erin = yield* signUp()
      const frank = yield* signUp()

      const unknown = yield* call(base, "POST", "/api/workspaces/join", { key: dave.key, body: { code: "nope-nope" } })
      expect(unknown.status).toBe(404)
      expect(unknown.body).toMatchObject({ code: "invite_invalid", reason: "unknown" })
      const blank = yield* call(base, "POST", "/api/workspaces/join", { key: dave.key, body: { code: "" } })
      expect(blank.status).toBe(400)

      const past = yield* call(base, "POST", `/api/workspaces/${ws}/invites`, {
        key: alice.key,
        body: { expiresAt: "2026-08-03T11:59:59Z" }
      })
      expect(past.status).toBe(400)
      expect(past.body).toMatchObject({ field: "expiresAt", message: "expiresAt must be in the future" })
      const expired = yield* call(base, "POST", `/api/workspaces/${ws}/invites`, {
        key: alice.key,
        body: { expiresAt: "2026-08-04T12:00:00Z" }
      })
      expect(expired.body.status).toBe("active")
      yield* setNow("2026-08-04T12:00:00Z")
      expect((yield* call(base, "GET", `/api/workspaces/${ws}/invites`, { key: alice.key })).body
        .find((i: any) => i.id === expired.body.id).status).toBe("expired")
      const tryExpired = yield* call(base, "POST", "/api/workspaces/join", { key: dave.key, body: { code: expired.body.code } })
      expect(tryExpired.status).toBe(410)
      expect(tryExpired.body).toMatchObject({ code: "invite_unusable", reason: "expired" })
      expect(tryExpired.body.message).toContain("expired")

      const revocable = yield* call(base, "POST", `/api/workspaces/${ws}/invites`, { key: alice.key, body: { maxUses: 5 } })
      const revoked = yield* call(base, "DELETE", `/api/workspaces/${ws}/invites/${revocable.body.id}`, { key: alice.key })
      expect(revoked.status).toBe(200)
      expect(revoked.body.status).toBe("revoked")
      const tryRevoked = yield* call(base, "POST", "/api/workspaces/join", { key: dave.key, body: { code: revocable.body.code } })
      expect(tryRevoked.status).toBe(410)
      expect(tryRevoked.body.reason).toBe("revoked")

      const single = yield* call(base, "POST", `/api/workspaces/${ws}/invites`, {
        key: alice.key,
        body: { maxUses: 1, expiresAt: "2999-01-01T00:00:00Z" }
      })
      expect(single.body).toMatchObject({ maxUses: 1, uses: 0, status: "active", expiresAt: "2999-01-01T00:00:00.000Z" })
      const first = yield* call(base, "POST", "/api/workspaces/join", { key: dave.key, body: { code: single.body.code } })
      expect(first.status).toBe(200)
      expect(first.body.workspace).toMatchObject({ id: ws, role: "member", kind: "shared", memberCount: 4 })
      // the same person again: a no-op, even though the code is now used up
      const again = yield* call(base, "POST", "/api/workspaces/join", { key: dave.key, body: { code: single.body.code } })
      expect(again.status).toBe(200)
      expect(again.body.alreadyMember).toBe(true)
      expect(again.body.workspace.memberCount).toBe(4)
      const exhausted = yield* call(base, "POST", "/api/workspaces/join", { key: erin.key, body: { code: single.body.code } })
      expect(exhausted.status).toBe(410)
      expect(exhausted.body.reason).toBe("used_up")

      // an owner joining with a code of their own workspace is a no-op too, and keeps the owner role
      const ownerJoin = yield* call(base, "POST", "/api/workspaces/join", { key: alice.key, body: { code: single.body.code } })
      expect(ownerJoin.body).toMatchObject({ alreadyMember: true, workspace: { role: "owner" } })

      const list = yield* call(base, "GET", `/api/workspaces/${ws}/invites`, { key: alice.key })
      expect(list.status).toBe(200)
      const byId = new Map(list.body.map((i: any) => [i.id, i]))
      expect((byId.get(single.body.id) as any).uses).toBe(1)
      expect((byId.get(single.body.id) as any).status).toBe("used_up")
      expect((byId.get(revocable.body.id) as any).status).toBe("revoked")
      expect((byId.get(expired.body.id) as any).status).toBe("expired")

      // members cannot see or manage invites
      const memberList = yield* call(base, "GET", `/api/workspaces/${ws}/invites`, { key: bob.key })
      expect(memberList.status).toBe(403)
      const memberCreate = yield* call(base, "POST", `/api/workspaces/${ws}/invites`, { key: bob.key })
      expect(memberCreate.status).toBe(403)
      expect(memberCreate.body.message).toContain("Only owners")
      const memberRevoke = yield* call(base, "DELETE", `/api/workspaces/${ws}/invites/${single.body.id}`, { key: bob.key })
      expect(memberRevoke.status).toBe(403)

      // an invite of another workspace is not found here
      const other = yield* call(base, "POST", "/api/workspaces", { key: frank.key, body: { name: "Other" } })
      const otherInvite = yield* call(base, "POST", `/api/workspaces/${other.body.id}/invites`, { key: frank.key })
      const crossRevoke = yield* call(base, "DELETE", `/api/workspaces/${ws}/invites/${otherInvite.body.id}`, { key: alice.key })
      expect(crossRevoke.status).toBe(404)
      expect(crossRevoke.body.code).toBe("invite_not_found")

      const badMaxUses = yield* call(base, "POST", `/api/workspaces/${ws}/invites`, { key: alice.key, body: { maxUses: 0 } })
      expect(badMaxUses.status).toBe(400)
      const badExpiry = yield* call(base, "POST", `/api/workspaces/${ws}/invites`, { key: alice.key, body: { expiresAt: "soon" } })
      expect(badExpiry.status).toBe(400)
    }))

  it.effect("a personal workspace cannot have invites or be left", () =>
    Effect.gen(function*() {
      const base = yield* baseUrl
      const { key, user } = yield* signUp()
      const personal = user.activeWorkspaceId
      const invite = yield* call(base, "POST", `/api/workspaces/${personal}/invites`, { key })
      expect(invite.status).toBe(422)
      expect(invite.body.code).toBe("personal_workspace")
      const leave = yield* call(base, "POST", `/api/workspaces/${personal}/leave`, { key })
      expect(leave.status).toBe(422)
      expect(leave.body.code).toBe("personal_workspace")
      const demote = yield* call(base, "PATCH", `/api/workspaces/${personal}/members/${user.id}`, { key, body: { role: "member" } })
      expect(demote.status).toBe(422)
      expect(demote.body.code).toBe("last_owner")
    }))

  it.effect("roles: owners promote and demote; at least one owner always remains (422)", () =>
    Effect.gen(function*() {
      const { alice, base, bob, carol, ws } = yield* team
      const members = yield* call(base, "GET", `/api/workspaces/${ws}/members`, { key: carol.key })
      expect(members.status).toBe(200)
      expect(members.body.map((m: any) => [m.userId, m.role])).toEqual([
        [alice.user.id, "owner"],
        [bob.user.id, "member"],
        [carol.user.id, "member"]
      ])
      expect(members.body[1]).toMatchObject({ email: bob.user.email, name: bob.user.name })

      const lastOwner = yield* call(base, "PATCH", `/api/workspaces/${ws}/members/${alice.user.id}`, {
        key: alice.key,
        body: { role: "member" }
      })
      expect(lastOwner.status).toBe(422)
      expect(lastOwner.body.code).toBe("last_owner")
      expect(lastOwner.body.message).toContain("at least one owner")

      const bobByBob = yield* call(base, "PATCH", `/api/workspaces/${ws}/members/${bob.user.id}`, {
        key: bob.key,
        body: { role: "owner" }
      })
      expect(bobByBob.status).toBe(403)

      const promoted = yield* call(base, "PATCH", `/api/workspaces/${ws}/members/${bob.user.id}`, {
        key: alice.key,
        body: { role: "owner" }
      })
      expect(promoted.status).toBe(200)
      expect(promoted.body).toMatchObject({ userId: bob.user.id, role: "owner" })
      // now Bob may manage, and Alice may step down
      const aliceDown = yield* call(base, "PATCH", `/api/workspaces/${ws}/members/${alice.user.id}`, {
        key: bob.key,
        body: { role: "member" }
      })
      expect(aliceDown.status).toBe(200)
      const aliceCannot = yield* call(base, "PATCH", `/api/workspaces/${ws}`, { key: alice.key, body: { name: "No" } })
      expect(aliceCannot.status).toBe(403)
      const bobLast = yield* call(base, "POST", `/api/workspaces/${ws}/leave`, { key: bob.key })
      expect(bobLast.status).toBe(422)
      expect(bobLast.body.message).toContain("only owner")

      const badRole = yield* call(base, "PATCH", `/api/workspaces/${ws}/members/${carol.user.id}`, {
        key: bob.key,
        body: { role: "admin" }
      })
      expect(badRole.status).toBe(400)
      const stranger = yield* signUp()
      const notMember = yield* call(base, "PATCH", `/api/workspaces/${ws}/members/${stranger.user.id}`, {
        key: bob.key,
        body: { role: "owner" }
      })
      expect(notMember.status).toBe(404)
      expect(notMember.body.code).toBe("member_not_found")
      const listed = yield* call(base, "GET", "/api/workspaces", { key: alice.key })
      expect(listed.body.find((w: any) => w.id === ws)).toMatchObject({ role: "member", memberCount: 3 })
    }))

  it.effect("concurrent demotions of two owners leave exactly one owner", () =>
    Effect.gen(function*() {
      const { alice, base, bob, ws } = yield* team
      yield* call(base, "PATCH", `/api/workspaces/${ws}/members/${bob.user.id}`, { key: alice.key, body: { role: "owner" } })
      const [a, b] = yield* Effect.all([
        call(base, "PATCH", `/api/workspaces/${ws}/members/${bob.user.id}`, { key: alice.key, body: { role: "member" } }),
        call(base, "PATCH", `/api/workspaces/${ws}/members/${alice.user.id}`, { key: bob.key, body: { role: "member" } })
      ], { concurrency: 2 })
      // the loser is refused either as no longer an owner (403) or as the last owner (422)
      expect([a.status, b.status].filter((s) => s === 200)).toHaveLength(1)
      expect([403, 422]).toContain([a.status, b.status].find((s) => s !== 200))
      const members = yield* call(base, "GET", `/api/workspaces/${ws}/members`, { key: alice.key })
      expect(members.body.filter((m: any) => m.role === "owner")).toHaveLength(1)
    }))

  it.effect("entries stay personal: members read each other's, only the author edits or deletes (403 saying why)", () =>
    Effect.gen(function*() {
      const { alice, base, bob, carol, ws } = yield* team
      const project = yield* call(base, "POST", "/api/projects", { key: alice.key, body: { name: "Client site" } })
      expect(project.body.workspaceId).toBe(ws)
      // projects are workspace-wide: Bob sees and uses Alice's project
      const bobProjects = yield* call(base, "GET", "/api/projects", { key: bob.key })
      expect(bobProjects.body.map((p: any) => p.id)).toEqual([project.body.id])
      const bobEntry = yield* call(base, "POST", "/api/entries", {
        key: bob.key,
        body: { projectId: project.body.id, startTime: "2026-03-02T09:00:00Z", durationMinutes: 90, description: "bob" }
      })
      expect(bobEntry.status).toBe(201)
      const aliceEntry = yield* call(base, "POST", "/api/entries", {
        key: alice.key,
        body: { projectId: project.body.id, startTime: "2026-03-02T11:00:00Z", durationMinutes: 30, description: "alice" }
      })
      expect(aliceEntry.status).toBe(201)

      const mine = yield* call(base, "GET", "/api/entries", { key: carol.key })
      expect(mine.body.entries).toEqual([])
      const bobs = yield* call(base, "GET", `/api/entries?userId=${bob.user.id}`, { key: carol.key })
      expect(bobs.status).toBe(200)
      expect(bobs.body.entries.map((e: any) => e.description)).toEqual(["bob"])
      const all = yield* call(base, "GET", "/api/entries?scope=workspace", { key: carol.key })
      expect(all.body.entries.map((e: any) => e.description)).toEqual(["alice", "bob"])

      const edit = yield* call(base, "PATCH", `/api/entries/${bobEntry.body.id}`, { key: alice.key, body: { description: "x" } })
      expect(edit.status).toBe(403)
      expect(edit.body.code).toBe("forbidden")
      expect(edit.body.message).toContain("Only the author")
      const del = yield* call(base, "DELETE", `/api/entries/${bobEntry.body.id}`, { key: carol.key })
      expect(del.status).toBe(403)
      const own = yield* call(base, "PATCH", `/api/entries/${bobEntry.body.id}`, { key: bob.key, body: { description: "bob, edited" } })
      expect(own.status).toBe(200)

      // someone outside the workspace sees none of it, and its ids are 404 to them
      const stranger = yield* signUp()
      const outside = yield* call(base, "GET", `/api/entries?userId=${bob.user.id}`, { key: stranger.key })
      expect(outside.body.entries).toEqual([])
      const strangerEdit = yield* call(base, "PATCH", `/api/entries/${bobEntry.body.id}`, { key: stranger.key, body: { description: "x" } })
      expect(strangerEdit.status).toBe(404)
      const strangerProject = yield* call(base, "GET", `/api/projects/${project.body.id}`, { key: stranger.key })
      expect(strangerProject.status).toBe(404)
      // in his personal workspace Bob sees only his personal entries
      const personal = bob.user.activeWorkspaceId
      yield* call(base, "POST", `/api/workspaces/${personal}/activate`, { key: bob.key })
      const bobPersonal = yield* call(base, "GET", "/api/entries?scope=workspace", { key: bob.key })
      expect(bobPersonal.body.entries).toEqual([])
    }))

  it.effect("removal and leaving keep the entries authored there: the summary does not change", () =>
    Effect.gen(function*() {
      const { alice, base, bob, carol, ws } = yield* team
      const project = yield* call(base, "POST", "/api/projects", { key: alice.key, body: { name: "History" } })
      for (const [who, minutes] of [[alice, 60], [bob, 120], [carol, 30]] as const) {
        const created = yield* call(base, "POST", "/api/entries", {
          key: who.key,
          body: { projectId: project.body.id, startTime: "2026-04-06T10:00:00Z", durationMinutes: minutes }
        })
        expect(created.status).toBe(201)
      }
      const summaryPath = `/api/workspaces/${ws}/summary?from=2026-04-01&to=2026-04-30`
      const before = yield* call(base, "GET", summaryPath, { key: alice.key })
      expect(before.body.totalHours).toBe(3.5)

      const byMember = yield* call(base, "DELETE", `/api/workspaces/${ws}/members/${carol.user.id}`, { key: bob.key })
      expect(byMember.status).toBe(403)
      const removed = yield* call(base, "DELETE", `/api/workspaces/${ws}/members/${carol.user.id}`, { key: alice.key })
      expect(removed.status).toBe(204)
      const left = yield* call(base, "POST", `/api/workspaces/${ws}/leave`, { key: bob.key })
      expect(left.status).toBe(204)
      const selfRemove = yield* call(base, "DELETE", `/api/workspaces/${ws}/members/${alice.user.id}`, { key: alice.key })
      expect(selfRemove.status).toBe(422)
      expect(selfRemove.body.code).toBe("last_owner")

      const after = yield* call(base, "GET", summaryPath, { key: alice.key })
      expect(after.body).toEqual(before.body)
      expect(after.body.byMember.map((m: any) => [m.userId, m.hours])).toEqual(
        before.body.byMember.map((m: any) => [m.userId, m.hours])
      )
      const entries = yield* call(base, "GET", "/api/entries?scope=workspace", { key: alice.key })
      expect(entries.body.entries).toHaveLength(3)

      // Bob and Carol fall back to their personal workspaces and no longer see the shared one
      for (const who of [bob, carol]) {
        const list = yield* call(base, "GET", "/api/workspaces", { key: who.key })
        expect(list.body.map((w: any) => w.id)).toEqual([who.user.activeWorkspaceId])
        expect(list.body[0].active).toBe(true)
        const me = yield* call(base, "GET", "/api/me", { key: who.key })
        expect(me.body.activeWorkspaceId).toBe(who.user.activeWorkspaceId)
        const gone = yield* call(base, "GET", summaryPath, { key: who.key })
        expect(gone.status).toBe(404)
      }
      const members = yield* call(base, "GET", `/api/workspaces/${ws}/members`, { key: alice.key })
      expect(members.body.map((m: any) => m.userId)).toEqual([alice.user.id])
      const again = yield* call(base, "DELETE", `/api/workspaces/${ws}/members/${carol.user.id}`, { key: alice.key })
      expect(again.status).toBe(404)
    }))

  it.effect("the team summary in JSON and CSV; in a solo workspace it is just your own hours", () =>
    Effect.gen(function*() {
      const { alice, base, bob, carol, ws } = yield* team
      const web = yield* call(base, "POST", "/api/projects", { key: alice.key, body: { name: "Web, \"new\"" } })
      const app = yield* call(base, "POST", "/api/projects", { key: alice.key, body: { name: "App" } })
      const log = (key: string, projectId: string, start: string, minutes: number, billable = true) =>
        call(base, "POST", "/api/entries", { key, body: { projectId, startTime: start, durationMinutes: minutes, billable } })
      yield* log(alice.key, web.body.id, "2026-06-01T09:00:00Z", 120)
      yield* log(alice.key, app.body.id, "2026-06-02T09:00:00Z", 45, false)
      yield* log(bob.key, web.body.id, "2026-06-03T09:00:00Z", 90)
      yield* log(carol.key, app.body.id, "2026-06-30T09:00:00Z", 60)
      yield* log(carol.key, app.body.id, "2026-07-01T09:00:00Z", 60)
      // half an hour of Bob's in a Claude Code session that cost $0.75 of AI
      yield* setNow("2026-06-04T09:00:00Z")
      yield* call(base, "POST", "/api/timer/start", { key: bob.key, body: { projectId: web.body.id, source: "hook", sessionId: "bob-s" } })
      const exported = yield* call(base, "POST", "/api/otlp/v1/logs", {
        key: bob.key,
        rawBody: jsonExport([{ sessionId: "bob-s", at: Date.parse("2026-06-04T09:01:00Z"), requestId: "bob-r", model: "claude-sonnet-4-5", costUsd: 0.75 }]),
        headers: { "content-type": "application/json" }
      })
      expect(exported.status).toBe(200)
      yield* TestClock.adjust("30 minutes")
      yield* call(base, "POST", "/api/timer/stop", { key: bob.key, body: {} })
      yield* setNow("2026-08-03T12:00:00Z")

      const summary = yield* call(base, "GET", `/api/workspaces/${ws}/summary?from=2026-06-01&to=2026-06-30`, { key: carol.key })
      expect(summary.status).toBe(200)
      // at the workspace's default rate, 100 EUR an hour
      expect(summary.body).toMatchObject({ totalHours: 5.75, totalBillableHours: 5, currency: "EUR", totalAmount: 500, totalAiCostUsd: 0.75 })
      const hoursOf = (rows: Array<any>, key: string) => Object.fromEntries(rows.map((r) => [r[key], r.hours]))
      expect(hoursOf(summary.body.byMember, "userId")).toEqual({
        [alice.user.id]: 2.75,
        [bob.user.id]: 2,
        [carol.user.id]: 1
      })
      expect(summary.body.byMember.find((m: any) => m.userId === alice.user.id)).toMatchObject({ billableHours: 2, amount: 200, aiCostUsd: 0 })
      expect(summary.body.byMember.find((m: any) => m.userId === bob.user.id)).toMatchObject({ amount: 200, aiCostUsd: 0.75 })
      expect(hoursOf(summary.body.byProject, "projectId")).toEqual({ [web.body.id]: 4, [app.body.id]: 1.75 })
      expect(summary.body.byProject.find((p: any) => p.projectId === web.body.id)).toMatchObject({ amount: 400, aiCostUsd: 0.75 })
      expect(summary.body.byMemberProject).toHaveLength(4)

      const csv = yield* call(base, "GET", `/api/workspaces/${ws}/summary?from=2026-06-01&to=2026-06-30&format=csv`, {
        key: carol.key
      })
      expect(csv.status).toBe(200)
      expect(csv.headers.get("content-type")).toContain("text/csv")
      expect(csv.headers.get("content-disposition")).toContain("clockme-team-2026-06-01-2026-06-30.csv")
      const text = csv.body as string
      expect(text.startsWith("Member,Email,Project,Hours,Billable hours,Entries,Amount,Currency,AI cost (USD)\r\n")).toBe(true)
      expect(text.endsWith("\r\n")).toBe(true)
      // fetch's text() drops the byte order mark; the bytes start with it so Excel reads UTF-8
      const bytes = yield* Effect.promise(() =>
        fetch(`${base}/api/workspaces/${ws}/summary?from=2026-06-01&to=2026-06-30&format=csv`, {
          headers: { authorization: `Bearer ${carol.key}` }
        }).then((r) => r.arrayBuffer())
      )
      expect([...new Uint8Array(bytes).slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf])
      const lines = text.split("\r\n").filter((l) => l !== "")
      expect(lines).toHaveLength(6)
      expect(lines).toContain(`${alice.user.name},${alice.user.email},"Web, ""new""",2,2,1,200.00,EUR,0.0000`)
      expect(lines).toContain(`${bob.user.name},${bob.user.email},"Web, ""new""",2,2,2,200.00,EUR,0.7500`)
      expect(lines[lines.length - 1]).toBe("Total,,,5.75,5,5,500.00,EUR,0.7500")
      const viaAccept = yield* call(base, "GET", `/api/workspaces/${ws}/summary?from=2026-06-01&to=2026-06-30`, {
        key: carol.key,
        headers: { accept: "text/csv" }
      })
      expect(viaAccept.body).toBe(text)

      const solo = yield* signUp()
      const soloProject = yield* call(base, "POST", "/api/projects", { key: solo.key, body: { name: "Solo" } })
      yield* log(solo.key, soloProject.body.id, "2026-06-10T09:00:00Z", 30)
      const soloSummary = yield* call(base, "GET", `/api/workspaces/${solo.user.activeWorkspaceId}/summary?from=2026-06-01&to=2026-06-30`, {
        key: solo.key
      })
      expect(soloSummary.body.byMember.map((m: any) => [m.userId, m.hours])).toEqual([[solo.user.id, 0.5]])
      expect(soloSummary.body.totalHours).toBe(0.5)
      const badRange = yield* call(base, "GET", `/api/workspaces/${ws}/summary?from=2026-06-30&to=2026-06-01`, { key: carol.key })
      expect(badRange.status).toBe(400)
      const badFormat = yield* call(base, "GET", `/api/workspaces/${ws}/summary?format=xlsx`, { key: carol.key })
      expect(badFormat.status).toBe(400)
    }))
})
