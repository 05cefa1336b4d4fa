import { expect, layer } from "@effect/vitest"
import { Effect, Option } from "effect"
import { createProject, expectBadInput, expectError, logEntry, setNow } from "./lib/Fixtures.js"
import { baseUrl, call, signUp, TestServerManualSweep as TestServer } from "./lib/TestServer.js"
import { endpoints, snapshot } from "./proof/World.js"

interface Write {
  readonly method: string
  readonly path: string
  /** A valid body, and the field that gets a bad value. */
  readonly body: Record<string, unknown>
  readonly field: string
}

const writes = (ids: { project: string; entry: string }): ReadonlyArray<Write> => [
  { method: "POST", path: "/api/projects", body: { name: "Fine" }, field: "name" },
  { method: "PATCH", path: `/api/projects/${ids.project}`, body: { name: "Fine" }, field: "name" },
  { method: "POST", path: "/api/tasks", body: { projectId: ids.project, name: "Fine" }, field: "name" },
  { method: "POST", path: "/api/timer/start", body: { projectId: ids.project, description: "Fine" }, field: "description" },
  { method: "POST", path: "/api/timer/stop", body: { projectName: "Fine" }, field: "projectName" },
  {
    method: "POST",
    path: "/api/entries",
    body: { projectId: ids.project, startTime: "2026-06-09T09:00:00Z", durationMinutes: 5, description: "Fine" },
    field: "description"
  },
  { method: "PATCH", path: `/api/entries/${ids.entry}`, body: { description: "Fine" }, field: "description" },
  { method: "POST", path: "/api/workspaces/join", body: { code: "FINE" }, field: "code" },
  { method: "PATCH", path: "/api/me", body: { name: "Fine" }, field: "name" },
  { method: "POST", path: "/api/keys", body: { label: "Fine" }, field: "label" }
]

const label = (w: Write) => `${w.method} ${w.path}`

/** Every endpoint of the contract that takes a body (walked from `Api.groups`). */
const withBody = endpoints.filter((ep) => ep.method !== "GET" && Option.isSome(ep.endpoint.payloadSchema))

/**
 * Bodies that take fields they do not know and ignore them: Zapier's subscribe (Zapier sends fields of its own)
 * and OTLP exports (the protocol has fields ClockMe does not read, and adds new ones).
 */
const lenient: ReadonlySet<string> = new Set(["zapier.subscribe", "otlp.logs"])

