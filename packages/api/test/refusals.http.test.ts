import { McpHttp } from "@clockme/mcp/Http"
import { McpTools } from "@clockme/mcp/Server"
import { McpSession } from "@clockme/mcp/Session"
import type { Tool } from "@clockme/mcp/Tool"
import { readOnly } from "@clockme/mcp/Tool"
import { SqlError } from "@effect/sql/SqlError"
import { expect, layer } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { execFile } from "node:child_process"
import { writeFile } from "node:fs/promises"
import { connect } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { promisify } from "node:util"
import { gzipSync } from "node:zlib"
import { Checker } from "./lib/DocumentedAnswers.js"
import { createProject, expectError } from "./lib/Fixtures.js"
import { baseUrl, call, signUp, TestServerManualSweep as TestServer } from "./lib/TestServer.js"

const json = { "content-type": "application/json" }
const TWENTY_MB = 20 * 1024 * 1024

/** A JSON body padded with whitespace (still valid JSON) to the given size. */
const padded = (body: unknown, size: number) => {
  const text = JSON.stringify(body)
  return text + " ".repeat(Math.max(0, size - text.length))
}

/** Ten 20 MB POSTs with Node's fetch; prints what each got: the status and code, or the network error. */
const fetchTenTimes = `
const [base, key] = process.argv.slice(1)
const body = JSON.stringify({ name: "Huge" }) + " ".repeat(${TWENTY_MB})
const seen = []
for (let i = 0; i < 10; i++) {
  try {
    const response = await fetch(base + "/api/projects", {
      method: "POST",
      headers: { "content-type": "application/json", authorization: "Bearer " + key },
      body
    })
    seen.push(response.status + " " + (await response.json()).code)
  } catch (error) {
    seen.push(String(error.cause?.code ?? error.message))
  }
}
console.log(JSON.stringify(seen))
`

