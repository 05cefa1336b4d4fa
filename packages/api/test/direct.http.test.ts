import { describe, expect, it, layer } from "@effect/vitest"
import { Effect } from "effect"
import { WorkerDatabase } from "../../domain/test/lib/ServiceTest.js"
import { ServerLive } from "../src/Server.js"
import { directRoutes } from "../src/http/DirectRoutes.js"
import { baseUrl, call, signUp } from "./lib/TestServer.js"
import type { CallOptions, Reply } from "./lib/TestServer.js"
import { besideContract } from "./proof/Routes.js"

interface Account {
  readonly key: string
  readonly readKey: string
  readonly otherKey: string
  readonly otherWorkspace: string
  readonly otherProject: string
}

interface Case {
  readonly name: string
  readonly method: string
  readonly path: (account: Account) => string
  readonly options: (account: Account) => CallOptions
}

const missing = "00000000-0000-4000-8000-000000000000"
const deep = `${"[".repeat(80)}${"]".repeat(80)}`

/**
 * Requests of every kind the direct path answers or hands on: successes, each refusal of the guard, of
 * admission, of the table's scope check, of the schemas and of the services. Run in order on a new account.
 */
const cases: ReadonlyArray<Case> = [
  { name: "health", method: "GET", path: () => "/api/health", options: () => ({}) },
  { name: "heartbeat without a body", method: "POST", path: () => "/api/timer/heartbeat", options: (a) => ({ key: a.key }) },
  { name: "a body of the wrong type", method: "POST", path: () => "/api/timer/heartbeat", options: (a) => ({ key: a.key, body: { count: "x" } }) },
  {
    name: "malformed JSON",
    method: "POST",
    path: () => "/api/timer/heartbeat",
    options: (a) => ({ key: a.key, rawBody: "{\"count\":", headers: { "content-type": "application/json" } })
  },
  {
    name: "JSON nested too deep",
    method: "POST",
    path: () => "/api/timer/heartbeat",
    options: (a) => ({ key: a.key, rawBody: deep, headers: { "content-type": "application/json" } })
  },
  { name: "a NUL in the body", method: "POST", path: () => "/api/timer/heartbeat", options: (a) => ({ key: a.key, body: { sessionId: "a\u0000b" } }) },
  {
    name: "a body that is not JSON",
    method: "POST",
    path: () => "/api/timer/heartbeat",
    options: (a) => ({ key: a.key, rawBody: "count=1", headers: { "content-type": "text/plain" } })
  },
  { name: "no key", method: "GET", path: () => "/api/timer/current", options: () => ({}) },
  { name: "a key that does not exist", method: "GET", path: () => "/api/timer/current", options: () => ({ key: `ck_live_${"x".repeat(32)}` }) },
  { name: "a malformed key", method: "GET", path: () => "/api/timer/current", options: () => ({ key: "nope" }) },
  { name: "a read key reading", method: "GET", path: () => "/api/timer/current", options: (a) => ({ key: a.readKey }) },
  { name: "a read key writing", method: "POST", path: () => "/api/timer/start", options: (a) => ({ key: a.readKey, body: { projectName: "Alpha" } }) },
  { name: "a path id that is no UUID", method: "GET", path: () => "/api/projects/not-a-uuid", options: (a) => ({ key: a.key }) },
  { name: "an unknown id", method: "GET", path: () => `/api/projects/${missing}`, options: (a) => ({ key: a.key }) },
  { name: "another workspace's project", method: "GET", path: (a) => `/api/projects/${a.otherProject}`, options: (a) => ({ key: a.key }) },
  { name: "a project made", method: "POST", path: () => "/api/projects", options: (a) => ({ key: a.key, body: { name: "Alpha" } }) },
  { name: "the same name again", method: "POST", path: () => "/api/projects", options: (a) => ({ key: a.key, body: { name: "alpha" } }) },
  { name: "a bad query parameter", method: "GET", path: () => "/api/entries?limit=abc", options: (a) => ({ key: a.key }) },
  { name: "a query", method: "GET", path: () => "/api/entries?limit=2&billable=true", options: (a) => ({ key: a.key }) },
  {
    name: "a start with an idempotency key",
    method: "POST",
    path: () => "/api/timer/start",
    options: (a) => ({ key: a.key, body: { projectName: "alpha" }, headers: { "idempotency-key": "direct-1" } })
  },
  { name: "a heartbeat with a session", method: "POST", path: () => "/api/timer/heartbeat", options: (a) => ({ key: a.key, body: { sessionId: "s-1" } }) },
  { name: "the timers", method: "GET", path: () => "/api/timer/current", options: (a) => ({ key: a.key }) },
  { name: "a stop", method: "POST", path: () => "/api/timer/stop", options: (a) => ({ key: a.key, body: {} }) },
  { name: "a stop of nothing", method: "POST", path: () => "/api/timer/stop", options: (a) => ({ key: a.key, body: {} }) },
  { name: "a workspace header that is no UUID", method: "GET", path: () => "/api/timer/current", options: (a) => ({ key: a.key, headers: { "x-clockme-workspace": "nope" } }) },
  { name: "an entry that does not exist", method: "DELETE", path: () => `/api/entries/${missing}`, options: (a) => ({ key: a.key }) },
  { name: "another workspace's members", method: "GET", path: (a) => `/api/workspaces/${a.otherWorkspace}/members`, options: (a) => ({ key: a.key }) },
  { name: "a key's own account", method: "GET", path: () => "/api/me", options: (a) => ({ key: a.key }) },
  { name: "a route that does not exist", method: "GET", path: () => "/api/nothing", options: (a) => ({ key: a.key }) },
  { name: "a method the route does not take", method: "PUT", path: () => "/api/timer/current", options: (a) => ({ key: a.key }) }
]