layer(TestServer, { timeout: 120_000 })("bad input", (it) => {
  it.effect("every endpoint with a body: malformed JSON and an unknown field are each a 400 naming the problem, and nothing is written", () =>
    Effect.gen(function*() {
      yield* setNow("2026-06-10T12:00:00Z")
      const base = yield* baseUrl
      const { key } = yield* signUp()
      const project = yield* createProject(base, key, { name: "Target" })
      const before = yield* snapshot
      expect(withBody.length).toBeGreaterThan(20)
      for (const ep of withBody) {
        // the account's own project for every id: only the body is wrong
        const path = ep.path.replace(/:(\w+)/g, () => project.id)
        const at = `${ep.method} ${ep.path}`
        const malformed = yield* call(base, ep.method, path, { key, rawBody: "{\"name\":", headers: { "content-type": "application/json" } })
        expect({ at, status: malformed.status, code: malformed.body?.code }).toEqual({ at, status: 400, code: "malformed_json" })
        const unknown = yield* call(base, ep.method, path, { key, body: { surprise: true } })
        expect({ at, status: unknown.status }).toEqual({ at, status: 400 })
        if (!lenient.has(ep.id)) expectBadInput(unknown, ["surprise"])
        else expect(JSON.stringify(unknown.body.issues), at).not.toContain("surprise")
      }
      expect(yield* snapshot).toEqual(before)
    }))

  it.effect("a sample of endpoints: malformed JSON, a wrong type, an unknown field and a NUL character in a named field are each a 400 naming the problem", () =>
    Effect.gen(function*() {
      yield* setNow("2026-06-10T12:00:00Z")
      const base = yield* baseUrl
      const { key } = yield* signUp()
      const project = yield* createProject(base, key, { name: "Target" })
      const entry = yield* logEntry(base, key, { projectId: project.id, startTime: "2026-06-09T08:00:00Z", durationMinutes: 5 })

      for (const write of writes({ project: project.id, entry: entry.id })) {
        const send = (options: { body?: unknown; rawBody?: string }) =>
          call(base, write.method, write.path, {
            key,
            ...options,
            ...(options.rawBody === undefined ? {} : { headers: { "content-type": "application/json" } })
          })
        const at = label(write)

        const malformed = yield* send({ rawBody: JSON.stringify(write.body).slice(0, -1) })
        expect({ at, status: malformed.status, code: malformed.body?.code }).toEqual({ at, status: 400, code: "malformed_json" })

        const wrongType = yield* send({ body: { ...write.body, [write.field]: 12345 } })
        expect({ at, status: wrongType.status, code: wrongType.body?.code }).toEqual({ at, status: 400, code: "invalid_input" })
        expectBadInput(wrongType, [write.field])

        const unknown = yield* send({ body: { ...write.body, surprise: true } })
        expect({ at, status: unknown.status }).toEqual({ at, status: 400 })
        expectBadInput(unknown, ["surprise"])

        // PostgreSQL text cannot hold U+0000: a 400 naming the field, never a 500
        const nul = yield* send({ body: { ...write.body, [write.field]: "bad\u0000value" } })
        expect({ at, status: nul.status, code: nul.body?.code, field: nul.body?.field }).toEqual({
          at,
          status: 400,
          code: "invalid_input",
          field: write.field
        })
        expect(nul.body.message).toContain(write.field)
      }

      // nothing was changed by any of it
      const projects = yield* call(base, "GET", "/api/projects", { key })
      expect(projects.body.map((p: any) => p.name)).toEqual(["Target"])
      const entries = yield* call(base, "GET", "/api/entries", { key })
      expect(entries.body.entries).toEqual([entry])
      const timers = yield* call(base, "GET", "/api/timer/current", { key })
      expect(timers.body.timers).toEqual([])
    }))

  it.effect("a NUL anywhere in the body, even in a nested key, is refused with its path", () =>
    Effect.gen(function*() {
      const base = yield* baseUrl
      const { key } = yield* signUp()
      const keyed = yield* call(base, "POST", "/api/projects", { key, body: { name: "A", "we\u0000ird": 1 } })
      expectError(keyed, 400, "invalid_input")
      expect(keyed.body.field).toBe("we\u0000ird")
      // an escaped backslash followed by u0000 is plain text, not a NUL
      const literal = yield* call(base, "POST", "/api/projects", { key, body: { name: "C:\\u0000dir" } })
      expect(literal.status).toBe(201)
      expect(literal.body.name).toBe("C:\\u0000dir")
    }))

  it.effect("an unarchive that would clash with a live project's name is 409 naming that name", () =>
    Effect.gen(function*() {
      const base = yield* baseUrl
      const { key } = yield* signUp()
      const old = yield* createProject(base, key, { name: "Reborn" })
      yield* call(base, "PATCH", `/api/projects/${old.id}`, { key, body: { archived: true } })
      yield* createProject(base, key, { name: "reborn" })
      const clash = yield* call(base, "PATCH", `/api/projects/${old.id}`, { key, body: { archived: false } })
      expectError(clash, 409, "project_name_taken")
      expect(clash.body.name).toBe("Reborn")
      expect(clash.body.message).toContain("\"Reborn\"")
      const renamed = yield* call(base, "PATCH", `/api/projects/${old.id}`, { key, body: { archived: false, name: "Reborn 2" } })
      expect(renamed.status).toBe(200)
    }))

  it.effect("entry times must be ISO 8601 instants from the year 2000 on, and cursors must be real", () =>
    Effect.gen(function*() {
      yield* setNow("2026-06-10T12:00:00Z")
      const base = yield* baseUrl
      const { key } = yield* signUp()
      const project = yield* createProject(base, key, { name: "Times" })
      const post = (startTime: unknown) =>
        call(base, "POST", "/api/entries", { key, body: { projectId: project.id, startTime, durationMinutes: 5 } })
      expectBadInput(yield* post("June 9 2026"), ["startTime"])
      expectBadInput(yield* post("+275760-09-13T00:00:00Z"), ["startTime"])
      expectBadInput(yield* post("-001000-01-01T00:00:00Z"), ["startTime"])
      expectBadInput(yield* post("1999-12-31T23:00:00Z"), ["startTime"])
      expectBadInput(yield* post("0026-06-09T09:00:00Z"), ["startTime"])
      expectBadInput(yield* post(1780000000000), ["startTime"])
      expect((yield* post("2026-06-09T09:00:00.123+02:00")).status).toBe(201)
      expect((yield* post("2026-06-09 10:00:00Z")).status).toBe(201)
      const entry = (yield* call(base, "GET", "/api/entries", { key })).body.entries[0]
      expectBadInput(
        yield* call(base, "PATCH", `/api/entries/${entry.id}`, { key, body: { startTime: "yesterday at noon" } }),
        ["startTime"]
      )
      const cursor = Buffer.from(JSON.stringify({ t: "0000-00-00", id: entry.id })).toString("base64url")
      expectBadInput(yield* call(base, "GET", `/api/entries?cursor=${cursor}`, { key }), ["cursor"])
      const list = yield* call(base, "GET", "/api/entries", { key })
      expect(list.body.entries).toHaveLength(2)
    }))
})
