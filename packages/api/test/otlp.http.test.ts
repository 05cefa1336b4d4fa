import { describe, expect, it } from "@effect/vitest"
import { PINNED_PRICES } from "@clockme/domain/services/PinnedPrices"
import { PriceTables } from "@clockme/domain/services/PriceTables"
import { SqlClient } from "@effect/sql"
import { Effect, Layer, TestClock } from "effect"
import * as zlib from "node:zlib"
import protobuf from "protobufjs"
import { jsonExport, protobufAnswer, protobufExport } from "./lib/ClaudeCodeExport.js"
import type { ApiRequestEvent } from "./lib/ClaudeCodeExport.js"
import { expectDocumented } from "./lib/DocumentedAnswers.js"
import { baseUrl, call, signUp, TestServerManualSweep } from "./lib/TestServer.js"

/** google.rpc.Status as googleapis publishes it (google/rpc/status.proto), to read the receiver's refusals. */
const StatusType = protobuf.parse(
  `syntax = "proto3"; package google.rpc; message Status { int32 code = 1; string message = 2; repeated bytes details = 3; }`
).root.lookupType("google.rpc.Status")
const rpcStatus = (bytes: Uint8Array) => StatusType.toObject(StatusType.decode(bytes), { defaults: true }) as { code: number; message: string }

const T0 = Date.parse("2026-06-01T09:00:00.000Z")
const minutes = (n: number) => T0 + n * 60_000
const LOGS = "/api/otlp/v1/logs"

const serverFor = (plan?: "free") => Effect.gen(function*() {
  yield* TestClock.setTime(T0)
  const context = yield* Layer.build(TestServerManualSweep)
  const base = yield* Effect.provide(baseUrl, context)
  const { key } = yield* Effect.provide(signUp(plan === undefined ? {} : { plan }), context)
  const post = (path: string, body?: unknown) => call(base, "POST", path, { key, body })
  const get = (path: string) => call(base, "GET", path, { key })
  const exportJson = (events: ReadonlyArray<ApiRequestEvent>, withKey = key) =>
    call(base, "POST", LOGS, { key: withKey, rawBody: jsonExport(events), headers: { "content-type": "application/json" } })
  /** The protobuf answer is read as bytes, as the exporter reads it. */
  const exportProtobuf = (
    events: ReadonlyArray<ApiRequestEvent> | Uint8Array,
    options: { readonly key?: string; readonly gzip?: boolean } = {}
  ) =>
    Effect.promise(async () => {
      const bytes = events instanceof Uint8Array ? events : protobufExport(events)
      const response = await fetch(base + LOGS, {
        method: "POST",
        headers: {
          authorization: `Bearer ${options.key ?? key}`,
          "content-type": "application/x-protobuf",
          ...(options.gzip === true ? { "content-encoding": "gzip" } : {})
        },
        body: new Uint8Array(options.gzip === true ? zlib.gzipSync(bytes) : bytes)
      })
      const answer = new Uint8Array(await response.arrayBuffer())
      const type = response.headers.get("content-type")
      await expectDocumented({ method: "POST", url: base + LOGS, status: response.status, contentType: type, text: new TextDecoder().decode(answer) })
      return { status: response.status, type, bytes: answer }
    })
  const timerUsage = Effect.map(get("/api/timer/current"), (reply) => reply.body.timers.map((t: any) => t.usage))
  const entries = Effect.map(get("/api/entries?limit=100"), (reply) => reply.body.entries as Array<any>)
  return { base, key, context, post, get, exportJson, exportProtobuf, timerUsage, entries }
})
const withServer = serverFor()

const hookStart = (sessionId: string) => ({
  projectName: "clockme",
  autoCreate: true,
  source: "hook",
  description: "Claude Code session",
  sessionId
})

const sonnet = (sessionId: string, at: number, requestId: string, extra: Partial<ApiRequestEvent> = {}): ApiRequestEvent => ({
  sessionId,
  at,
  requestId,
  promptId: "prompt-1",
  model: "claude-sonnet-4-5-20250929",
  costUsd: 0.0123,
  inputTokens: 1200,
  outputTokens: 300,
  cacheReadTokens: 5000,
  cacheCreationTokens: 800,
  ...extra
})

