import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, TestClock } from "effect"
import { expectBadInput, expectError } from "./lib/Fixtures.js"
import { baseUrl, call, signUp, TestServerManualSweep } from "./lib/TestServer.js"
import type { CallOptions, Reply } from "./lib/TestServer.js"

const password = "correct horse battery staple"

const cookieOf = (reply: Reply) => reply.headers.getSetCookie().find((cookie) => cookie.startsWith("clockme_session="))

let people = 0
const newcomer = (code: string) => {
  const n = ++people
  return { code, name: `Newcomer ${n}`, email: `newcomer${n}-${Date.now()}@example.com`, password }
}

/** An owner with a shared workspace "Agency" and a way to make invites in it. */
const started = Effect.gen(function*() {
  yield* TestClock.setTime(Date.parse("2026-06-01T09:00:00.000Z"))
  const context = yield* Layer.build(TestServerManualSweep)
  const base = yield* Effect.provide(baseUrl, context)
  const owner = yield* Effect.provide(signUp(), context)
  const send = (method: string, path: string, options: CallOptions & { readonly session?: string } = {}) =>
    call(base, method, path, {
      ...options,
      headers: { ...options.headers, ...(options.session === undefined ? {} : { cookie: options.session }) }
    })
  const created = yield* send("POST", "/api/workspaces", { key: owner.key, body: { name: "Agency" } })
  expect(created.status).toBe(201)
  const ws = created.body.id as string
  const invite = (body: Record<string, unknown> = {}) =>
    Effect.map(send("POST", `/api/workspaces/${ws}/invites`, { key: owner.key, body }), (reply) => {
      expect(reply.status).toBe(201)
      return reply.body as { id: string; code: string; link: string }
    })
  const uses = (id: string) =>
    Effect.map(send("GET", `/api/workspaces/${ws}/invites`, { key: owner.key }), (reply) =>
      reply.body.find((invite: { id: string }) => invite.id === id).uses as number)
  const signUpWith = (body: unknown) => send("POST", "/api/session/invite", { body })
  return { base, owner, ws, send, invite, uses, signUpWith }
})

