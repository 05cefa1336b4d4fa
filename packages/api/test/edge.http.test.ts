import { IdleWatchdog } from "@clockme/domain/services/IdleWatchdog"
import { expect, layer } from "@effect/vitest"
import { Cause, ConfigProvider, Effect, HashMap, Layer, Logger, LogLevel, TestClock } from "effect"
import { request as httpRequest } from "node:http"
import { createProject, expectError, setNow } from "./lib/Fixtures.js"
import { connectMcp, ok, protocolError } from "./lib/McpClient.js"
import type { Reply } from "./lib/TestServer.js"
import { baseUrl, call, signUp, TestServerManualSweep as TestServer } from "./lib/TestServer.js"

/** A request through node:http, for what fetch will not send: no content type, a chunked or cut-off body. */
const raw = (
  base: string,
  options: {
    readonly method: string
    readonly path: string
    readonly headers?: Record<string, string>
    readonly chunks?: ReadonlyArray<string>
    /** Stops sending after the chunks and closes the connection. */
    readonly abort?: boolean
  }
) =>
  Effect.async<Reply | "aborted">((resume) => {
    const url = new URL(options.path, base)
    const req = httpRequest(url, { method: options.method, headers: options.headers ?? {} }, (res) => {
      const parts: Array<Buffer> = []
      res.on("data", (chunk: Buffer) => parts.push(chunk))
      res.on("end", () => {
        const text = Buffer.concat(parts).toString("utf8")
        let body: unknown = text
        try {
          body = text === "" ? null : JSON.parse(text)
        } catch {
          body = text
        }
        const headers = new Headers()
        for (const [name, value] of Object.entries(res.headers)) if (typeof value === "string") headers.set(name, value)
        resume(Effect.succeed({ status: res.statusCode ?? 0, body, headers }))
      })
    })
    req.on("error", () => resume(Effect.succeed("aborted" as const)))
    for (const chunk of options.chunks ?? []) req.write(chunk)
    if (options.abort) {
      setTimeout(() => {
        req.destroy()
        resume(Effect.succeed("aborted" as const))
      }, 50)
    } else req.end()
  })

const nested = (depth: number, inner: string) => "[".repeat(depth) + inner + "]".repeat(depth)

const json = { "content-type": "application/json" }

