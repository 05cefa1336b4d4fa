import { CSRF_HEADER } from "@clockme/domain/contract/Session"
import { SignIn } from "@clockme/domain/services/SignIn"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Logger, LogLevel, TestClock } from "effect"
import { expectBadInput, expectError } from "./lib/Fixtures.js"
import { baseUrl, call, signUp, TestServerManualSweep } from "./lib/TestServer.js"
import type { CallOptions, Reply } from "./lib/TestServer.js"

const password = "correct horse battery staple"

/** Everything the server logs, at every level, to show that no password is among it. */
const logged: Array<string> = []
const capture = Logger.make(({ annotations, message }) => {
  logged.push(JSON.stringify({ message, annotations: [...annotations] }))
})

const server = TestServerManualSweep.pipe(
  Layer.provide(Logger.add(capture)),
  Layer.provide(Logger.minimumLogLevel(LogLevel.All))
)

const cookieOf = (reply: Reply) => reply.headers.getSetCookie().find((cookie) => cookie.startsWith("clockme_session="))

const started = Effect.gen(function*() {
  yield* TestClock.setTime(Date.parse("2026-06-01T09:00:10.000Z"))
  const context = yield* Layer.build(server)
  const base = yield* Effect.provide(baseUrl, context)
  const { key, user } = yield* Effect.provide(signUp(), context)
  const link = (email = user.email) => Effect.provide(Effect.flatMap(SignIn, (signIn) => signIn.issueLink(email)), context)
  const send = (method: string, path: string, options: CallOptions & { readonly session?: string } = {}) =>
    call(base, method, path, {
      ...options,
      headers: { ...options.headers, ...(options.session === undefined ? {} : { cookie: options.session }) }
    })
  /** Sets the password from a fresh link and signs in: the cookie to send and the session's CSRF token. */
  const signedIn = Effect.gen(function*() {
    const set = yield* send("POST", "/api/session/password", { body: { token: yield* link(), password } })
    expect(set.status).toBe(204)
    const reply = yield* send("POST", "/api/session", { body: { email: user.email, password } })
    expect(reply.status).toBe(200)
    return { session: cookieOf(reply)!.split(";")[0]!, csrf: reply.body.csrfToken as string, reply }
  })
  return { base, key, user, link, send, signedIn }
})