describe("joining from an invite link without an account", () => {
  it.scoped("name, email and password make a member of the invite's workspace, signed in with a cookie; the password signs in later", () =>
    Effect.gen(function*() {
      const { invite, owner, send, signUpWith, uses, ws } = yield* started
      const { code, id, link } = yield* invite({ maxUses: 2 })
      expect(link).toBe(`/invite#code=${code}`)
      const person = newcomer(code)
      const reply = yield* signUpWith(person)
      expect(reply.status).toBe(201)
      expect(reply.body).toMatchObject({ email: person.email, expiresAt: "2026-06-08T09:00:00.000Z" })
      expect(reply.headers.get("cache-control")).toBe("no-store")
      const cookie = cookieOf(reply)!
      expect(cookie).toMatch(/; HttpOnly/)
      expect(cookie).toMatch(/; SameSite=Lax/)
      const session = cookie.split(";")[0]!

      const mine = yield* send("GET", "/api/workspaces", { session })
      expect(mine.status).toBe(200)
      expect(mine.body).toContainEqual(expect.objectContaining({ id: ws, role: "member", active: true }))
      const members = yield* send("GET", `/api/workspaces/${ws}/members`, { key: owner.key })
      expect(members.body).toContainEqual(expect.objectContaining({ userId: reply.body.userId, name: person.name, role: "member" }))
      expect(yield* uses(id)).toBe(1)

      const again = yield* send("POST", "/api/session", { body: { email: person.email, password } })
      expect(again.status).toBe(200)
      expect(again.body.userId).toBe(reply.body.userId)
    }))

  it.scoped("an email with an account is a 409 naming it, and the invite stays unused; expired, revoked and unknown codes are refused", () =>
    Effect.gen(function*() {
      const { invite, owner, send, signUpWith, uses, ws } = yield* started
      const { code, id } = yield* invite({ maxUses: 1, expiresAt: "2026-06-01T10:00:00.000Z" })
      const taken = yield* signUpWith({ ...newcomer(code), email: owner.user.email })
      expectError(taken, 409, "account_exists")
      expect(taken.body.email).toBe(owner.user.email)
      expect(taken.body.message).toContain(owner.user.email)
      expect(taken.body.message).toContain("sign in")
      expect(taken.headers.get("set-cookie")).toBeNull()
      expect(yield* uses(id)).toBe(0)

      expectError(yield* signUpWith(newcomer("no-such-code")), 404, "invite_invalid")
      const revoked = yield* invite()
      expect((yield* send("DELETE", `/api/workspaces/${ws}/invites/${revoked.id}`, { key: owner.key })).status).toBe(200)
      const refused = yield* signUpWith(newcomer(revoked.code))
      expectError(refused, 410, "invite_unusable")
      expect(refused.body.reason).toBe("revoked")

      yield* TestClock.adjust("2 hours")
      const expired = newcomer(code)
      const late = yield* signUpWith(expired)
      expectError(late, 410, "invite_unusable")
      expect(late.body.reason).toBe("expired")
      // nothing of the refused sign-ups was kept: the email has no account and no password
      expectError(yield* send("POST", "/api/session", { body: { email: expired.email, password } }), 401, "sign_in_failed")
      const fresh = yield* invite()
      expect((yield* signUpWith({ ...expired, code: fresh.code })).status).toBe(201)
    }))

  it.scoped("two sign-ups racing for a one-use invite: one joins, the other is told it is used up and leaves no account", () =>
    Effect.gen(function*() {
      const { invite, owner, send, signUpWith, uses, ws } = yield* started
      const { code, id } = yield* invite({ maxUses: 1 })
      const [first, second] = [newcomer(code), newcomer(code)]
      const replies = yield* Effect.all([signUpWith(first), signUpWith(second)], { concurrency: "unbounded" })
      expect(replies.map((reply) => reply.status).sort()).toEqual([201, 410])
      const loser = replies.find((reply) => reply.status === 410)!
      expectError(loser, 410, "invite_unusable")
      expect(loser.body.reason).toBe("used_up")
      expect(yield* uses(id)).toBe(1)
      const members = yield* send("GET", `/api/workspaces/${ws}/members`, { key: owner.key })
      expect(members.body).toHaveLength(2)
      const lost = replies[0]!.status === 410 ? first : second
      expectError(yield* send("POST", "/api/session", { body: { email: lost.email, password } }), 401, "sign_in_failed")
    }))

  it.scoped("bad and huge fields are a 400 naming the field; attempts are rate-limited per address", () =>
    Effect.gen(function*() {
      const { invite, signUpWith } = yield* started
      const { code } = yield* invite()
      const good = newcomer(code)
      expectBadInput(yield* signUpWith({ ...good, email: "not an email" }), ["email"])
      expectBadInput(yield* signUpWith({ ...good, email: `${"a".repeat(100_000)}@example.com` }), ["email"])
      expectBadInput(yield* signUpWith({ ...good, name: "n".repeat(100_000) }), ["name"])
      expectBadInput(yield* signUpWith({ ...good, name: "   " }), ["name"])
      expectBadInput(yield* signUpWith({ ...good, password: "short" }), ["password"])
      expectBadInput(yield* signUpWith({ ...good, password: "p".repeat(100_000) }), ["password"])
      expectBadInput(yield* signUpWith({ ...good, code: "c".repeat(10_000) }), ["code"])
      expectBadInput(yield* signUpWith({ ...good, role: "owner" }), ["role"])
      const { password: _password, ...noPassword } = good
      expectBadInput(yield* signUpWith(noPassword), ["password"])

      for (let i = 0; i < 20; i++) expectError(yield* signUpWith(newcomer(`wrong-${i}`)), 404, "invite_invalid")
      const limited = yield* signUpWith(good)
      expectError(limited, 429, "rate_limited")
      expect(limited.headers.get("retry-after")).not.toBeNull()
      yield* TestClock.adjust("1 minute")
      expect((yield* signUpWith(good)).status).toBe(201)
    }))
})