layer(TestServer, { timeout: 120_000 })("the HTTP edge under bad input", (it) => {
  it.effect("a deeply nested body with a NUL inside is 400 before auth, on every route, never a 500", () =>
    Effect.gen(function*() {
      const base = yield* baseUrl
      const body = JSON.stringify({ name: JSON.parse(nested(4000, "\"x\"")) }).replace("\"x\"", "\"\\u0000\"")
      for (const path of ["/api/projects", "/api/timer/start", "/api/mcp", "/api/nowhere"]) {
        const reply = yield* call(base, "POST", path, { rawBody: body, headers: json })
        expectError(reply, 400, "body_too_complex")
        expect(reply.body.message).toContain("64")
      }
    }))

  it.effect("an authenticated body nested thousands of levels is 400, not a stack overflow", () =>
    Effect.gen(function*() {
      const base = yield* baseUrl
      const { key } = yield* signUp()
      for (const depth of [65, 2200, 5000]) {
        const reply = yield* call(base, "POST", "/api/projects", {
          key,
          rawBody: `{"name":${nested(depth, "\"x\"")}}`,
          headers: json
        })
        expectError(reply, 400, "body_too_complex")
      }
      // 60 levels is within the limit: an ordinary decode error naming the field
      const shallow = yield* call(base, "POST", "/api/projects", { key, rawBody: `{"name":${nested(60, "1")}}`, headers: json })
      expectError(shallow, 400, "invalid_input")
      expect(shallow.body.field).toBe("name")
    }))

  it.effect("a body over the limit is 413 before it is read, by Content-Length or counted when chunked", () =>
    Effect.gen(function*() {
      const base = yield* baseUrl
      const big = JSON.stringify({ name: "x".repeat(2 * 1024 * 1024) })
      const declared = yield* call(base, "POST", "/api/projects", { rawBody: big, headers: json })
      expectError(declared, 413, "payload_too_large")

      const chunk = "x".repeat(64 * 1024)
      const chunked = yield* raw(base, {
        method: "POST",
        path: "/api/projects",
        headers: { ...json, "transfer-encoding": "chunked" },
        chunks: ["{\"name\":\"", ...Array.from({ length: 24 }, () => chunk), "\"}"]
      })
      expect(chunked).not.toBe("aborted")
      expectError(chunked as Reply, 413, "payload_too_large")
    }))

  it.effect("100,000 unknown properties in a body over the limit are refused fast with a small answer", () =>
    Effect.gen(function*() {
      const base = yield* baseUrl
      const { key } = yield* signUp()
      const many = (n: number) => {
        const body: Record<string, unknown> = { name: "Fine" }
        for (let i = 0; i < n; i++) body[`unknown${i}`] = i
        return JSON.stringify(body)
      }
      for (const n of [100_000, 50_000, 5_000]) {
        const rawBody = many(n)
        const started = performance.now()
        const reply = yield* call(base, "POST", "/api/projects", { key, rawBody, headers: json })
        expect(performance.now() - started).toBeLessThan(2500)
        expect([400, 413]).toContain(reply.status)
        expect(JSON.stringify(reply.body).length).toBeLessThan(4096)
      }
      // under every bound: every issue counted, ten reported
      const reply = yield* call(base, "POST", "/api/projects", { key, rawBody: many(900), headers: json })
      expectError(reply, 400, "invalid_input")
      expect(reply.body).toMatchObject({ _tag: "HttpApiDecodeError", field: "unknown0", issueCount: 900 })
      expect(reply.body.issues).toHaveLength(10)
      expect(reply.body.issues[0]).toMatchObject({ path: ["unknown0"] })
      expect(reply.body.message.length).toBeLessThan(300)
      const projects = yield* call(base, "GET", "/api/projects", { key })
      expect(projects.body).toEqual([])
    }))

  it.effect("a body that is not JSON is 415 on JSON endpoints; endpoints with an optional body work with none", () =>
    Effect.gen(function*() {
      const base = yield* baseUrl
      const { key } = yield* signUp()
      const auth = { authorization: `Bearer ${key}` }
      const form = new FormData()
      form.set("name", "From a form")
      const multipart = yield* Effect.promise(() =>
        fetch(`${base}/api/projects`, { method: "POST", headers: auth, body: form }).then(async (r) => ({
          status: r.status,
          body: await r.json(),
          headers: r.headers
        }))
      )
      expectError(multipart, 415, "unsupported_media_type")
      const text = yield* call(base, "POST", "/api/projects", {
        key,
        rawBody: "{\"name\":\"Text\"}",
        headers: { "content-type": "text/plain" }
      })
      expectError(text, 415, "unsupported_media_type")
      const untyped = yield* raw(base, {
        method: "POST",
        path: "/api/projects",
        headers: { ...auth, "content-length": "15" },
        chunks: ["{\"name\":\"None\"}"]
      })
      expectError(untyped as Reply, 415, "unsupported_media_type")
      expect((yield* call(base, "GET", "/api/projects", { key })).body).toEqual([])

      // the documented stop with no body, and `Content-Length: 0`
      const empty = yield* raw(base, { method: "POST", path: "/api/timer/stop", headers: { ...auth, "content-length": "0" } })
      expectError(empty as Reply, 404, "timer_not_running")
      const charset = yield* call(base, "POST", "/api/projects", {
        key,
        rawBody: "{\"name\":\"Typed\"}",
        headers: { "content-type": "application/json; charset=utf-8" }
      })
      expect(charset.status).toBe(201)
    }))

  it.effect("security headers on every answer; no-store on authenticated ones; 401 names the Bearer scheme", () =>
    Effect.gen(function*() {
      const base = yield* baseUrl
      const { key } = yield* signUp()
      const origin = { origin: "https://evil.example" }
      const authed = yield* call(base, "GET", "/api/projects", { key, headers: origin })
      const refused = yield* call(base, "GET", "/api/projects", { headers: origin })
      const health = yield* call(base, "GET", "/api/health", { headers: origin })
      for (const reply of [authed, refused, health]) {
        expect(reply.headers.get("x-content-type-options")).toBe("nosniff")
        expect(reply.headers.get("x-frame-options")).toBe("DENY")
        expect(reply.headers.get("content-security-policy")).toContain("frame-ancestors 'none'")
        expect(reply.headers.get("access-control-allow-origin")).toBeNull()
      }
      expect(authed.headers.get("cache-control")).toBe("no-store")
      expectError(refused, 401, "unauthorized")
      expect(refused.headers.get("www-authenticate")).toMatch(/^Bearer realm="ClockMe"/)
      const badKey = yield* call(base, "GET", "/api/me", { key: "ck_live_nope" })
      expect(badKey.headers.get("www-authenticate")).toContain("error=\"invalid_token\"")

      const preflight = yield* call(base, "OPTIONS", "/api/mcp", {
        headers: { ...origin, "access-control-request-method": "POST" }
      })
      expect(preflight.headers.get("access-control-allow-origin")).toBeNull()

      // the docs page still loads: its inline scripts are allowed, nothing else is
      const docs = yield* call(base, "GET", "/api/docs")
      expect(docs.status).toBe(200)
      expect(docs.body).toContain("<script")
      const csp = docs.headers.get("content-security-policy") ?? ""
      expect(csp).toMatch(/script-src [^;]*'unsafe-inline'/)
      expect(csp).toContain("connect-src 'self'")
      expect(csp).toContain("frame-ancestors 'none'")
    }))

  it.effect("the dashboard: its page at every client route with a strict CSP, hashed assets cached for a year, /api stays JSON", () =>
    Effect.gen(function*() {
      const base = yield* baseUrl
      const { key } = yield* signUp()
      const pagePolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
        "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
      const cookie = { cookie: "clockme_session=whatever" }
      const pages = [
        yield* call(base, "GET", "/"),
        yield* call(base, "GET", "/timers", { headers: cookie }),
        yield* call(base, "GET", "/set-password")
      ]
      for (const page of pages) {
        expect(page.status).toBe(200)
        expect(page.headers.get("content-type")).toBe("text/html; charset=utf-8")
        expect(page.headers.get("cache-control")).toBe("no-cache")
        expect(page.headers.get("content-security-policy")).toBe(pagePolicy)
        expect(page.headers.get("x-frame-options")).toBe("DENY")
        expect(page.body).toBe(pages[0]!.body)
      }
      // no inline script: every script is a file of the build
      expect(pages[0]!.body).not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>/)
      const assets = [...String(pages[0]!.body).matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]!)
      expect(assets.length).toBeGreaterThanOrEqual(2)
      for (const asset of assets) {
        const reply = yield* call(base, "GET", asset)
        expect(reply.status).toBe(200)
        expect(reply.headers.get("cache-control")).toBe("public, max-age=31536000, immutable")
        expect(reply.headers.get("content-type")).toMatch(/^text\/(javascript|css)/)
      }
      expectError(yield* call(base, "GET", "/assets/missing.js"), 404, "not_found")
      expectError(yield* call(base, "GET", "/assets/..%2Fpackage.json"), 404, "not_found")
      // the API keeps its JSON refusals and its no-store
      const unknown = yield* call(base, "GET", "/api/timers")
      expectError(unknown, 404, "not_found")
      expect(unknown.headers.get("content-security-policy")).toContain("default-src 'none'")
      const timers = yield* call(base, "GET", "/api/timer/current", { key })
      expect(timers.headers.get("cache-control")).toBe("no-store")
    }))

  it.effect("an overlong URL is a JSON 414 or 431, not Node's empty answer", () =>
    Effect.gen(function*() {
      const base = yield* baseUrl
      const { key } = yield* signUp()
      for (const size of [10_000, 14_500, 20_000, 70_000]) {
        const reply = yield* call(base, "GET", `/api/entries?projectId=${"a".repeat(size)}`, { key })
        expect([414, 431]).toContain(reply.status)
        expect(reply.headers.get("content-type")).toMatch(/application\/json/)
        expect(typeof reply.body.code).toBe("string")
      }
    }))

  it.scoped("a tool call refused as invalid params (-32602) is not activity", () =>
    Effect.gen(function*() {
      yield* setNow("2026-06-16T09:00:00Z")
      const base = yield* baseUrl
      const { key } = yield* signUp()
      const client = yield* connectMcp(base, key)
      const sweep = Effect.flatMap(IdleWatchdog, (watchdog) => watchdog.sweep)
      yield* ok(client, "clockme_start_timer", { projectName: "agent", autoCreate: true })
      yield* TestClock.adjust("20 minutes")
      yield* protocolError(client, "clockme_log_time", { projectId: 12 })
      yield* TestClock.adjust("11 minutes")
      expect(yield* sweep).toBe(1)

      // an accepted call is activity
      yield* ok(client, "clockme_start_timer", { projectName: "agent" })
      yield* TestClock.adjust("20 minutes")
      yield* ok(client, "clockme_status")
      yield* TestClock.adjust("11 minutes")
      expect(yield* sweep).toBe(0)
    }))
})

