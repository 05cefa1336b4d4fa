import { expect, layer } from "@effect/vitest"
import { ErrorCode, McpError } from "@modelcontextprotocol/sdk/types.js"
import { Effect } from "effect"
import { connectMcp, ok } from "../lib/McpClient.js"
import { baseUrl, signUp } from "../lib/TestServer.js"
import { callWithin, ProofServer } from "./World.js"

/** Defects the generated requests found, each pinned by the request that found it. */
layer(ProofServer, { timeout: 120_000 })("what the generated requests found", (it) => {
  it.effect("racing Zapier subscribes with one Idempotency-Key make one subscription; the key on another operation is a 409", () =>
    Effect.gen(function*() {
      const base = yield* baseUrl
      const { key } = yield* signUp()
      const subscribe = { target_url: "http://127.0.0.1:9/zap", event: "entry.created" }
      const headers = { "idempotency-key": "zap-retry-1" }
      const answers = yield* Effect.all(
        Array.from({ length: 8 }, () => callWithin(5000, base, "POST", "/api/zapier/hooks", { key, body: subscribe, headers })),
        { concurrency: "unbounded" }
      )
      expect(answers.map((a) => a.status)).toEqual(Array(8).fill(201))
      expect(new Set(answers.map((a) => a.body.id)).size).toBe(1)
      const listed = yield* callWithin(2000, base, "GET", "/api/integrations", { key })
      expect(listed.body.connections.filter((c: { integration: string }) => c.integration === "zapier")).toHaveLength(1)
      const reused = yield* callWithin(2000, base, "POST", "/api/timer/start", { key, body: { projectName: "p", autoCreate: true }, headers })
      expect([reused.status, reused.body.code]).toEqual([409, "conflict"])
      const another = yield* callWithin(2000, base, "POST", "/api/zapier/hooks", { key, body: subscribe, headers: { "idempotency-key": "zap-retry-2" } })
      expect(another.status).toBe(201)
      expect(another.body.id).not.toBe(answers[0]!.body.id)
    }))

  it.effect("a request without a body is answered as one, whatever its Content-Type: never a hang, a 500 or a form read as {}", () =>
    Effect.gen(function*() {
      const base = yield* baseUrl
      const { key } = yield* signUp()
      const types = [
        "multipart/form-data; boundary=x",
        "multipart/form-data",
        "application/x-www-form-urlencoded",
        "text/plain",
        "application/octet-stream"
      ]
      const bodyless = (path: string, contentType: string) =>
        callWithin(2000, base, "POST", path, { key, rawBody: "", headers: { "content-type": contentType } }).pipe(
          Effect.map((reply) => ({ contentType, status: reply.status, code: reply.body?.code }))
        )
      for (const contentType of types) {
        // an optional body: the same answer as with no Content-Type at all
        expect(yield* bodyless("/api/timer/stop", contentType)).toEqual({ contentType, status: 404, code: "timer_not_running" })
        // a required body: a 400 naming the body, not an empty form read as {}
        expect(yield* bodyless("/api/projects", contentType)).toEqual({ contentType, status: 400, code: "invalid_input" })
      }
      const projects = yield* callWithin(2000, base, "GET", "/api/projects", { key })
      expect(projects.body).toEqual([])
    }))

  it.scoped("a NUL in MCP arguments is a JSON-RPC -32602 for that call, not an HTTP 400 that breaks the client", () =>
    Effect.gen(function*() {
      const base = yield* baseUrl
      const { key } = yield* signUp()
      const client = yield* connectMcp(base, key)
      const error = yield* Effect.promise(() =>
        client.callTool({ name: "clockme_create_project", arguments: { name: "a\u0000b" } }).then(
          () => expect.fail("expected -32602"),
          (error: unknown) => error
        )
      )
      expect(error).toBeInstanceOf(McpError)
      expect((error as McpError).code).toBe(ErrorCode.InvalidParams)
      expect((error as McpError).message).toContain("params.arguments.name must not contain the NUL character")
      // the client goes on working, and nothing was created
      const listed = yield* ok(client, "clockme_list_projects")
      expect(listed.projects).toEqual([])
    }))
})