describe("dashboard sign-in", () => {
  it.scoped("a link sets the password once; sign-in sets an HttpOnly SameSite=Lax cookie that acts as the account, no-store", () =>
    Effect.gen(function*() {
      const { base, key, link, send, signedIn, user } = yield* started
      const token = yield* link()
      const { csrf, reply, session } = yield* signedIn
      const cookie = cookieOf(reply)!
      expect(cookie).toMatch(/; HttpOnly/)
      expect(cookie).toMatch(/; SameSite=Lax/)
      expect(cookie).toMatch(/; Path=\//)
      expect(cookie).not.toMatch(/; Secure/)
      expect(reply.headers.get("cache-control")).toBe("no-store")
      expect(reply.body).toMatchObject({ userId: user.id, email: user.email, expiresAt: "2026-06-08T09:00:10.000Z" })
      expect(JSON.stringify(reply.body)).not.toContain(session.split("=")[1])

      const me = yield* send("GET", "/api/me", { session })
      expect(me.status).toBe(200)
      expect(me.body.user.id).toBe(user.id)
      expect(me.headers.get("cache-control")).toBe("no-store")
      expect(me.headers.get("ratelimit-limit")).toBe("1000")
      const current = yield* send("GET", "/api/session", { session })
      expect(current.body.csrfToken).toBe(csrf)

      const start = yield* send("POST", "/api/timer/start", {
        session,
        headers: { [CSRF_HEADER]: csrf, origin: base },
        body: { projectName: "web", autoCreate: true }
      })
      expect(start.status).toBe(200)
      const timers = yield* send("GET", "/api/timer/current", { key })
      expect(timers.body.timers).toMatchObject([{ projectName: "web", source: "web" }])

      // The link used by signedIn cannot be used again; nor can an unknown one.
      const again = yield* send("POST", "/api/session/password", { body: { token, password: "another password here" } })
      expect(again.status).toBe(204)
      expectError(yield* send("POST", "/api/session/password", { body: { token, password: "a third password!" } }), 400, "password_link_invalid")
      expectError(yield* send("POST", "/api/session/password", { body: { token: "nope", password } }), 400, "password_link_invalid")
      // A new password signs out every session.
      expectError(yield* send("GET", "/api/me", { session }), 401, "unauthorized")
      const behindHttps = yield* send("POST", "/api/session", {
        body: { email: user.email, password: "another password here" },
        headers: { "x-forwarded-proto": "https" }
      })
      expect(cookieOf(behindHttps)).toMatch(/; Secure/)
    }))

  it.scoped("a change without the CSRF token, or from another site, is refused; GET needs neither", () =>
    Effect.gen(function*() {
      const { send, signedIn } = yield* started
      const { csrf, session } = yield* signedIn
      const body = { projectName: "web", autoCreate: true }
      expectError(yield* send("POST", "/api/timer/start", { session, body }), 403, "csrf_refused")
      expectError(yield* send("POST", "/api/timer/start", { session, body, headers: { [CSRF_HEADER]: `${csrf}x` } }), 403, "csrf_refused")
      expectError(
        yield* send("POST", "/api/timer/start", { session, body, headers: { [CSRF_HEADER]: csrf, origin: "https://evil.example" } }),
        403,
        "csrf_refused"
      )
      expectError(
        yield* send("POST", "/api/timer/start", { session, body, headers: { [CSRF_HEADER]: csrf, "sec-fetch-site": "cross-site" } }),
        403,
        "csrf_refused"
      )
      expectError(yield* send("DELETE", "/api/session", { session }), 403, "csrf_refused")
      expect((yield* send("GET", "/api/timer/current", { session })).body.timers).toEqual([])
    }))

  it.scoped("a key always wins over a cookie: a bad key is refused though the session is good, and no CSRF is asked of a key", () =>
    Effect.gen(function*() {
      const { key, send, signedIn, user } = yield* started
      const { session } = yield* signedIn
      const bad = yield* send("GET", "/api/me", { session, key: "ck_live_short" })
      expectError(bad, 401, "unauthorized")
      expect(bad.headers.get("www-authenticate")).toContain("invalid_token")
      const start = yield* send("POST", "/api/timer/start", { session, key, body: { projectName: "api", autoCreate: true } })
      expect(start.status).toBe(200)
      expect(start.body.source).toBe("api")
      expect((yield* send("GET", "/api/me", { session, key })).body.user.id).toBe(user.id)
    }))

  it.scoped("sign-out and expiry end a session; a session never opens /api/mcp", () =>
    Effect.gen(function*() {
      const { send, signedIn } = yield* started
      const first = yield* signedIn
      const mcp = yield* send("POST", "/api/mcp", {
        session: first.session,
        headers: { [CSRF_HEADER]: first.csrf, accept: "application/json, text/event-stream" },
        body: { jsonrpc: "2.0", id: 1, method: "tools/list" }
      })
      expect(mcp.status).toBe(401)

      const out = yield* send("DELETE", "/api/session", { session: first.session, headers: { [CSRF_HEADER]: first.csrf } })
      expect(out.status).toBe(204)
      expect(cookieOf(out)).toMatch(/^clockme_session=; Max-Age=0; Path=\/; HttpOnly; SameSite=Lax/)
      expectError(yield* send("GET", "/api/me", { session: first.session }), 401, "unauthorized")
      expectError(yield* send("GET", "/api/session", { session: first.session }), 401, "unauthorized")

      const second = yield* signedIn
      yield* TestClock.adjust("6 days")
      expect((yield* send("GET", "/api/me", { session: second.session })).status).toBe(200)
      yield* TestClock.adjust("1 day")
      const expired = yield* send("GET", "/api/me", { session: second.session })
      expectError(expired, 401, "unauthorized")
      expect(expired.body.message).toMatch(/expired or was signed out/)
    }))

  it.scoped("wrong passwords are 401, then rate-limited per account and per address; huge fields are 400; nothing logged holds a password", () =>
    Effect.gen(function*() {
      const { link, send, user } = yield* started
      expect((yield* send("POST", "/api/session/password", { body: { token: yield* link(), password } })).status).toBe(204)
      const attempt = (email: string, pass: string) => send("POST", "/api/session", { body: { email, password: pass } })
      for (let i = 0; i < 5; i++) expectError(yield* attempt(user.email, `wrong password ${i}`), 401, "sign_in_failed")
      const limited = yield* attempt(user.email, password)
      expectError(limited, 429, "rate_limited")
      expect(limited.headers.get("retry-after")).toBe("50")
      expect(limited.headers.get("set-cookie")).toBeNull()
      // An unknown account answers exactly like a wrong password.
      const unknown = yield* attempt("nobody@example.com", password)
      expectError(unknown, 401, "sign_in_failed")
      for (let i = 0; i < 13; i++) yield* attempt(`nobody${i}@example.com`, password)
      expectError(yield* attempt("someone-else@example.com", password), 429, "rate_limited")
      yield* TestClock.adjust("1 minute")
      expect((yield* attempt(user.email, password)).status).toBe(200)

      expectBadInput(yield* attempt("a".repeat(100_000), password), ["email"])
      expectBadInput(yield* attempt(user.email, "p".repeat(100_000)), ["password"])
      expectBadInput(yield* send("POST", "/api/session/password", { body: { token: "t".repeat(10_000), password } }), ["token"])
      expectBadInput(yield* send("POST", "/api/session/password", { body: { token: "t", password: "short" } }), ["password"])
      expect(logged.length).toBeGreaterThan(0)
      expect(logged.filter((line) => line.includes("wrong password") || line.includes(password))).toEqual([])
    }))
})