/** Every string a log carries (message parts, their fields, annotations, the cause), as is: nothing escaped. */
const rawStrings = (value: unknown, into: Array<string> = [], seen = new Set<unknown>()): Array<string> => {
  if (typeof value === "string") into.push(value)
  else if (typeof value === "object" && value !== null && !seen.has(value)) {
    seen.add(value)
    if (value instanceof Error) into.push(value.message, value.stack ?? "")
    for (const item of value instanceof Map ? value.values() : Object.values(value)) rawStrings(item, into, seen)
  }
  return into
}

/**
 * What the server logs, captured at the logger itself at every level (Debug included: the default minimum
 * would drop it before any logger saw it), each log as its raw strings.
 */
const logs: Array<{ level: LogLevel.LogLevel; text: string }> = []
const CapturedLogs = Layer.merge(
  Logger.replace(
    Logger.defaultLogger,
    Logger.make(({ annotations, cause, logLevel, message }) => {
      const strings = rawStrings([message, HashMap.toEntries(annotations)])
      if (cause._tag !== "Empty") strings.push(Cause.pretty(cause, { renderErrorCause: true }))
      logs.push({ level: logLevel, text: strings.join(" ") })
    })
  ),
  Logger.minimumLogLevel(LogLevel.All)
)

const CorsOrigins = Layer.setConfigProvider(
  ConfigProvider.fromMap(new Map([["CLOCKME_CORS_ORIGINS", "https://app.example, https://other.example"]])).pipe(
    ConfigProvider.orElse(() => ConfigProvider.fromEnv())
  )
)