describe("OTLP/HTTP logs receiver", () => {
  it.scoped("a JSON export attaches cost and tokens to the hook timer of its session, then to its entry; a repeat counts once", () =>
    Effect.gen(function*() {
      const s = yield* withServer
      expect((yield* s.post("/api/timer/start", hookStart("sess-1"))).status).toBe(200)
      yield* TestClock.adjust("2 minutes")
      const events = [
        sonnet("sess-1", minutes(1), "req_1"),
        sonnet("sess-1", minutes(2), "req_2", { costUsd: 0.0077, inputTokens: 10, outputTokens: 20, cacheReadTokens: 0, cacheCreationTokens: 0 }),
        { sessionId: "sess-1", at: minutes(2), event: "user_prompt", promptId: "prompt-1" },
        { sessionId: "sess-1", at: minutes(2), event: "tool_result", promptId: "prompt-1" }
      ]
      const first = yield* s.exportJson(events)
      expect(first.status).toBe(200)
      expect(first.body).toEqual({})
      const expected = {
        requests: 2,
        inputTokens: 1210,
        outputTokens: 320,
        cacheReadTokens: 5000,
        cacheCreationTokens: 800,
        costUsd: 0.02,
        models: ["claude-sonnet-4-5-20250929"],
        unpricedModels: []
      }
      expect(yield* s.timerUsage).toEqual([expected])
      const again = yield* s.exportJson(events)
      expect(again.status).toBe(200)
      expect(yield* s.timerUsage).toEqual([expected])
      const stopped = yield* s.post("/api/timer/stop", {})
      expect(stopped.status).toBe(200)
      expect(stopped.body.usage).toEqual(expected)
      const [entry] = yield* s.entries
      expect(entry.usage).toEqual(expected)
    }))

  it.scoped("a protobuf export is read the same and answered in protobuf", () =>
    Effect.gen(function*() {
      const s = yield* withServer
      yield* s.post("/api/timer/start", hookStart("sess-pb"))
      const reply = yield* s.exportProtobuf([
        sonnet("sess-pb", minutes(0), "req_pb", { costUsd: 0.5, inputTokens: 7, outputTokens: 8, cacheReadTokens: 9, cacheCreationTokens: 10 })
      ])
      expect(reply.status).toBe(200)
      expect(reply.type).toBe("application/x-protobuf")
      expect(protobufAnswer(reply.bytes)).toEqual({})
      expect(yield* s.timerUsage).toEqual([{
        requests: 1,
        inputTokens: 7,
        outputTokens: 8,
        cacheReadTokens: 9,
        cacheCreationTokens: 10,
        costUsd: 0.5,
        models: ["claude-sonnet-4-5-20250929"],
        unpricedModels: []
      }])
      const bad = yield* s.exportProtobuf(new Uint8Array([0x0a, 0xff, 0xff, 0xff, 0x0f, 0x01]))
      expect(bad.status).toBe(400)
      expect(bad.type).toBe("application/x-protobuf")
      expect(rpcStatus(bad.bytes)).toMatchObject({ code: 3, message: expect.stringContaining("not a protobuf ExportLogsServiceRequest") })
    }))

  it.scoped("gzip exports are inflated, within the body limit; a zip bomb is 413, bad gzip 400, other encodings 415", () =>
    Effect.gen(function*() {
      const s = yield* withServer
      yield* s.post("/api/timer/start", hookStart("gz"))
      const gzJson = yield* call(s.base, "POST", LOGS, {
        key: s.key,
        rawBody: zlib.gzipSync(jsonExport([sonnet("gz", minutes(0), "req_gz_json", { costUsd: 0.25 })])),
        headers: { "content-type": "application/json", "content-encoding": "gzip" }
      })
      expect(gzJson.status).toBe(200)
      expect(gzJson.body).toEqual({})
      const gzProtobuf = yield* s.exportProtobuf([sonnet("gz", minutes(0), "req_gz_pb", { costUsd: 0.5 })], { gzip: true })
      expect(gzProtobuf.status).toBe(200)
      expect(protobufAnswer(gzProtobuf.bytes)).toEqual({})
      expect((yield* s.timerUsage)[0]).toMatchObject({ requests: 2, costUsd: 0.75 })

      // 64 MB of zeros gzip to about 64 KB: well under the 1 MB limit as sent, far over it inflated
      const bomb = zlib.gzipSync(Buffer.alloc(64 * 1024 * 1024))
      expect(bomb.length).toBeLessThan(1024 * 1024)
      const exploded = yield* call(s.base, "POST", LOGS, {
        key: s.key,
        rawBody: bomb,
        headers: { "content-type": "application/json", "content-encoding": "gzip" }
      })
      expect(exploded.status).toBe(413)
      expect(exploded.body.message).toContain("inflates to more than")
      const explodedPb = yield* Effect.promise(() =>
        fetch(s.base + LOGS, {
          method: "POST",
          headers: { authorization: `Bearer ${s.key}`, "content-type": "application/x-protobuf", "content-encoding": "gzip" },
          body: new Uint8Array(bomb)
        }).then(async (response) => ({ status: response.status, bytes: new Uint8Array(await response.arrayBuffer()) }))
      )
      expect(explodedPb.status).toBe(413)
      expect(rpcStatus(explodedPb.bytes).message).toContain("inflates to more than")

      const notGzip = yield* call(s.base, "POST", LOGS, {
        key: s.key,
        rawBody: jsonExport([]),
        headers: { "content-type": "application/json", "content-encoding": "gzip" }
      })
      expect(notGzip.status).toBe(400)
      expect(notGzip.body.message).toContain("not valid gzip")
      const deflated = yield* call(s.base, "POST", LOGS, {
        key: s.key,
        rawBody: zlib.deflateSync(jsonExport([])),
        headers: { "content-type": "application/json", "content-encoding": "deflate" }
      })
      expect(deflated.status).toBe(415)
      expect(deflated.body.message).toContain("gzip only")
      expect((yield* s.timerUsage)[0]).toMatchObject({ requests: 2 })
    }))

  it.scoped("a refused protobuf export is answered with a protobuf google.rpc.Status, keeping its status and headers", () =>
    Effect.gen(function*() {
      const s = yield* withServer
      const readKey = (yield* s.post("/api/keys", { scope: "read", label: "ro" })).body.secret
      const denied = yield* s.exportProtobuf([sonnet("s", minutes(0), "req_ro")], { key: readKey })
      expect(denied.status).toBe(403)
      expect(denied.type).toBe("application/x-protobuf")
      expect(rpcStatus(denied.bytes)).toMatchObject({ code: 7, message: expect.stringContaining("write") })
      const anonymous = yield* s.exportProtobuf([], { key: "ck_live_not-a-key-at-all-000000" })
      expect(anonymous.status).toBe(401)
      expect(rpcStatus(anonymous.bytes).code).toBe(16)
      // an empty export is zero bytes of protobuf, and is answered in protobuf too
      const empty = yield* s.exportProtobuf([])
      expect(empty.status).toBe(200)
      expect(protobufAnswer(empty.bytes)).toEqual({})
    }))

  it.scoped("usage that arrives before its timer, or after its stop (within 24 hours), still attaches", () =>
    Effect.gen(function*() {
      const s = yield* withServer
      expect((yield* s.exportJson([sonnet("early", minutes(0), "req_early", { costUsd: 1 })])).status).toBe(200)
      yield* TestClock.adjust("5 minutes")
      yield* s.post("/api/timer/start", hookStart("early"))
      expect((yield* s.timerUsage)[0]).toMatchObject({ requests: 1, costUsd: 1 })
      yield* s.post("/api/timer/stop", {})
      yield* TestClock.adjust("3 hours")
      expect((yield* s.exportJson([sonnet("early", minutes(6), "req_late", { costUsd: 2 })])).status).toBe(200)
      expect((yield* s.entries)[0].usage).toMatchObject({ requests: 2, costUsd: 3 })
      yield* TestClock.adjust("22 hours")
      expect((yield* s.exportJson([sonnet("early", minutes(7), "req_too_late", { costUsd: 4 })])).status).toBe(200)
      expect((yield* s.entries)[0].usage).toMatchObject({ requests: 2, costUsd: 3 })
    }))

  it.scoped("usage of a session no timer has is taken and waits; other events are ignored", () =>
    Effect.gen(function*() {
      const s = yield* withServer
      yield* s.post("/api/timer/start", hookStart("known"))
      const reply = yield* s.exportJson([
        sonnet("someone-else", minutes(0), "req_x"),
        { sessionId: "known", at: minutes(0), event: "api_error" }
      ])
      expect(reply.status).toBe(200)
      expect(reply.body).toEqual({})
      expect((yield* s.timerUsage)[0]).toMatchObject({ requests: 0, costUsd: 0, models: [] })
    }))

  it.scoped("without a reported cost the price table's is used; a model missing from it is stored unpriced", () =>
    Effect.gen(function*() {
      const s = yield* withServer
      yield* s.post("/api/timer/start", hookStart("priced"))
      const { costUsd: _omit, ...noCost } = sonnet("priced", minutes(0), "req_c")
      const reply = yield* s.exportJson([
        { ...noCost, inputTokens: 100_000, outputTokens: 0, cacheReadTokens: 0, cacheCreationTokens: 0 },
        { ...noCost, requestId: "req_u", model: "some-new-model", inputTokens: 5, outputTokens: 5, cacheReadTokens: 0, cacheCreationTokens: 0 }
      ])
      expect(reply.status).toBe(200)
      // OTLP's warning: a partial success that rejected nothing
      expect(reply.body).toEqual({
        partialSuccess: {
          rejectedLogRecords: "0",
          errorMessage: "stored without a cost, as the price table does not know the model: some-new-model"
        }
      })
      expect((yield* s.timerUsage)[0]).toEqual({
        requests: 2,
        inputTokens: 100_005,
        outputTokens: 5,
        cacheReadTokens: 0,
        cacheCreationTokens: 0,
        costUsd: 0.3,
        models: ["claude-sonnet-4-5-20250929", "some-new-model"],
        unpricedModels: ["some-new-model"]
      })
      yield* TestClock.adjust("10 minutes")
      yield* s.post("/api/timer/stop", {})
      const report = (yield* s.get("/api/reports?from=2026-06-01&to=2026-06-01&groupBy=day")).body
      expect(report.lines.map((l: any) => [l.aiCostUsd, l.unpricedModels])).toEqual([[0.3, ["some-new-model"]]])
      expect(report.totals).toMatchObject({ aiCostUsd: 0.3, unpricedModels: ["some-new-model"] })
    }))

  it.scoped("a newer price table prices the requests that come after it; earlier ones keep their cost and version", () =>
    Effect.gen(function*() {
      const s = yield* withServer
      yield* s.post("/api/timer/start", hookStart("table"))
      const { costUsd: _omit, ...noCost } = sonnet("table", minutes(0), "req_before")
      const tokens = { inputTokens: 100_000, outputTokens: 0, cacheReadTokens: 0, cacheCreationTokens: 0 }
      yield* s.exportJson([{ ...noCost, ...tokens }])
      const newer = {
        ...PINNED_PRICES.models,
        "claude-sonnet-4-5": { input_cost_per_token: 4e-6, output_cost_per_token: 2e-5, litellm_provider: "anthropic" },
        "gpt-5-codex": { input_cost_per_token: 1.25e-6, output_cost_per_token: 1e-5, cache_read_input_token_cost: 1.25e-7 }
      }
      const loaded = yield* Effect.provide(
        Effect.flatMap(PriceTables, (prices) => prices.update(JSON.stringify(newer))),
        s.context
      )
      expect(loaded).toMatchObject({ previous: PINNED_PRICES.version, models: Object.keys(newer).length })
      const after = yield* s.exportJson([
        { ...noCost, requestId: "req_after", ...tokens },
        { ...noCost, requestId: "req_codex", model: "gpt-5-codex", ...tokens }
      ])
      expect(after.body).toEqual({})
      // 100 000 × $3 (pinned) + 100 000 × $4 (loaded) + 100 000 × $1.25, per million
      expect((yield* s.timerUsage)[0]).toMatchObject({ requests: 3, costUsd: 0.825, unpricedModels: [] })
      const versions = yield* Effect.provide(
        Effect.flatMap(SqlClient.SqlClient, (sql) =>
          sql<{ requestKey: string; priceVersion: string }>`SELECT request_key, price_version FROM ai_usage ORDER BY request_key`),
        s.context
      )
      expect(versions).toEqual([
        { requestKey: "request:req_after", priceVersion: loaded.version },
        { requestKey: "request:req_before", priceVersion: PINNED_PRICES.version },
        { requestKey: "request:req_codex", priceVersion: loaded.version }
      ])
    }))

  it.scoped("unreadable records are named in partialSuccess and the rest stored; wrong shapes, media types and huge bodies are refused", () =>
    Effect.gen(function*() {
      const s = yield* withServer
      yield* s.post("/api/timer/start", hookStart("mixed"))
      const { model: _model, ...noModel } = sonnet("mixed", minutes(0), "req_nomodel")
      const partial = yield* s.exportJson([sonnet("mixed", minutes(0), "req_ok"), noModel])
      expect(partial.status).toBe(200)
      expect(partial.body).toEqual({
        partialSuccess: { rejectedLogRecords: "1", errorMessage: "resourceLogs[0].scopeLogs[0].logRecords[1]: model is missing" }
      })
      expect((yield* s.timerUsage)[0]).toMatchObject({ requests: 1 })

      const shape = yield* call(s.base, "POST", LOGS, { key: s.key, body: { resourceLogs: "all of them" } })
      expect(shape.status).toBe(400)
      expect(shape.body.message).toContain("resourceLogs")
      const text = yield* call(s.base, "POST", LOGS, { key: s.key, rawBody: "hello", headers: { "content-type": "text/plain" } })
      expect(text.status).toBe(415)
      expect(text.body.message).toContain("application/x-protobuf")
      const huge = yield* call(s.base, "POST", LOGS, {
        key: s.key,
        rawBody: jsonExport(Array.from({ length: 900 }, (_, i) => sonnet("mixed", minutes(0), `req_${i}_${"x".repeat(1000)}`))),
        headers: { "content-type": "application/json" }
      })
      expect(huge.status).toBe(413)
      expect((yield* s.timerUsage)[0]).toMatchObject({ requests: 1 })
    }))

  it.scoped("a read key is refused, no key is 401, and the endpoint is in the OpenAPI document", () =>
    Effect.gen(function*() {
      const s = yield* withServer
      const readKey = (yield* s.post("/api/keys", { scope: "read", label: "ro" })).body.secret
      const denied = yield* s.exportJson([sonnet("s", minutes(0), "req_r")], readKey)
      expect(denied.status).toBe(403)
      expect(denied.body).toMatchObject({ code: "insufficient_scope", required: "write" })
      const anonymous = yield* call(s.base, "POST", LOGS, { rawBody: jsonExport([]), headers: { "content-type": "application/json" } })
      expect(anonymous.status).toBe(401)
      const doc = (yield* call(s.base, "GET", "/api/openapi")).body
      const operation = doc.paths[LOGS].post
      expect(Object.keys(operation.requestBody.content).sort()).toEqual(["application/json", "application/x-protobuf"])
      expect(Object.keys(operation.responses["200"].content).sort()).toEqual(["application/json", "application/x-protobuf"])
      expect(operation.responses).toHaveProperty("400")
      expect(operation.responses).toHaveProperty("403")
    }))

  it.scoped("the report puts AI cost beside hours in every grouping and in the CSV", () =>
    Effect.gen(function*() {
      const s = yield* withServer
      yield* s.post("/api/timer/start", hookStart("rep-1"))
      yield* s.exportJson([sonnet("rep-1", minutes(0), "req_a", { costUsd: 0.25 }), sonnet("rep-1", minutes(1), "req_b", { costUsd: 0.125 })])
      yield* TestClock.adjust("30 minutes")
      yield* s.post("/api/timer/stop", {})
      yield* s.post("/api/timer/start", { ...hookStart("rep-2"), projectName: "other" })
      yield* s.exportJson([sonnet("rep-2", minutes(31), "req_c", { costUsd: 1.5 })])
      yield* TestClock.adjust("30 minutes")
      yield* s.post("/api/timer/stop", {})
      const range = "from=2026-06-01&to=2026-06-01"
      const byProject = (yield* s.get(`/api/reports?${range}`)).body
      expect(byProject.lines.map((l: any) => [l.projectName, l.hours, l.aiCostUsd])).toEqual([["clockme", 0.5, 0.375], ["other", 0.5, 1.5]])
      expect(byProject.totals).toMatchObject({ hours: 1, aiCostUsd: 1.875 })
      for (const groupBy of ["task", "day", "week"]) {
        const report = (yield* s.get(`/api/reports?${range}&groupBy=${groupBy}`)).body
        expect(report.lines.reduce((sum: number, l: any) => sum + l.aiCostUsd, 0)).toBe(1.875)
        expect(report.totals.aiCostUsd).toBe(1.875)
      }
      const csv = (yield* call(s.base, "GET", `/api/reports/csv?${range}`, { key: s.key })).body as string
      const rows = csv.replace(/^\uFEFF/, "").split("\r\n")
      expect(rows[0]!.endsWith(",Entries,AI cost (USD)")).toBe(true)
      expect(rows[1]!.endsWith(",1,0.3750")).toBe(true)
      expect(rows[3]!.endsWith(",2,1.8750")).toBe(true)
    }))

  it.scoped("past the account's rate limit an export is shed with 429 and Retry-After, and stores nothing", () =>
    Effect.gen(function*() {
      const s = yield* serverFor("free")
      yield* s.post("/api/timer/start", hookStart("busy"))
      let last = yield* s.exportJson([])
      for (let i = 0; i < 60 && last.status === 200; i++) last = yield* s.exportJson([sonnet("busy", minutes(0), `req_busy_${i}`)])
      expect(last.status).toBe(429)
      expect(Number(last.headers.get("retry-after"))).toBeGreaterThan(0)
      yield* TestClock.adjust("1 minute")
      const usage = (yield* s.timerUsage)[0]
      expect(usage.requests).toBeLessThan(60)
      expect((yield* s.exportJson([sonnet("busy", minutes(0), "req_busy_after")])).status).toBe(200)
      expect((yield* s.timerUsage)[0].requests).toBe(usage.requests + 1)
    }))
})
