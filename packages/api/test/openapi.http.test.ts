import { expect, layer } from "@effect/vitest"
import { Validator } from "@seriousme/openapi-schema-validator"
import { Effect } from "effect"
import { baseUrl, call, TestServerManualSweep as TestServer } from "./lib/TestServer.js"

/** The endpoints issue 2 and the public docs name, as OpenAPI paths. */
const documented: ReadonlyArray<readonly [string, string]> = [
  ["get", "/api/projects"],
  ["post", "/api/projects"],
  ["get", "/api/projects/{id}"],
  ["patch", "/api/projects/{id}"],
  ["post", "/api/tasks"],
  ["get", "/api/tasks"],
  ["get", "/api/timer/current"],
  ["post", "/api/timer/start"],
  ["post", "/api/timer/stop"],
  ["get", "/api/entries"],
  ["post", "/api/entries"],
  ["patch", "/api/entries/{id}"],
  ["delete", "/api/entries/{id}"],
  ["get", "/api/reports"],
  ["get", "/api/workspaces"],
  ["post", "/api/workspaces/join"],
  ["get", "/api/workspaces/{id}/summary"],
  ["get", "/api/me"],
  ["patch", "/api/me"],
  ["get", "/api/keys"],
  ["post", "/api/keys"],
  ["delete", "/api/keys/{id}"]
]

layer(TestServer, { timeout: 120_000 })("the OpenAPI document and the docs page", (it) => {
  it.effect("GET /api/openapi is an OpenAPI 3.1 document a standard validator accepts", () =>
    Effect.gen(function*() {
      const base = yield* baseUrl
      const reply = yield* call(base, "GET", "/api/openapi")
      expect(reply.status).toBe(200)
      expect(reply.headers.get("content-type")).toMatch(/application\/json/)
      const document = reply.body
      expect(document.openapi).toMatch(/^3\.1\./)
      expect(document.info).toMatchObject({ title: "ClockMe API" })

      const validator = new Validator()
      const result = yield* Effect.promise(() => validator.validate(structuredClone(document)))
      expect(result.errors ?? []).toEqual([])
      expect(result.valid).toBe(true)
      expect(validator.version).toBe("3.1")
      // and the validator does reject a broken document
      const broken = structuredClone(document)
      broken.paths["/api/projects"].get.responses = "none"
      const rejected = yield* Effect.promise(() => new Validator().validate(broken))
      expect(rejected.valid).toBe(false)

      // every $ref points at something that exists
      const refs = [...JSON.stringify(document).matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)].map((m) => m[1]!)
      expect(refs.length).toBeGreaterThan(0)
      for (const ref of new Set(refs)) expect(Object.keys(document.components.schemas)).toContain(decodeURIComponent(ref))
    }))

  it.effect("documents every endpoint, with the bearer key or the session cookie and the error answers", () =>
    Effect.gen(function*() {
      const base = yield* baseUrl
      const document = (yield* call(base, "GET", "/api/openapi")).body
      for (const [method, path] of documented) {
        const operation = document.paths[path]?.[method]
        expect({ method, path, documented: operation !== undefined }).toEqual({ method, path, documented: true })
        expect(operation.security).toEqual([{ bearer: [] }, { session: [] }])
        expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining(["400", "401"]))
      }
      expect(document.components.securitySchemes.bearer).toMatchObject({ type: "http", scheme: "bearer" })
      expect(document.components.securitySchemes.session).toMatchObject({ type: "apiKey", in: "cookie", name: "clockme_session" })
      expect(document.paths["/api/session"].post.security).toEqual([])
      expect(document.paths["/api/session"].post.responses["429"]).toBeDefined()
      expect(document.paths["/api/projects"].post.responses["403"].content["application/json"].schema.anyOf).toContainEqual({
        $ref: "#/components/schemas/CsrfRefused"
      })
      expect(document.paths["/api/timer/start"].post.requestBody.content["application/json"].schema).toBeDefined()
      expect(document.paths["/api/entries"].post.responses["201"]).toBeDefined()
      expect(document.paths["/api/timer/stop"].post.responses["409"]).toBeDefined()
      expect(document.paths["/api/projects/{id}"].get.responses["404"]).toBeDefined()
      expect(document.paths["/api/projects"].post.responses["403"]).toBeDefined()
    }))

  it.effect("GET /api/docs serves an HTML page that loads the document", () =>
    Effect.gen(function*() {
      const base = yield* baseUrl
      const reply = yield* call(base, "GET", "/api/docs")
      expect(reply.status).toBe(200)
      expect(reply.headers.get("content-type")).toMatch(/text\/html/)
      expect(typeof reply.body).toBe("string")
      expect(reply.body).toMatch(/<html/i)
      expect(reply.body).toContain("ClockMe API")
    }))
})