layer(TestServer.pipe(Layer.provide(CapturedLogs), Layer.provide(CorsOrigins)), { timeout: 120_000 })(
  "the HTTP edge's logs and CORS",
  (it) => {
    it.effect("bad input and client disconnects are never logged as errors, nor with raw body bytes", () =>
      Effect.gen(function*() {
        const base = yield* baseUrl
        const { key } = yield* signUp()
        logs.length = 0
        const bodies = ["{\"name\":\"a\u0000\nFAKE LOG LINE", "{bad", nested(5000, "1"), "{\"name\":\"x\"} trailing"]
        for (const rawBody of bodies) {
          const reply = yield* call(base, "POST", "/api/projects", { key, rawBody, headers: json })
          expect(reply.status).toBe(400)
        }
        const gone = yield* raw(base, {
          method: "POST",
          path: "/api/projects",
          headers: { ...json, authorization: `Bearer ${key}`, "content-length": "1000" },
          chunks: ["{\"name\":\"cut"],
          abort: true
        })
        expect(gone).toBe("aborted")
        yield* Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 200)))
        const loud = logs.filter((log) => LogLevel.greaterThanEqual(log.level, LogLevel.Info))
        expect(loud.map((log) => log.text)).toEqual([])
        // the bodies' bytes appear in no log at any level, raw or escaped
        expect(logs.filter((log) => ["FAKE LOG LINE", "\u0000", "{\"name\":\"cut"].some((bytes) => log.text.includes(bytes)))).toEqual([])
        // and the capture does see Debug: the client that went away is logged there
        expect(logs.filter((log) => log.level === LogLevel.Debug).map((log) => log.text)).toContain("Client went away while sending the body")
      }))

    it.effect("CORS only for the configured origins, and never on /api/mcp", () =>
      Effect.gen(function*() {
        const base = yield* baseUrl
        const { key } = yield* signUp()
        const allowed = yield* call(base, "GET", "/api/projects", { key, headers: { origin: "https://app.example" } })
        expect(allowed.headers.get("access-control-allow-origin")).toBe("https://app.example")
        const preflight = yield* call(base, "OPTIONS", "/api/projects", {
          headers: { origin: "https://other.example", "access-control-request-method": "POST" }
        })
        expect(preflight.status).toBeLessThan(300)
        expect(preflight.headers.get("access-control-allow-origin")).toBe("https://other.example")
        const other = yield* call(base, "GET", "/api/projects", { key, headers: { origin: "https://evil.example" } })
        expect(other.headers.get("access-control-allow-origin")).toBeNull()
        const mcp = yield* call(base, "OPTIONS", "/api/mcp", {
          headers: { origin: "https://app.example", "access-control-request-method": "POST" }
        })
        expect(mcp.headers.get("access-control-allow-origin")).toBeNull()
        yield* createProject(base, key, { name: "Still works" })
      }))
  }
)