layer(TestServer, { timeout: 120_000 })("refusals, as the OpenAPI document declares them", (it) => {
  it.effect("the walk a validating proxy made: each 400 names the field and matches its declared schema", () =>
    Effect.gen(function*() {
      const base = yield* baseUrl
      const { key } = yield* signUp()
      const project = yield* createProject(base, key, { name: "Walked" })
      // call() fails on any answer /api/openapi does not declare, so these pass only if the 400s conform
      const entry = yield* call(base, "POST", "/api/entries", { key, body: { projectId: "nope", startTime: 5 } })
      expect(entry.status).toBe(400)
      expect(entry.body).toMatchObject({ _tag: "HttpApiDecodeError", code: "invalid_input", field: "projectId" })
      expect(entry.body.issueCount).toBeGreaterThanOrEqual(2)
      const patch = yield* call(base, "PATCH", `/api/projects/${project.id}`, { key, body: { name: 42, billable: "yes" } })
      expect(patch.status).toBe(400)
      expect(patch.body).toMatchObject({ _tag: "HttpApiDecodeError", code: "invalid_input" })
      const limit = yield* call(base, "GET", "/api/entries?limit=100000", { key })
      expect(limit.status).toBe(400)
      expect(limit.body).toMatchObject({ _tag: "HttpApiDecodeError", code: "invalid_input", field: "limit" })
    }))

  it.effect("the check refuses what the document does not declare", () =>
    Effect.gen(function*() {
      const base = yield* baseUrl
      const document = (yield* call(base, "GET", "/api/openapi")).body
      const checker = new Checker(document)
      const answer = (method: string, path: string, status: number, body: unknown) =>
        checker.problem({
          method,
          url: `${base}${path}`,
          status,
          contentType: "application/json",
          text: JSON.stringify(body)
        })
      const decodeError = {
        _tag: "HttpApiDecodeError",
        code: "invalid_input",
        field: "limit",
        message: "limit: Expected a number between 1 and 500",
        issues: [{ _tag: "Type", path: ["limit"], message: "Expected a number between 1 and 500" }],
        issueCount: 1
      }
      expect(answer("GET", "/api/entries", 400, decodeError)).toBeUndefined()
      // the platform's own shape, which the document used to declare
      const { code: _code, field: _field, issueCount: _count, ...platform } = decodeError
      expect(answer("GET", "/api/entries", 400, platform)).toMatch(/must have required property/)
      expect(answer("GET", "/api/entries", 400, { ...decodeError, extra: 1 })).toMatch(/additional properties/)
      expect(answer("GET", "/api/entries", 418, decodeError)).toMatch(/status 418 is not declared/)
      // a GET has no body to be too large, so 413 is not declared on it, and is on a POST
      const tooLarge = { _tag: "PayloadTooLarge", code: "payload_too_large", message: "too large" }
      expect(answer("GET", "/api/entries", 413, tooLarge)).toMatch(/status 413 is not declared/)
      expect(answer("POST", "/api/entries", 413, tooLarge)).toBeUndefined()
      expect(answer("PUT", "/api/nowhere", 404, { _tag: "NotFound", code: "not_found", message: "No route" })).toBeUndefined()
      expect(answer("PUT", "/api/nowhere", 200, {})).toMatch(/not one of the contract's refusals/)
    }))

  it.effect("a 20 MB body: Node's fetch reads the 413 (the rest is drained, not reset), and so does curl", () =>
    Effect.gen(function*() {
      const base = yield* baseUrl
      const { key } = yield* signUp()
      const body = padded({ name: "Huge" }, TWENTY_MB)
      // the client in its own process, as an SDK user's would be (in this process the server is never behind
      // the client's writes); without the drain about half of these failed with EPIPE
      const statuses = yield* Effect.promise(() =>
        promisify(execFile)(process.execPath, ["--input-type=module", "-e", fetchTenTimes, base, key], { maxBuffer: 1024 * 1024 })
      )
      expect(JSON.parse(statuses.stdout)).toEqual(Array.from({ length: 10 }, () => "413 payload_too_large"))
      const reply = yield* call(base, "POST", "/api/projects", { key, rawBody: body, headers: json })
      expectError(reply, 413, "payload_too_large")
      expect(reply.body.message).toContain("1048576 bytes")
      const file = join(tmpdir(), `clockme-20mb-${process.pid}.json`)
      yield* Effect.promise(() => writeFile(file, body))
      const curl = yield* Effect.promise(() =>
        promisify(execFile)("curl", [
          "-sS",
          "-o",
          "-",
          "-w",
          "\n%{http_code}",
          "-H",
          "content-type: application/json",
          "-H",
          `authorization: Bearer ${key}`,
          "--data-binary",
          `@${file}`,
          `${base}/api/projects`
        ], { maxBuffer: 1024 * 1024 })
      )
      const [text, status] = curl.stdout.split("\n")
      expect(status).toBe("413")
      expect(JSON.parse(text!)).toMatchObject({ _tag: "PayloadTooLarge", code: "payload_too_large" })
    }))

  it.effect("the drain after a 413 is bounded: a client that keeps sending past 8 MiB is cut off", () =>
    Effect.gen(function*() {
      const base = new URL(yield* baseUrl)
      const outcome = yield* Effect.async<{ readonly answer: string; readonly sent: number }>((resume) => {
        const socket = connect(Number(base.port), base.hostname)
        let answer = ""
        let sent = 0
        const chunk = Buffer.alloc(64 * 1024, 0x20)
        const pump = () => {
          while (sent < 64 * 1024 * 1024 && socket.writable) {
            sent += chunk.length
            if (!socket.write(chunk)) return void socket.once("drain", pump)
          }
          socket.end()
        }
        socket.on("data", (data: Buffer) => void (answer += data.toString("latin1")))
        socket.on("error", () => undefined)
        socket.on("close", () => resume(Effect.succeed({ answer, sent })))
        socket.write(`POST /api/projects HTTP/1.1\r\nhost: ${base.host}\r\ncontent-type: application/json\r\n` +
          `content-length: ${64 * 1024 * 1024}\r\n\r\n`)
        pump()
      })
      expect(outcome.answer).toMatch(/^HTTP\/1\.1 413 /)
      expect(outcome.answer).toContain("payload_too_large")
      // cut well before the 64 MiB it meant to send (what the kernel buffers on both sides comes on top of 8 MiB)
      expect(outcome.sent).toBeLessThan(48 * 1024 * 1024)
    }))

  it.effect("a Content-Encoding the server does not decode is 415 naming it, not the compressed bytes parsed", () =>
    Effect.gen(function*() {
      const base = yield* baseUrl
      const { key } = yield* signUp()
      const compressed = yield* call(base, "POST", "/api/projects", {
        key,
        rawBody: gzipSync(JSON.stringify({ name: "Zipped" })),
        headers: { ...json, "content-encoding": "gzip" }
      })
      expectError(compressed, 415, "unsupported_media_type")
      expect(compressed.body.message).toContain("gzip")
      // plain bytes merely labelled as encoded are refused the same way, never read as JSON
      const labelled = yield* call(base, "POST", "/api/projects", {
        key,
        rawBody: JSON.stringify({ name: "Labelled" }),
        headers: { ...json, "content-encoding": "br" }
      })
      expectError(labelled, 415, "unsupported_media_type")
      expect(labelled.body.message).toContain("br")
      const identity = yield* call(base, "POST", "/api/projects", {
        key,
        body: { name: "Identity" },
        headers: { "content-encoding": "identity" }
      })
      expect(identity.status).toBe(201)
    }))

  it.effect("an MCP call that meets a database outage after admission is 503 with -32000 and the retry advice", () =>
    Effect.gen(function*() {
      const { key } = yield* signUp()
      const outage: Tool = {
        definition: {
          name: "clockme_outage",
          title: "Outage",
          description: "Meets a database that went away after admission",
          inputSchema: { type: "object", properties: {}, additionalProperties: false },
          outputSchema: { type: "object", properties: {} },
          annotations: { ...readOnly, title: "Outage" }
        },
        call: () =>
          Effect.die(new SqlError({ cause: Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" }) }))
      }
      const mcp = yield* McpHttp.pipe(
        Effect.provide(
          McpHttp.DefaultWithoutDependencies.pipe(
            Layer.provide(Layer.succeed(McpTools, McpTools.make({ tools: [outage] }))),
            Layer.provide(McpSession.Default)
          )
        )
      )
      const response = yield* Effect.promise(() =>
        mcp.handle(
          new Request("http://127.0.0.1/api/mcp", {
            method: "POST",
            headers: { ...json, accept: "application/json, text/event-stream", authorization: `Bearer ${key}` },
            body: JSON.stringify({ jsonrpc: "2.0", id: 7, method: "tools/call", params: { name: "clockme_outage", arguments: {} } })
          })
        )
      )
      expect(response.status).toBe(503)
      expect(response.headers.get("retry-after")).toBe("5")
      const body = yield* Effect.promise(() => response.json())
      expect(body).toMatchObject({
        jsonrpc: "2.0",
        id: 7,
        error: { code: -32000, data: { _tag: "ServiceUnavailable", code: "database_unavailable" } }
      })
      expect(body.error.message).toContain("retry in 5 s")
    }))
})
