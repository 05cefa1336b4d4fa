import type { KeyScope } from "@clockme/domain/contract/Actor"
import type { UserId } from "@clockme/domain/contract/Ids"
import { ApiKeys } from "@clockme/domain/services/ApiKeys"
import { expect } from "@effect/vitest"
import { randomBytes, randomUUID } from "node:crypto"
import { Effect, TestClock } from "effect"
import type { Reply } from "./TestServer.js"
import { baseUrl, call, signUp } from "./TestServer.js"

/** Sets the server's clock (the TestClock shared by the test and the server it runs) to an instant. */
export const setNow = (iso: string) => TestClock.setTime(Date.parse(iso))

/** Another key of the same account, with the given scope. */
export const keyWithScope = (userId: UserId, scope: KeyScope) =>
  Effect.gen(function*() {
    const keys = yield* ApiKeys
    const created = yield* keys.issue(userId, scope, `${scope} key`)
    return created.secret
  })

export const uuid = () => randomUUID()

/**
 * Alice owns the shared workspace "Agency" and Bob joined it with an invite; both still act in their
 * personal workspaces (`inWs` is the header that names Agency for one request).
 */
export const agency = Effect.gen(function*() {
  const base = yield* baseUrl
  const alice = yield* signUp()
  const bob = yield* signUp()
  const ws = yield* createWorkspace(base, alice.key, "Agency")
  const invite = yield* createInvite(base, alice.key, ws)
  expect((yield* call(base, "POST", "/api/workspaces/join", { key: bob.key, body: { code: invite.code } })).status).toBe(200)
  return { base, alice, bob, ws, invite, inWs: { "x-clockme-workspace": ws } }
})

/** A key of the right shape that no account has. */
export const unknownKey = () => `ck_live_${randomBytes(24).toString("base64url")}`

/** A JSON error answer: the status, the stable code, a message, and the `_tag`. */
export const expectError = (reply: Reply, status: number, code: string) => {
  expect({ status: reply.status, code: reply.body?.code }).toEqual({ status, code })
  expect(typeof reply.body.message).toBe("string")
  expect(reply.body.message.length).toBeGreaterThan(0)
  expect(typeof reply.body._tag).toBe("string")
  expect(reply.headers.get("content-type")).toMatch(/application\/json/)
}

/**
 * A 400 for a body, path or query that does not decode, naming each bad field by its path: either the
 * domain's InvalidInput (`field`) or a schema error (`issues[].path`, and `field` for the first).
 */
export const expectBadInput = (reply: Reply, ...paths: ReadonlyArray<ReadonlyArray<string | number>>) => {
  expect(reply.status).toBe(400)
  expect(reply.headers.get("content-type")).toMatch(/application\/json/)
  expect(typeof reply.body.message).toBe("string")
  if (reply.body._tag === "InvalidInput") {
    expect(reply.body.code).toBe("invalid_input")
    expect(paths.map((path) => path.join("."))).toContain(reply.body.field)
    return
  }
  expect(reply.body._tag).toBe("HttpApiDecodeError")
  expect(reply.body.code).toBe("invalid_input")
  const seen = (reply.body.issues as Array<{ path: Array<string | number> }>).map((issue) => issue.path)
  for (const path of paths) expect(seen).toContainEqual(path)
  expect(reply.body.field).toBe(seen[0]!.join("."))
}

/**
 * Another workspace's object must be answered exactly like one that does not exist: same status and
 * body once the two ids are swapped, so a caller cannot tell them apart.
 */
export const expectSameNotFound = (foreign: Reply, foreignId: string, missing: Reply, missingId: string) => {
  expect(foreign.status).toBe(404)
  expect(missing.status).toBe(404)
  const normalize = (reply: Reply, id: string) => JSON.parse(JSON.stringify(reply.body).replaceAll(id, "<id>"))
  expect(normalize(foreign, foreignId)).toEqual(normalize(missing, missingId))
}

/** POST /api/projects, checked to succeed; returns the project. */
export const createProject = (base: string, key: string, body: Record<string, unknown>) =>
  Effect.gen(function*() {
    const reply = yield* call(base, "POST", "/api/projects", { key, body })
    expect(reply.status).toBe(201)
    return reply.body as { id: string; name: string; workspaceId: string; [k: string]: unknown }
  })

/** POST /api/entries, checked to succeed; returns the entry. */
export const logEntry = (base: string, key: string, body: Record<string, unknown>) =>
  Effect.gen(function*() {
    const reply = yield* call(base, "POST", "/api/entries", { key, body })
    expect(reply.status).toBe(201)
    return reply.body as { id: string; [k: string]: any }
  })

/** POST /api/workspaces: a shared workspace owned by the key's account, checked to succeed; returns its id. */
export const createWorkspace = (base: string, key: string, name = "Team") =>
  Effect.gen(function*() {
    const reply = yield* call(base, "POST", "/api/workspaces", { key, body: { name } })
    expect(reply.status).toBe(201)
    return reply.body.id as string
  })

/** POST /api/workspaces/{id}/invites, checked to succeed; returns the invite (its id and code). */
export const createInvite = (
  base: string,
  key: string,
  workspaceId: string,
  body: { readonly expiresAt?: string; readonly maxUses?: number } = {}
) =>
  Effect.gen(function*() {
    const reply = yield* call(base, "POST", `/api/workspaces/${workspaceId}/invites`, { key, body })
    expect(reply.status).toBe(201)
    return reply.body as { id: string; code: string }
  })

/** POST /api/workspaces/{id}/activate, checked to succeed: the workspace the key's account acts in. */
export const activateWorkspace = (base: string, key: string, workspaceId: string) =>
  Effect.gen(function*() {
    const reply = yield* call(base, "POST", `/api/workspaces/${workspaceId}/activate`, { key })
    expect(reply.status).toBe(200)
  })