/** What must be equal: status, the headers' names and the fixed ones' values, the body without ids, times and counters. */
const shape = (reply: Reply) => {
  const volatile = new Set(["date", "ratelimit-reset", "x-ratelimit-reset", "ratelimit-remaining", "x-ratelimit-remaining", "content-length"])
  const headers: Record<string, string> = {}
  reply.headers.forEach((value, name) => {
    headers[name] = volatile.has(name) ? "…" : value
  })
  const body = JSON.stringify(reply.body)
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, "<id>")
    .replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/g, "<time>")
    .replace(/ck_live_[A-Za-z0-9_-]{4}/g, "<prefix>")
    .replace(/user\d+-\d+/g, "<user>")
  return { status: reply.status, headers, body }
}

const recorded: Record<"direct" | "platform", Array<ReturnType<typeof shape>>> = { direct: [], platform: [] }

const account = Effect.gen(function*() {
  const base = yield* baseUrl
  const me = yield* signUp()
  const other = yield* signUp()
  const readKey = (yield* call(base, "POST", "/api/keys", { key: me.key, body: { label: "read", scope: "read" } })).body.secret
  const otherProject = (yield* call(base, "POST", "/api/projects", { key: other.key, body: { name: "Theirs" } })).body.id
  return { key: me.key, readKey, otherKey: other.key, otherWorkspace: other.user.activeWorkspaceId, otherProject } satisfies Account
})

const server = (direct: boolean) =>
  ServerLive({ port: 0, host: "127.0.0.1", bootstrap: false, watchdog: false, delivery: false, direct }, WorkerDatabase)

for (const path of ["direct", "platform"] as const) {
  layer(server(path === "direct"), { timeout: 120_000 })(`the ${path} path`, (it) => {
    it.effect("answers every case", () =>
      Effect.gen(function*() {
        const base = yield* baseUrl
        const a = yield* account
        for (const each of cases) recorded[path].push(shape(yield* call(base, each.method, each.path(a), each.options(a))))
        expect(recorded[path]).toHaveLength(cases.length)
      }))
  })
}

describe("the direct path and the platform", () => {
  it("answer every case alike: status, headers and body", () => {
    expect(recorded.direct).toHaveLength(cases.length)
    expect(cases.map((each, index) => ({ case: each.name, ...recorded.direct[index] })))
      .toEqual(cases.map((each, index) => ({ case: each.name, ...recorded.platform[index] })))
  })

  it("takes the contract's plain JSON endpoints and leaves every other route to the platform", () => {
    const router = directRoutes()
    for (const [method, path] of [["POST", "/api/timer/heartbeat"], ["GET", "/api/timer/current"], ["GET", "/api/health"], ["DELETE", `/api/entries/${missing}`]]) {
      expect(router.find(method!, path!)?.handler.name, `${method} ${path}`).toBeDefined()
    }
    // CSV negotiation, protobuf, the session's edge: the platform's
    for (const [method, path] of [["GET", "/api/reports"], ["GET", `/api/workspaces/${missing}/summary`], ["POST", "/api/otlp/v1/logs"], ["POST", "/api/session"]]) {
      expect(router.find(method!, path!), `${method} ${path}`).toBeUndefined()
    }
    for (const route of Object.keys(besideContract)) {
      const [method, path] = route.split(" ")
      const sample = path!.replace(/:[a-z]+/g, missing)
      for (const each of method === "*" ? ["GET", "POST", "DELETE"] : [method!]) expect(router.find(each, sample), `${each} ${sample}`).toBeUndefined()
    }
  })
})
